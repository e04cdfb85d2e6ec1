/**
 * Turns what the network claims about a caller into text that is safe to show.
 *
 * Display names and user parts arrive straight from the peer (and through sip.js
 * unescaped and %-decoded: see ../shared/sipjs-notes.md §6). They may carry markup,
 * NUL and other control characters, bidi overrides that reorder the screen, or
 * kilobytes of text. The core hands the renderer only sanitised strings; the
 * renderer still renders them as text, never as HTML.
 */
import { MAX_DISPLAY_NAME_LENGTH } from '../../../shared/contract';

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
