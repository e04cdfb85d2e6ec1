/**
 * How a call panel presents its buttons (plain code, no React). Which actions a call
 * allows is not decided here: the core sends it with every call (`call.allowed`,
 * from src/core/phone/allowed-actions.ts) and refuses everything else. This module
 * only orders the buttons, keeps Complete transfer in view beside Cancel transfer,
 * and keeps buttons steady while the core carries out a command.
 *
 * Hold, transfer and escalate never send a command themselves: they open the
 * consent dialog (rule P4 of docs/practice.md).
 */
import type { AllowedActions, CallView } from '../../shared/contract';

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

/** A button of a call panel: its action, and whether the core allows it now. */
export interface CallButton {
  action: CallAction;
  enabled: boolean;
}

/** Every button in the order a panel shows them, with the flag of `call.allowed` that offers it. */
const BUTTONS: readonly (readonly [CallAction, keyof AllowedActions])[] = [
  ['answer', 'answer'],
  ['decline', 'decline'],
  ['complete-transfer', 'completeTransfer'],
  ['cancel-transfer', 'cancelTransfer'],
  ['resume', 'resume'],
  ['hold', 'hold'],
  ['transfer', 'transfer'],
  ['escalate', 'escalate'],
  ['mute', 'mute'],
  ['keypad', 'dtmf'],
  ['hang-up', 'hangUp'],
];

/**
 * The buttons a call offers now: one for each allowed action. Complete transfer
 * also shows, disabled, while the consultation can be cancelled but the colleague
 * has not answered yet, so the agent sees what comes next.
 */
export function callButtons(call: Pick<CallView, 'allowed'>): CallButton[] {
  const buttons: CallButton[] = [];
  for (const [action, flag] of BUTTONS) {
    const enabled = call.allowed[flag];
    const shown = enabled || (action === 'complete-transfer' && call.allowed.cancelTransfer);
    if (shown) buttons.push({ action, enabled });
  }
  return buttons;
}

/** The buttons a panel showed last, and for which call state. */
export interface ShownButtons {
  state: CallView['state'];
  buttons: readonly CallButton[];
}

/**
 * The buttons to show, given those shown before. While the core carries out a
 * command on the call (`pending`) and the call is still in the same state, no
 * button disappears: the ones no longer allowed stay, disabled, so the layout does
 * not jump and focus is not lost (the consent dialog hands focus back to Hold while
 * the hold is still under way). Otherwise the call's buttons now.
 */
export function steadyButtons(
  shown: ShownButtons,
  call: Pick<CallView, 'allowed' | 'pending' | 'state'>,
): CallButton[] {
  const now = callButtons(call);
  if (call.pending === null || call.state !== shown.state) return now;
  const kept = new Set([...shown.buttons, ...now].map((button) => button.action));
  return BUTTONS.filter(([action]) => kept.has(action)).map(([action]) => ({
    action,
    enabled: now.some((button) => button.action === action && button.enabled),
  }));
}

/** Why a transfer failed, in words the agent can say to the caller. */
export type TransferFailureReason =
  'busy' | 'notFound' | 'unavailable' | 'noAnswer' | 'cancelled' | 'declined' | 'forbidden' | 'other';

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
export type CallShortcut = Extract<CallAction, 'answer' | 'hold' | 'resume' | 'hang-up'>;

/** The key of each shortcut, as shown to the agent and in aria-keyshortcuts. */
export const CALL_SHORTCUT_KEYS: Readonly<Record<CallShortcut, string>> = {
  answer: 'A',
  hold: 'H',
  resume: 'R',
  'hang-up': 'U',
};

/** The key that finishes the open wrap-up (outside text fields, like every shortcut). */
export const FINISH_WRAP_UP_KEY = 'F';

/** The key that opens the list of shortcuts. */
export const SHORTCUT_SHEET_KEY = '?';

/**
 * Which call each shortcut acts on: A answers the longest-ringing incoming call,
 * H asks to hold the active call, R resumes the call on hold (the one held
 * longest when there are several), U hangs up the active call; each only when the
 * core allows it on that call.
 */
export function shortcutTargets(calls: readonly CallView[]): Partial<Record<CallShortcut, string>> {
  const targets: Partial<Record<CallShortcut, string>> = {};
  const ringing = calls
    .filter((call) => call.state === 'ringing' && call.direction === 'incoming' && call.allowed.answer)
    .sort((a, b) => a.offeredAt - b.offeredAt)[0];
  if (ringing) targets.answer = ringing.id;
  const active = calls.find((call) => call.state === 'active');
  if (active?.allowed.hangUp) targets['hang-up'] = active.id;
  if (active?.allowed.hold) targets.hold = active.id;
  const held = calls.find((call) => call.state === 'held' && call.allowed.resume);
  if (held) targets.resume = held.id;
  return targets;
}

/** The DTMF keys of the keypad, in the order a phone shows them. */
export const KEYPAD_TONES = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'] as const;
