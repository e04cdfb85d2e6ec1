/**
 * Turns what the network claims about a caller into text that is safe to show.
 *
 * Display names and user parts arrive straight from the peer (and through sip.js
 * unescaped and %-decoded: see docs/sipjs-pitfalls.md#s10). They may carry markup,
 * NUL and other control characters, bidi overrides that reorder the screen, or
 * kilobytes of text. The core hands the renderer only sanitised strings; the
 * renderer still renders them as text, never as HTML.
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { Grammar } from 'sip.js';
import { MAX_DISPLAY_NAME_LENGTH } from '../../shared/contract';

/** Longest number or user part kept, in characters. */
export const MAX_NUMBER_LENGTH = 64;

// C0/C1 controls, DEL, bidi embeddings/overrides/isolates/marks, zero-width space
// and other invisible format characters, line/paragraph separators, BOM. ZWNJ and
// ZWJ (U+200C/D) stay: Persian spelling and emoji sequences need them.
const UNSAFE_CHARACTERS =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g;
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Cleans one line of untrusted text: NFC, unsafe characters removed, white space
 * folded, cut to `maxLength` user-perceived characters with an ellipsis.
 */
export function sanitizeText(raw: unknown, maxLength: number): string {
  if (typeof raw !== 'string') return '';
  // Bound the work before normalising: a 10 MB header must not cost 10 MB of regex.
  const bounded = raw.length > maxLength * 8 ? raw.slice(0, maxLength * 8) : raw;
  const cleaned = bounded
    .normalize('NFC')
    .replace(UNSAFE_CHARACTERS, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  // Walk grapheme clusters so a cut never splits an emoji or a combining mark.
  let count = 0;
  let ellipsisCut = cleaned.length;
  let overflow = false;
  for (const { index } of segmenter.segment(cleaned)) {
    if (count === maxLength - 1) ellipsisCut = index;
    if (count === maxLength) {
      overflow = true;
      break;
    }
    count += 1;
  }
  const truncated = overflow || bounded.length !== raw.length;
  if (!truncated) return cleaned;
  const head = count >= maxLength ? cleaned.slice(0, ellipsisCut) : cleaned;
  return `${head.trimEnd()}…`;
}

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
  return sanitizeText(raw, MAX_DISPLAY_NAME_LENGTH);
}

/**
 * The number or user part to show and look up: dial characters are kept as they
 * are (`+4930123456`), anything else is sanitised like a name.
 */
export function sanitizeNumber(raw: unknown): string {
  if (typeof raw !== 'string') return '';
  const compact = raw.replace(/[\s\-().]/g, '');
  if (/^\+?[0-9*#]{1,32}$/.test(compact)) return compact;
  return sanitizeText(raw, MAX_NUMBER_LENGTH);
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

/**
 * Who is calling: P-Asserted-Identity when the network asserts one (the PBX knows
 * better than the caller's own From), else From. `paiValues` are the raw header
 * values; the first parseable sip:/sips:/tel: identity wins.
 */
export function remoteIdentity(
  from: { displayName: string | undefined; user: string | undefined },
  paiValues: readonly string[],
  region: string,
): RemoteIdentity {
  for (const value of paiValues.flatMap(splitHeaderValues)) {
    const parsed = Grammar.nameAddrHeaderParse(value.slice(0, 1024));
    const user = parsed?.uri.user ?? /<?tel:([^;>]+)/i.exec(value)?.[1];
    if (!user) continue;
    return {
      name: displayNameFromSip(parsed?.displayName) || displayNameFromSip(from.displayName),
      number: normalizeNumber(user, region),
    };
  }
  return { name: displayNameFromSip(from.displayName), number: normalizeNumber(from.user ?? '', region) };
}
