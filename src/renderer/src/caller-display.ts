/**
 * How a peer's name and number are prepared for display.
 *
 * The core already sanitises `CallView.remoteName`; running the same
 * sanitizeDisplayText again here is the renderer's second line of defence, in case
 * a bug or a future host lets a raw SIP display name through. It never produces
 * markup: the result is only ever rendered as React text.
 */
import type { CallView } from '../../shared/contract';
import { sanitizeDisplayText } from '../../shared/display-text';

/** What the agent sees of the peer of a call. */
export interface CallerDisplay {
  /** The name, or the number when the peer sent no name; empty when both are empty. */
  primary: string;
  /** The number when it is shown under the name; empty otherwise. */
  secondary: string;
}

/** Chooses the caller's name and number to show: the name if there is one, else the number. */
export function callerDisplay(call: Pick<CallView, 'remoteName' | 'remoteNumber'>): CallerDisplay {
  const name = sanitizeDisplayText(call.remoteName);
  const number = sanitizeDisplayText(call.remoteNumber);
  if (name === '') return { primary: number, secondary: '' };
  return { primary: name, secondary: number === name ? '' : number };
}

/**
 * The i18n key to show when there is no name or number: a caller who withheld their
 * identity (`Privacy: id`) is "Withheld number", anyone else "Unknown caller".
 */
export function noCallerKey(call: Pick<CallView, 'withheld'>): 'calls.withheldNumber' | 'calls.unknownCaller' {
  return call.withheld ? 'calls.withheldNumber' : 'calls.unknownCaller';
}
