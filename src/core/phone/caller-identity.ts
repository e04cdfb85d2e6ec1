/**
 * Turns what the network claims about a caller into text that is safe to show.
 *
 * Display names and user parts arrive straight from the peer (and through sip.js
 * unescaped and %-decoded: see docs/sipjs-pitfalls.md#s10). They may carry markup,
 * NUL and other control characters, bidi overrides that reorder the screen, or
 * kilobytes of text. The core hands the renderer only strings cleaned by
 * sanitizeDisplayText (src/shared/display-text.ts), which the renderer runs again
 * and renders as text, never as HTML.
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { Grammar } from 'sip.js';
import { sanitizeDisplayText } from '../../shared/display-text';

/** Longest number or user part kept, in characters. */
export const MAX_NUMBER_LENGTH = 64;

/**
 * A display name as sip.js hands it over: the quotes are gone but quoted-pairs
 * (`\"`, `\\`, RFC 3261 §25.1) are still escaped. Unescape, then sanitise.
 */
export function displayNameFromSip(raw: unknown): string {
  if (typeof raw !== 'string') return '';
  return sanitizeDisplayName(raw.replace(/\\([\s\S])/g, '$1'));
}

/** Sanitised caller display name. */
export function sanitizeDisplayName(raw: unknown): string {
  return sanitizeDisplayText(raw);
}

/**
 * The number or user part to show and look up: dial characters are kept as they
 * are (`+4930123456`), anything else is sanitised like a name.
 */
export function sanitizeNumber(raw: unknown): string {
  if (typeof raw !== 'string') return '';
  const compact = raw.replace(/[\s\-().]/g, '');
  if (/^\+?[0-9*#]{1,32}$/.test(compact)) return compact;
  return sanitizeDisplayText(raw, MAX_NUMBER_LENGTH);
}

/**
 * A number in E.164 when libphonenumber can read it as a valid number (national
 * numbers read in `region`); otherwise the sanitised user part (extensions such as
 * `1001` stay as they are).
 */
export function normalizeNumber(raw: unknown, region: string): string {
  const cleaned = sanitizeNumber(raw);
  if (!/^\+?[0-9][0-9*#]*$/.test(cleaned) || cleaned.replace(/\D/g, '').length < 6) return cleaned;
  try {
    const parsed = parsePhoneNumberFromString(cleaned, region as CountryCode);
    return parsed?.isValid() ? parsed.number : cleaned;
  } catch {
    return cleaned;
  }
}

/** The caller as shown and looked up. */
export interface RemoteIdentity {
  name: string;
  number: string;
  /** The caller withheld their identity: name and number are empty. */
  withheld?: boolean;
}

/** What decides how far the network is believed about a caller. */
export interface IdentityPolicy {
  /** P-Asserted-Identity ahead of From (RFC 3325 trust domain); default true. */
  trustAssertedIdentity?: boolean | undefined;
  /** The raw Privacy header values of the INVITE. */
  privacy?: readonly string[];
}

/** An anonymous From as RFC 3323 §4.1.1.3 recommends it (or its usual variants). */
const ANONYMOUS_USER = /^(anonymous|restricted|private)$/i;

/** Whether the caller asked for privacy: `Privacy: id` (RFC 3325 §7) or `Privacy: user` (RFC 3323). */
export function privacyRequested(privacy: readonly string[]): boolean {
  const values = privacy.flatMap((value) => value.split(';')).map((v) => v.trim().toLowerCase());
  return values.some((v) => v === 'id' || v === 'user');
}

/** An anonymous From, such as `sip:anonymous@anonymous.invalid` (RFC 3323 §4.1.1.3). */
export function anonymousFrom(user: string | undefined, host: string): boolean {
  return ANONYMOUS_USER.test(user ?? '') || /^anonymous\.invalid$/i.test(host);
}

/**
 * Splits a header value list on commas outside quotes and angle brackets (sip.js
 * gives up on two P-Asserted-Identity values in one header: docs/sipjs-pitfalls.md#s11).
 */
function splitHeaderValues(value: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i += 1) {
    const ch = value[i];
    if (ch === '\\' && quoted) i += 1;
    else if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === '<') depth += 1;
    else if (!quoted && ch === '>') depth = Math.max(0, depth - 1);
    else if (!quoted && depth === 0 && ch === ',') {
      parts.push(value.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(value.slice(start));
  return parts.map((p) => p.trim()).filter(Boolean);
}

/** A display name (still quoted-pair escaped, as sip.js hands it over) and a URI's user part. */
export interface NameAddr {
  displayName: string | undefined;
  user: string | undefined;
}

/** sip.js's own name-addr grammar (the careful reading; early-invite.ts has the quick one). */
function grammarNameAddr(value: string): NameAddr | undefined {
  const parsed = Grammar.nameAddrHeaderParse(value);
  return parsed ? { displayName: parsed.displayName, user: parsed.uri.user } : undefined;
}

/**
 * Who is calling: P-Asserted-Identity when the network asserts one (the PBX knows
 * better than the caller's own From), else From. `paiValues` are the raw header
 * values; the first parseable sip:/sips:/tel: identity wins.
 */
export function remoteIdentity(
  from: NameAddr & { host?: string },
  paiValues: readonly string[],
  region: string,
  policy: IdentityPolicy = {},
  parseNameAddr: (value: string) => NameAddr | undefined = grammarNameAddr,
): RemoteIdentity {
  // A withheld identity is not shown, and not looked up in the directory either.
  const withheld: RemoteIdentity = { name: '', number: '', withheld: true };
  if (privacyRequested(policy.privacy ?? [])) return withheld;
  const asserted = policy.trustAssertedIdentity === false ? [] : paiValues;
  for (const value of asserted.flatMap(splitHeaderValues)) {
    const parsed = parseNameAddr(value.slice(0, 1024));
    const user = parsed?.user ?? /<?tel:([^;>]+)/i.exec(value)?.[1];
    if (!user) continue;
    return {
      name: displayNameFromSip(parsed?.displayName) || displayNameFromSip(from.displayName),
      number: normalizeNumber(numberPart(user), region),
    };
  }
  // An anonymous From with no (trusted) asserted identity: nothing to show or look up.
  if (anonymousFrom(from.user, from.host ?? '')) return withheld;
  return { name: displayNameFromSip(from.displayName), number: normalizeNumber(numberPart(from.user ?? ''), region) };
}

/**
 * The number in a user part: a telephone-subscriber's parameters (`;phone-context=…`,
 * RFC 3966 and RFC 3261 §19.1.6) are not part of it. A `tel:` From arrives here as
 * the user part of its stand-in SIP URI (sip-compliance.ts).
 */
function numberPart(user: string): string {
  return user.split(';')[0] ?? '';
}
