/**
 * The web host's click-to-dial hand-over (docs/desk.md#click-to-dial): `POST
 * /__calmline/open-link` with `Authorization: Bearer <token>` and `{"url": "tel:…"}`
 * hands a link to the running host, as the OS does for Electron. The page then asks
 * the agent to confirm; nothing here dials. Used by the end-to-end tests and by
 * anything on the agent's machine that holds the per-run token.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DialLink } from '../../shared/desk';

/** Path of the hand-over endpoint. */
export const OPEN_LINK_PATH = '/__calmline/open-link';

const MAX_BODY_BYTES = 8 * 1024;

/** What the endpoint needs from the core. */
export interface LinkReceiver {
  openLink(raw: unknown): DialLink;
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response
    .writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' })
    .end(JSON.stringify(body));
}

function bearerMatches(header: string | undefined, token: Buffer): boolean {
  const presented = Buffer.from(/^Bearer (.+)$/.exec(header ?? '')?.[1] ?? '');
  return presented.length === token.length && timingSafeEqual(presented, token);
}

async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Answers one request to the endpoint: 401 without the token, 403 from a page of
 * another origin, 413 for a body over 8 kB, 400 for a body that is not
 * `{"url": string}`, else 200 with what the window was asked (confirm or refused).
 */
export async function handleOpenLink(
  request: IncomingMessage,
  response: ServerResponse,
  options: { token: Buffer; origin: string; receiver: LinkReceiver | undefined },
): Promise<void> {
  if (request.method !== 'POST') {
    response.writeHead(405, { Allow: 'POST' }).end();
    return;
  }
  if (!bearerMatches(request.headers.authorization, options.token)) {
    reply(response, 401, { error: 'The per-run token is missing or wrong.' });
    return;
  }
  if (request.headers.origin !== undefined && request.headers.origin !== options.origin) {
    reply(response, 403, { error: 'Links are not accepted from other origins.' });
    return;
  }
  if (!options.receiver) {
    reply(response, 503, { error: 'This host takes no links.' });
    return;
  }
  const text = await readBody(request);
  if (text === undefined) {
    reply(response, 413, { error: 'The body is too large.' });
    return;
  }
  let url: unknown;
  try {
    url = (JSON.parse(text) as { url?: unknown }).url;
  } catch {
    url = undefined;
  }
  if (typeof url !== 'string') {
    reply(response, 400, { error: 'Send {"url": "tel:…"} as JSON.' });
    return;
  }
  reply(response, 200, options.receiver.openLink(url));
}
