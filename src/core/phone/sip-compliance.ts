/**
 * Valid SIP that trunks and PBXs send and that sip.js mishandles, put right before
 * sip.js sees it (called by inbound-guard.ts), and the way back out for what we
 * rewrote (called by ws-transport.ts on every outbound message).
 *
 * - A `tel:` URI (RFC 3966) in From or To makes sip.js drop the whole message
 *   (docs/sipjs-pitfalls.md#s25). It is carried through sip.js as a SIP URI on a
 *   reserved host (`sip:+4930123456@calmline-tel.invalid;user=phone`, the RFC 3261
 *   §19.1.6 form) and turned back into the `tel:` URI on the way out.
 * - A body that is multipart (SIP-I/SIP-T) with an SDP part is taken by sip.js as no
 *   offer: it offers its own and then hangs up with BYE 488 after the ACK
 *   (docs/sipjs-pitfalls.md#s26). The SDP part becomes the body; a multipart INVITE
 *   without one is refused with 415 before it rings.
 * - sip.js never reads `Require` (answers 200 to what it does not support) and accepts
 *   any CSeq number (docs/sipjs-pitfalls.md#s27): here 420 with `Unsupported`, and 400
 *   for a CSeq beyond 2^31-1 (RFC 3261 §8.1.1.5).
 */

/** The host that stands for "this was a tel: URI" while sip.js holds the message. */
export const TEL_HOST = 'calmline-tel.invalid';

/** Option tags (RFC 3261 §19.2) a request may `Require` of us. */
export const SUPPORTED_OPTION_TAGS: readonly string[] = ['timer'];

/** Largest CSeq sequence number RFC 3261 §8.1.1.5 allows. */
export const MAX_CSEQ = 2 ** 31 - 1;

/** What to do with a request before sip.js sees it. */
export type ComplianceVerdict =
  | { kind: 'pass'; message: string }
  | { kind: 'refuse'; code: number; phrase: string; headers: string[]; reason: string };

/** The end of the header section (index of the blank line), or -1. */
function headerEnd(raw: string): number {
  return raw.search(/\r?\n\r?\n/);
}

/** One header's values (unfolded, compact form included), from the raw header section. */
export function rawHeaderValues(raw: string, ...names: string[]): string[] {
  const end = headerEnd(raw);
  const head = (end === -1 ? raw : raw.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  const out: string[] = [];
  for (const line of head.split(/\r?\n/).slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (names.some((n) => n.toLowerCase() === name)) out.push(line.slice(colon + 1).trim());
  }
  return out;
}

const FROM_TO_LINE = /^((?:From|To|f|t)[ \t]*:[ \t]*)(.*)$/gim;

/**
 * `tel:` URIs in From and To become `sip:<number>@calmline-tel.invalid;user=phone`,
 * in requests and responses alike (in-dialog requests and the answers to ours carry
 * them too). Everything else is left byte for byte.
 */
export function telToSip(raw: string): string {
  if (!/\btel:/i.test(raw)) return raw;
  const end = headerEnd(raw);
  const head = end === -1 ? raw : raw.slice(0, end);
  const fixed = head.replace(FROM_TO_LINE, (line, name: string, value: string) => {
    // name-addr form: "Name" <tel:+49...;phone-context=x>;tag=...
    const inBrackets = value.replace(/<tel:([^>]*)>/i, (_m, number: string) => `<${sipFormOf(number)}>`);
    if (inBrackets !== value) return `${name}${inBrackets}`;
    // addr-spec form: tel:+49...;tag=... (the parameters belong to the header here)
    const bare = /^tel:([^;\s]+)(.*)$/i.exec(value);
    if (bare?.[1] !== undefined) return `${name}<${sipFormOf(bare[1])}>${bare[2] ?? ''}`;
    return line;
  });
  return fixed === head ? raw : fixed + raw.slice(head.length);
}

function sipFormOf(telNumber: string): string {
  // ';' inside the user part is escaped so no parser takes it for a URI parameter.
  return `sip:${telNumber.replace(/;/g, '%3B')}@${TEL_HOST};user=phone`;
}

const SIP_FORM = new RegExp(`sips?:([^@<>\\s]*)@${TEL_HOST.replace(/\./g, '\\.')}(?:;user=phone)?`, 'gi');

/** The way back: our stand-in SIP URIs become the `tel:` URIs they were. */
export function sipToTel(message: string): string {
  if (!message.includes(TEL_HOST)) return message;
  return message.replace(SIP_FORM, (_m, user: string) => `tel:${user.replace(/%3B/gi, ';').replace(/%2B/gi, '+')}`);
}

const REQUEST_LINE = /^([A-Za-z!%*_+`'~.-]+) \S+ SIP\/2\.0\r?\n/;

/** Checks a request's Require and CSeq, and unpacks a multipart offer. Responses pass as they are. */
export function checkRequest(raw: string): ComplianceVerdict {
  const method = REQUEST_LINE.exec(raw)?.[1]?.toUpperCase();
  if (!method) return { kind: 'pass', message: raw };

  const cseq = rawHeaderValues(raw, 'CSeq')[0];
  const sequence = cseq ? /^(\d+)/.exec(cseq)?.[1] : undefined;
  if (sequence !== undefined && (sequence.length > 10 || Number(sequence) > MAX_CSEQ)) {
    return {
      kind: 'refuse',
      code: 400,
      phrase: 'CSeq Out of Range',
      headers: [],
      reason: `CSeq ${sequence.slice(0, 20)} beyond 2^31-1`,
    };
  }

  if (method !== 'ACK' && method !== 'CANCEL') {
    const required = rawHeaderValues(raw, 'Require')
      .flatMap((value) => value.split(','))
      .map((tag) => tag.trim())
      .filter(Boolean);
    const unsupported = required.filter((tag) => !SUPPORTED_OPTION_TAGS.includes(tag.toLowerCase()));
    if (unsupported.length > 0) {
      // Each tag is a token (RFC 3261 §25.1); nothing else goes back out.
      const tags = unsupported.map((tag) => tag.replace(/[^A-Za-z0-9.!%*_+`'~-]/g, '')).filter(Boolean);
      return {
        kind: 'refuse',
        code: 420,
        phrase: 'Bad Extension',
        headers: [`Unsupported: ${tags.join(', ').slice(0, 512)}`],
        reason: `unsupported Require: ${tags.join(', ').slice(0, 80)}`,
      };
    }
  }

  if (method === 'INVITE' || method === 'UPDATE') return unpackMultipart(raw, method);
  return { kind: 'pass', message: raw };
}

/**
 * A multipart body with an SDP part: the SDP part becomes the whole body (its own
 * Content-Type, an exact Content-Length, the multipart's Content-Disposition gone).
 * A multipart INVITE without SDP is refused with 415 and `Accept: application/sdp`.
 */
function unpackMultipart(raw: string, method: string): ComplianceVerdict {
  const contentType = rawHeaderValues(raw, 'Content-Type', 'c')[0] ?? '';
  if (!/^multipart\//i.test(contentType)) return { kind: 'pass', message: raw };
  const end = headerEnd(raw);
  const separator = /\r?\n\r?\n/.exec(raw.slice(end))?.[0] ?? '\r\n\r\n';
  const head = raw.slice(0, end);
  const body = raw.slice(end + separator.length);
  const boundary = /;\s*boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const sdp = boundary ? sdpPart(body, boundary[1] ?? boundary[2] ?? '') : undefined;
  if (sdp === undefined) {
    return {
      kind: 'refuse',
      code: 415,
      phrase: 'Unsupported Media Type',
      headers: ['Accept: application/sdp'],
      reason: `${method} with a ${contentType.split(';')[0] ?? 'multipart'} body and no SDP part`,
    };
  }
  const lines = head
    .replace(/\r?\n[ \t]+/g, ' ')
    .split(/\r?\n/)
    .filter((line) => !/^(Content-Type|c|Content-Length|l|Content-Disposition|MIME-Version)[ \t]*:/i.test(line));
  const message = [
    ...lines,
    'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(sdp, 'utf8')}`,
    '',
    sdp,
  ].join('\r\n');
  return { kind: 'pass', message };
}

/** The body of the first `application/sdp` part, or undefined. */
function sdpPart(body: string, boundary: string): string | undefined {
  if (!boundary) return undefined;
  const delimiter = `--${boundary}`;
  const parts = body.split(delimiter).slice(1);
  for (const part of parts) {
    if (part.startsWith('--')) break; // the close delimiter
    const text = part.replace(/^[ \t]*\r?\n/, '');
    const split = /\r?\n\r?\n/.exec(text);
    // A part with no headers is text/plain (RFC 2046 §5.1.1): not SDP.
    if (!split) continue;
    const partHead = text.slice(0, split.index);
    if (!/^Content-Type[ \t]*:[ \t]*application\/sdp\b/im.test(partHead)) continue;
    // The CRLF before the next delimiter belongs to the delimiter.
    const sdp = text.slice(split.index + split[0].length).replace(/\r?\n$/, '');
    return sdp.endsWith('\n') ? sdp : `${sdp}\r\n`;
  }
  return undefined;
}
