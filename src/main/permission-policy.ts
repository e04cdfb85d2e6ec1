/**
 * Which browser permissions the agent's window gets: the microphone (and choosing the
 * speaker) for our own page, nothing for anything else. Pure, so it is tested in Node
 * (tests/unit/main/permission-policy.test.ts); window.ts installs it as the session's
 * permission request and check handlers.
 */

/** Permissions our page needs for calls: the microphone, and picking the headset as speaker. */
const CALL_AUDIO_PERMISSIONS = new Set(['media', 'speaker-selection']);

/**
 * True when `requestingUrl` is our own page: the same origin as `appUrl` (the dev
 * server), or for `file:` the very index.html we load (any other local file is not us).
 */
export function isOwnPage(requestingUrl: string, appUrl: string): boolean {
  let requesting: URL;
  let app: URL;
  try {
    requesting = new URL(requestingUrl);
    app = new URL(appUrl);
  } catch {
    return false;
  }
  if (app.protocol === 'file:') return requesting.protocol === 'file:' && requesting.pathname === app.pathname;
  return requesting.origin === app.origin;
}

/**
 * Grants call audio to our own page only. A `media` request must be for audio alone:
 * Calmline never needs the camera, so a request that includes video is refused.
 */
export function allowPermission(
  permission: string,
  requestingUrl: string,
  appUrl: string,
  mediaTypes: readonly string[] = [],
): boolean {
  if (!CALL_AUDIO_PERMISSIONS.has(permission) || !isOwnPage(requestingUrl, appUrl)) return false;
  if (permission === 'media') return mediaTypes.every((type) => type === 'audio');
  return true;
}
