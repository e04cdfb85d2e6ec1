/**
 * The early screen pop (docs/performance.md#early-pop): who is calling, read from a
 * new INVITE's raw frame before sip.js parses it.
 *
 * sip.js parses the whole message with its grammar (some 3 ms for a typical INVITE
 * on the bench machine), sends 100 Trying and 180 Ringing, and only then tells the
 * application. The caller's identity needs four header lines, which a plain scan
 * finds in a few microseconds, so the phone can show the ringing call (and start the
 * directory look-up) while sip.js is still at work. The scan is deliberately narrow:
 * anything unusual (folded or control characters, a %-escape, a tel: identity, a
 * header it does not understand the shape of) returns undefined, and the call pops
 * the ordinary way, when sip.js hands it over. The identity is sanitised by the same
 * code as always (caller-identity.ts), and the phone checks it against sip.js's own
 * parse when sip.js delivers the call.
 */
import { MAX_SIP_MESSAGE_CHARS } from './inbound-guard';
import { remoteIdentity, type IdentityPolicy, type NameAddr, type RemoteIdentity } from './caller-identity';

/** What the scan read from a new INVITE. */
export interface InitialInvite {
  /** sip.js's id for the session it will create: Call-ID + From tag. */
  key: string;
  identity: RemoteIdentity;
}

// eslint-disable-next-line no-control-regex -- control characters (other than CR LF) send the message the slow, careful way
const UNUSUAL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f%]|\r\n[ \t]|\n(?<!\r\n)/;
/** `"display name" <sip:user@host…>params` or `display name <sip:…>params`. */
const NAME_ADDR = /^\s*(?:"((?:[^"\\]|\\[^\r\n])*)"|([^"<>]*?))\s*<(sips?:[^<>"\s]*)>\s*(;[^<>"]*)?$/i;
/** A bare `sip:user@host;params` (no angle brackets: the params belong to the header). */
const ADDR_SPEC = /^\s*(sips?:[^<>"\s;,?]*)\s*(;[^<>"]*)?$/i;
const USER = /^sips?:([^@;?]+)@/i;
const TAG = /;\s*tag\s*=\s*([^;\s]+)/i;

/** A name-addr or addr-spec with a sip:/sips: URI, or undefined when its shape is not a plain one. */
export function quickNameAddr(value: string): (NameAddr & { params: string }) | undefined {
  const named = NAME_ADDR.exec(value);
  if (named) {
    const uri = named[3] ?? '';
    const display = named[1] ?? named[2]?.trim();
    return { displayName: display === '' ? undefined : display, user: USER.exec(uri)?.[1], params: named[4] ?? '' };
  }
  const bare = ADDR_SPEC.exec(value);
  if (bare) return { displayName: undefined, user: USER.exec(bare[1] ?? '')?.[1], params: bare[2] ?? '' };
  return undefined;
}

/**
 * Reads a new (out-of-dialog) INVITE's identity and session key, or undefined when
 * `raw` is not one or anything about it is unusual.
 */
export function scanInitialInvite(raw: string, region: string, policy: IdentityPolicy = {}): InitialInvite | undefined {
  if (!raw.startsWith('INVITE ') || raw.length > MAX_SIP_MESSAGE_CHARS) return undefined;
  const end = raw.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const head = raw.slice(0, end);
  if (UNUSUAL.test(head)) return undefined;
  let from: string | undefined;
  let to: string | undefined;
  let callId: string | undefined;
  let cseq: string | undefined;
  const pai: string[] = [];
  const lines = head.split('\r\n');
  for (let i = 1; i < lines.length; i += 1) {
    const line = lines[i] ?? '';
    const colon = line.indexOf(':');
    if (colon === -1) return undefined;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'from' || name === 'f') {
      if (from !== undefined) return undefined;
      from = value;
    } else if (name === 'to' || name === 't') {
      if (to !== undefined) return undefined;
      to = value;
    } else if (name === 'call-id' || name === 'i') {
      if (callId !== undefined) return undefined;
      callId = value;
    } else if (name === 'cseq') cseq = value;
    else if (name === 'p-asserted-identity') pai.push(value);
    // Replaces joins an existing dialog: leave it to sip.js. A Privacy request is
    // judged by the careful path only (docs/sipjs-pitfalls.md#s30).
    else if (name === 'replaces' || name === 'privacy') return undefined;
  }
  if (!from || !to || !callId || !cseq || !/^\d+\s+INVITE$/i.test(cseq)) return undefined;
  // A To tag: a re-INVITE in a dialog, not a new call.
  if (TAG.test(quickNameAddr(to)?.params ?? ';tag=?')) return undefined;
  const fromAddr = quickNameAddr(from);
  const fromTag = fromAddr && TAG.exec(fromAddr.params)?.[1];
  if (!fromAddr || !fromTag) return undefined;
  // Every P-Asserted-Identity must be one the quick reading understands, or the
  // identity could differ from the careful one.
  for (const value of pai) {
    for (const part of value.split(',')) if (!quickNameAddr(part)) return undefined;
  }
  const identity = remoteIdentity(fromAddr, pai, region, policy, (value) => quickNameAddr(value));
  // Withheld, or a From the quick reading does not know (a tel: URI): the careful path decides.
  if (identity.withheld || !fromAddr.user) return undefined;
  return { key: callId + fromTag, identity };
}
