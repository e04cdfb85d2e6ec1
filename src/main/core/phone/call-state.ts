/**
 * The call state machine. Every change of a call's state goes through
 * `nextCallState`, which refuses impossible moves with a typed error that says what
 * to do instead.
 *
 * ```txt
 *  incoming:  ringing ──answer──────────────▶ active ──hang-up──────▶ ended
 *               │                               └──remote-hangup───▶ ended
 *               └──decline / caller-cancelled / failed ────────────▶ ended
 *  outgoing:  dialing ──remote-answered─────▶ active
 *               └──hang-up (CANCEL) / remote-rejected / failed ────▶ ended
 * ```
 * Hold, transfer and consent extend this table; they never bypass it.
 */
import type { CallEndReason, CallState } from '../../../shared/contract';

/** Something that happens to a call: an agent command or news from the network. */
export type CallEvent =
  | 'answer'
  | 'decline'
  | 'hang-up'
  | 'remote-answered'
  | 'remote-rejected'
  | 'remote-hangup'
  | 'caller-cancelled'
  | 'failed';

const TRANSITIONS: Record<CallState, Partial<Record<CallEvent, CallState>>> = {
  ringing: { answer: 'active', decline: 'ended', 'caller-cancelled': 'ended', failed: 'ended' },
  dialing: {
    'remote-answered': 'active',
    'hang-up': 'ended',
    'remote-rejected': 'ended',
    failed: 'ended',
  },
  active: { 'hang-up': 'ended', 'remote-hangup': 'ended', failed: 'ended' },
  ended: {},
};

/** Why the call ended, for each event that ends one. */
export const END_REASON: Partial<Record<CallEvent, CallEndReason>> = {
  decline: 'declined',
  'caller-cancelled': 'caller-cancelled',
  'hang-up': 'local-hangup',
  'remote-hangup': 'remote-hangup',
  'remote-rejected': 'failed',
  failed: 'failed',
};

const HINTS: Partial<Record<`${CallState}:${CallEvent}`, string>> = {
  'active:answer': 'The call is already answered.',
  'active:decline': 'The call is already answered; hang up to end it.',
  'ringing:hang-up': 'The call is still ringing; decline it instead.',
  'dialing:answer': 'This is an outgoing call; wait for the other side to answer, or hang up.',
  'dialing:decline': 'This is an outgoing call; hang up to cancel it.',
};

/** A refused state change; `code` matches the IPC error code. */
export class CallTransitionError extends Error {
  override name = 'CallTransitionError';
  readonly code = 'invalid-transition' as const;
  constructor(
    readonly from: CallState,
    readonly event: CallEvent,
  ) {
    const hint = from === 'ended' ? 'The call has already ended.' : (HINTS[`${from}:${event}`] ?? '');
    super(`Cannot ${event} a call that is ${from}. ${hint}`.trim());
  }
}

/** The state after `event`, or a CallTransitionError when the move is impossible. */
export function nextCallState(from: CallState, event: CallEvent): CallState {
  const next = TRANSITIONS[from][event];
  if (next === undefined) throw new CallTransitionError(from, event);
  return next;
}

/** True when `event` is allowed in state `from` (for guards that must not throw). */
export function canApply(from: CallState, event: CallEvent): boolean {
  return TRANSITIONS[from][event] !== undefined;
}
