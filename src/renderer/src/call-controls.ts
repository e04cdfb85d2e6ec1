/**
 * What a call panel offers, decided from the call alone (plain code, no React).
 *
 * ```txt
 *  ringing (incoming)   answer · decline
 *  ringing (outgoing)   hang-up
 *  dialing              hang-up
 *  active               hold · transfer · escalate¹ · mute · keypad · hang-up
 *  active (consult leg) mute · keypad · hang-up
 *  held                 resume · transfer · escalate¹ · hang-up
 *  held, consulting     complete-transfer · cancel-transfer · hang-up
 *  transferring         hang-up
 *  ended                nothing
 *  ¹ only when the call policy names a supervisor
 * ```
 * Hold, transfer and escalate never send a command themselves: they open the
 * consent dialog (rule P4 of docs/practice.md).
 */
import type { CallView, TransferView } from '../../shared/contract';

/** Something the agent can do to a call from its panel. */
export type CallAction =
  | 'answer'
  | 'decline'
  | 'hold'
  | 'resume'
  | 'transfer'
  | 'escalate'
  | 'mute'
  | 'keypad'
  | 'complete-transfer'
  | 'cancel-transfer'
  | 'hang-up';

/** What else, besides the call itself, decides which buttons it gets. */
export interface CallActionOptions {
  /** True when the call policy has an escalation target. */
  escalationAvailable?: boolean;
}

/** The buttons a call offers in its current state, in the order they are shown. */
export function callActions(
  call: Pick<CallView, 'state' | 'direction' | 'consultFor' | 'transfer'>,
  options: CallActionOptions = {},
): readonly CallAction[] {
  const escalate: CallAction[] = options.escalationAvailable ? ['escalate'] : [];
  // The consult leg of an attended transfer is a call to a colleague: it is not
  // itself held or transferred, the caller's call is.
  const consultLeg = call.consultFor !== null;
  switch (call.state) {
    case 'ringing':
      // An outgoing call ringing at the far end can only be abandoned.
      return call.direction === 'incoming' ? ['answer', 'decline'] : ['hang-up'];
    case 'dialing':
    case 'transferring':
      return ['hang-up'];
    case 'active':
      if (consultLeg) return ['mute', 'keypad', 'hang-up'];
      return ['hold', 'transfer', ...escalate, 'mute', 'keypad', 'hang-up'];
    case 'held':
      if (call.transfer?.status === 'consulting') {
        return ['complete-transfer', 'cancel-transfer', 'hang-up'];
      }
      if (consultLeg) return ['resume', 'hang-up'];
      return ['resume', 'transfer', ...escalate, 'hang-up'];
    case 'ended':
      return [];
  }
}

/** Why a transfer failed, in words the agent can say to the caller. */
export type TransferFailureReason =
  | 'busy'
  | 'notFound'
  | 'unavailable'
  | 'noAnswer'
  | 'cancelled'
  | 'declined'
  | 'forbidden'
  | 'other';

/** Reads the SIP status of a failed transfer (from the NOTIFY sipfrag or the REFER's answer). */
export function transferFailureReason(statusCode: number | null): TransferFailureReason {
  switch (statusCode) {
    case 486:
    case 600:
      return 'busy';
    case 404:
    case 484:
    case 604:
      return 'notFound';
    case 480:
    case 503:
      return 'unavailable';
    case 408:
      return 'noAnswer';
    case 487:
      return 'cancelled';
    case 603:
      return 'declined';
    case 401:
    case 403:
    case 407:
      return 'forbidden';
    default:
      return 'other';
  }
}

/** True when the held caller's attended transfer may be completed: the consult call is up. */
export function canCompleteTransfer(
  transfer: TransferView | null,
  consult: Pick<CallView, 'state'> | undefined,
): boolean {
  return transfer?.status === 'consulting' && consult?.state === 'active';
}

/**
 * Splits a duration into the parts a clock shows: `0:07`, `12:30`, `1:02:03`.
 * Negative durations (a clock a little behind main's) count as zero.
 */
export function durationParts(ms: number): { hours: number; minutes: number; seconds: number } {
  const total = Math.max(0, Math.floor(ms / 1000));
  return {
    hours: Math.floor(total / 3600),
    minutes: Math.floor((total % 3600) / 60),
    seconds: total % 60,
  };
}

/** Formats a duration as a clock in the agent's language (Persian gets Persian digits). */
export function formatDuration(ms: number, language: string): string {
  const { hours, minutes, seconds } = durationParts(ms);
  const one = new Intl.NumberFormat(language, { useGrouping: false });
  const two = new Intl.NumberFormat(language, { minimumIntegerDigits: 2, useGrouping: false });
  return hours > 0
    ? `${one.format(hours)}:${two.format(minutes)}:${two.format(seconds)}`
    : `${one.format(minutes)}:${two.format(seconds)}`;
}

/** How long the greeting prompt (domain rule P2) stays after the agent answers. */
export const GREETING_PROMPT_MS = 30_000;

/** The call actions that have a single-key shortcut. */
export type CallShortcut = Extract<CallAction, 'answer' | 'hold' | 'hang-up'>;

/** The key of each shortcut, as shown to the agent and in aria-keyshortcuts. */
export const CALL_SHORTCUT_KEYS: Readonly<Record<CallShortcut, string>> = {
  answer: 'A',
  hold: 'H',
  'hang-up': 'U',
};

/**
 * Which call each shortcut acts on: A answers the longest-ringing incoming call,
 * H asks to hold the active call, U hangs up the active call.
 */
export function shortcutTargets(
  calls: readonly CallView[],
  options: CallActionOptions = {},
): Partial<Record<CallShortcut, string>> {
  const targets: Partial<Record<CallShortcut, string>> = {};
  const ringing = calls
    .filter((call) => call.state === 'ringing' && call.direction === 'incoming')
    .sort((a, b) => a.offeredAt - b.offeredAt)[0];
  if (ringing) targets.answer = ringing.id;
  const active = calls.find((call) => call.state === 'active');
  if (active) {
    targets['hang-up'] = active.id;
    if (callActions(active, options).includes('hold')) targets.hold = active.id;
  }
  return targets;
}

/** The DTMF keys of the keypad, in the order a phone shows them. */
export const KEYPAD_TONES = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'] as const;
