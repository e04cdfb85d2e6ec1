/**
 * Looks at every SIP message from the network before sip.js does, and decides:
 * pass it on (maybe with a dangerous value defused), answer it ourselves, or drop it.
 *
 * Why: sip.js drops a request it cannot parse without any answer, so the caller
 * rings until the proxy's timer fires and the agent never learns of the call
 * (docs/sipjs-pitfalls.md#s8); and some parseable values hurt it (an INVITE
 * `Expires` beyond Node's timer range cancels the call within a millisecond:
 * docs/sipjs-pitfalls.md#s9). Here an unparseable
 * request gets a stateless `400 Bad Request`, an oversized one `513 Message Too
 * Large` (RFC 3261 §21.5.14), and `Expires` is clamped.
 */
import { randomBytes } from 'node:crypto';
import { Core } from 'sip.js';
import { checkRequest, telToSip } from './sip-compliance';

/** Largest SIP message we process; bigger ones are refused or dropped. */
export const MAX_SIP_MESSAGE_CHARS = 32 * 1024;
/** Longest ringing time an INVITE may ask for through `Expires`, in seconds. */
export const MAX_INVITE_EXPIRES_S = 3600;

/** What to do with one inbound message. */
export type InboundVerdict =
  | { kind: 'pass'; message: string; parsed?: ParsedMessage }
  | { kind: 'reply'; response: string; reason: string }
  | { kind: 'drop'; reason: string };

const quietLogger = {
  error: () => undefined,
  warn: () => undefined,
  log: () => undefined,
  debug: () => undefined,
} as unknown as Core.Logger;

const REQUEST_LINE = /^([A-Za-z!%*_+`'~.-]+) \S+ SIP\/2\.0\r?\n/;

/** Inspects one inbound message. */
export function inspectInbound(raw: string): InboundVerdict {
  const method = REQUEST_LINE.exec(raw)?.[1]?.toUpperCase();
  if (raw.length > MAX_SIP_MESSAGE_CHARS) {
    return refuse(raw, method, 513, 'Message Too Large', `message of ${raw.length} characters`);
  }
  const checked = checkRequest(telToSip(method === 'INVITE' ? clampExpires(raw) : raw));
  if (checked.kind === 'refuse') {
    return refuse(raw, method, checked.code, checked.phrase, checked.reason, checked.headers);
  }
  const message = checked.message;
  const parsed = parse(message);
  if (!parsed) return refuse(raw, method, 400, 'Bad Request', 'unparseable message');
  return { kind: 'pass', message, parsed };
}

/** A message sip.js's parser accepted. */
export type ParsedMessage = Core.IncomingRequestMessage | Core.IncomingResponseMessage;

/**
 * sip.js's own parser, called at the time of use (not captured at import, and never
 * replaced: docs/sipjs-pitfalls.md#s33); it throws on some inputs (a response whose
 * CSeq has no method). The result travels on with the verdict, so the transport
 * seam hands it to sip.js without a second parse (a parse costs milliseconds per
 * INVITE, measured by `npm run bench`).
 */
function parse(message: string): ParsedMessage | undefined {
  try {
    return Core.Parser.parseMessage(message, quietLogger);
  } catch {
    return undefined;
  }
}

function refuse(
  raw: string,
  method: string | undefined,
  code: number,
  phrase: string,
  reason: string,
  headers: readonly string[] = [],
): InboundVerdict {
  // Responses and ACKs are never answered (RFC 3261 §17).
  if (!method || method === 'ACK') return { kind: 'drop', reason };
  const response = statelessResponse(raw, code, phrase, headers);
  return response ? { kind: 'reply', response, reason } : { kind: 'drop', reason };
}

/** The header section's lines, unfolded, at most the first 64 kB. */
function headerLines(raw: string): string[] {
  const end = raw.search(/\r?\n\r?\n/);
  const head = (end === -1 ? raw : raw.slice(0, end)).slice(0, MAX_SIP_MESSAGE_CHARS);
  return head
    .replace(/\r?\n[ \t]+/g, ' ')
    .split(/\r?\n/)
    .slice(1);
}

/**
 * A response built from the request's raw Via, From, To, Call-ID and CSeq lines
 * (RFC 3261 §8.2.6.2), or undefined when the request lacks one of them.
 */
export function statelessResponse(
  raw: string,
  code: number,
  phrase: string,
  headers: readonly string[],
): string | undefined {
  const lines = headerLines(raw);
  const pick = (...names: string[]) =>
    lines.filter((line) => names.some((name) => new RegExp(`^${name}\\s*:`, 'i').test(line)));
  const vias = pick('Via', 'v');
  const from = pick('From', 'f')[0];
  let to = pick('To', 't')[0];
  const callId = pick('Call-ID', 'i')[0];
  const cseq = pick('CSeq')[0];
  if (vias.length === 0 || !from || !to || !callId || !cseq) return undefined;
  if (!/;\s*tag=/i.test(to)) to = `${to};tag=${randomBytes(6).toString('hex')}`;
  // eslint-disable-next-line no-control-regex -- header values must not smuggle control characters back out
  const safe = (line: string) => line.replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, '');
  return [
    `SIP/2.0 ${code} ${phrase}`,
    ...vias.map(safe),
    safe(from),
    safe(to),
    safe(callId),
    safe(cseq),
    ...headers.map(safe),
    'Server: Calmline',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/** Replaces an out-of-range or non-numeric INVITE `Expires` with the maximum. */
function clampExpires(raw: string): string {
  const end = raw.search(/\r?\n\r?\n/);
  const head = end === -1 ? raw : raw.slice(0, end);
  const fixed = head.replace(/^(Expires[ \t]*:[ \t]*)(.*)$/gim, (line, name: string, value: string) => {
    const seconds = Number(value.trim());
    return /^\d+$/.test(value.trim()) && seconds <= MAX_INVITE_EXPIRES_S ? line : `${name}${MAX_INVITE_EXPIRES_S}`;
  });
  return fixed === head ? raw : fixed + raw.slice(head.length);
}
