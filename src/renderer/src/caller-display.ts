/**
 * How a peer's name and number are prepared for display.
 *
 * The core already sanitises `CallView.remoteName`; this is the renderer's second
 * line of defence, in case a bug or a future host lets a raw SIP display name
 * through. It never produces markup: the result is only ever rendered as React text.
 */
import { MAX_DISPLAY_NAME_LENGTH, type CallView } from '../../shared/contract';

// Only a bounded prefix is ever inspected, so a megabyte-long name costs no more
// than a short one. Eight code units per character leaves room for emoji and
// combining marks.
const MAX_CODE_UNITS = MAX_DISPLAY_NAME_LENGTH * 8;

// C0/C1 controls and the bidi embeddings, overrides and isolates (U+202A–U+202E,
// U+2066–U+2069), which could reorder the text around the name. Zero-width
// (non-)joiners stay: Persian spelling and emoji sequences need them.
const UNSAFE_CHARACTERS = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/gu;

// A surrogate left alone by the prefix cut above.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Makes untrusted peer text safe and short enough to show: strips control and bidi
 * override characters, collapses whitespace and keeps at most `maxLength`
 * user-perceived characters (grapheme clusters).
 */
export function capDisplayText(raw: string, maxLength = MAX_DISPLAY_NAME_LENGTH): string {
  const cleaned = raw
    .slice(0, MAX_CODE_UNITS)
    .replace(LONE_SURROGATE, '')
    .replace(UNSAFE_CHARACTERS, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
  let result = '';
  let count = 0;
  for (const { segment } of graphemes.segment(cleaned)) {
    if (count === maxLength) break;
    result += segment;
    count += 1;
  }
  return result.trimEnd();
}

/** What the agent sees of the peer of a call. */
export interface CallerDisplay {
  /** The name, or the number when the peer sent no name; empty when both are empty. */
  primary: string;
  /** The number when it is shown under the name; empty otherwise. */
  secondary: string;
}

/** Chooses the caller's name and number to show: the name if there is one, else the number. */
export function callerDisplay(call: Pick<CallView, 'remoteName' | 'remoteNumber'>): CallerDisplay {
  const name = capDisplayText(call.remoteName);
  const number = capDisplayText(call.remoteNumber);
  if (name === '') return { primary: number, secondary: '' };
  return { primary: name, secondary: number === name ? '' : number };
}
