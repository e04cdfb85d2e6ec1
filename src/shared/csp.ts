/**
 * The renderer's Content-Security-Policy, sent as a header by both hosts (the web
 * host's HTTP server, Electron's session). src/renderer/index.html carries the same
 * policy in a meta tag, minus frame-ancestors, which only a header can set.
 */
export const RENDERER_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
  "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
