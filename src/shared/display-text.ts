/**
 * Makes untrusted text safe to show on one line: a caller's display name or user
 * part, a registrar's reason phrase. The core sanitises what the network claims
 * before it reaches the renderer; the renderer runs the same function again as a
 * second line of defence (a bug or a future host could let raw text through). One
 * function for both, so the two passes never disagree, and a second pass leaves
 * the first one's result as it is.
 *
 * Markup is left alone: it is inert text, because the renderer only ever renders
 * these strings as React text, never as HTML.
 */
import { MAX_DISPLAY_NAME_LENGTH } from './contract';

// C0/C1 controls and DEL; the Arabic letter mark; zero-width space; LRM/RLM; line and
// paragraph separators; bidi embeddings and overrides (U+202A–U+202E); word joiner,
// invisible operators, bidi isolates (U+2066–U+2069) and the deprecated format
// characters up to U+206F; BOM; interlinear annotation marks. Any of these can hide
// text or reorder what is around the name. ZWNJ and ZWJ (U+200C/D) stay: Persian
// spelling and emoji sequences need them.
const UNSAFE_CHARACTERS =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g;

// Half a surrogate pair: left by the bounding cut below, or sent as it is.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

// Code units inspected per character kept: room for emoji sequences and combining marks.
const CODE_UNITS_PER_CHARACTER = 8;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Cleans one line of untrusted text: lone surrogates dropped, NFC, the unsafe
 * characters above replaced by a space (never simply deleted, so removing one
 * cannot join the letters around it into something else), white space folded and
 * trimmed, and at most `maxLength` user-perceived characters (grapheme clusters,
 * so a cut never splits an emoji or a combining mark). Anything that is not a
 * string gives ''.
 *
 * A cut text ends in "…", which counts towards `maxLength`. The renderer's old
 * second pass cut silently; the ellipsis is the safer choice because the agent
 * then knows the name is not the whole name, rather than reading a truncated
 * "Dr. Anna Schmidt, Polizei Ber" as complete.
 */
export function sanitizeDisplayText(raw: unknown, maxLength: number = MAX_DISPLAY_NAME_LENGTH): string {
  if (typeof raw !== 'string' || maxLength < 1) return '';
  // Bound the work before normalising: a 10 MB header must not cost 10 MB of regex.
  const limit = maxLength * CODE_UNITS_PER_CHARACTER;
  const bounded = raw.length > limit ? raw.slice(0, limit) : raw;
  const cleaned = bounded
    .replace(LONE_SURROGATE, '')
    .normalize('NFC')
    .replace(UNSAFE_CHARACTERS, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  // Nothing left to show: say nothing, so the number is shown instead of a bare "…".
  if (cleaned === '') return '';
  let count = 0;
  let ellipsisCut = cleaned.length;
  let overflow = false;
  for (const { index } of graphemes.segment(cleaned)) {
    if (count === maxLength - 1) ellipsisCut = index;
    if (count === maxLength) {
      overflow = true;
      break;
    }
    count += 1;
  }
  if (!overflow && bounded.length === raw.length) return cleaned;
  const head = count >= maxLength ? cleaned.slice(0, ellipsisCut) : cleaned;
  return `${head.trimEnd()}…`;
}
