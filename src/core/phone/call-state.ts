/**
 * The call state machine. Every change of a call's state goes through
 * `nextCallState`, which refuses impossible moves with a typed error that says what
 * to do instead.
 *
 * ```txt
 *  incoming:  ringing ──answer──▶ active ──hold──▶ held ──transfer──▶ transferring ──transfer-succeeded──▶ ended
 *               │                   ▲               │  ▲                  │
 *               │                   └────resume─────┘  └─transfer-failed──┘
 *               └─decline / caller-cancelled / failed ─▶ ended
 *  outgoing:  dialing ──remote-answered──▶ active …
 *               └─hang-up (CANCEL) / remote-rejected / failed ─▶ ended
 *  any live call ──hang-up / remote-hangup / failed──▶ ended
 *  any live call ──media-failed / connection-lost / session-expired / protocol-error──▶ ended
 * ```
 * A transfer always starts from held: the caller is on hold (with their consent)
 * while the transfer is tried, and a failed transfer leaves them on hold, from
 * where the agent resumes. Remote hold and mute are flags, not states.
 */
import type { CallEndReason, CallState } from '../../shared/contract';

/** Something that happens to a call: an agent command or news from the network. */
export type CallEvent =
  | 'answer'
  | 'decline'
  | 'hang-up'
  | 'hold'
  | 'resume'
  | 'transfer'
  | 'transfer-failed'
  | 'transfer-succeeded'
  | 'remote-answered'
  | 'remote-rejected'
  | 'remote-hangup'
  | 'caller-cancelled'
  | 'failed'
  | NetworkEnding;

/** Ends with a network cause, each recorded as such (docs/sipjs-pitfalls.md#s28). */
export type NetworkEnding = 'media-failed' | 'connection-lost' | 'session-expired' | 'protocol-error';

const NETWORK_ENDINGS = {
  'media-failed': 'ended',
  'connection-lost': 'ended',
  'session-expired': 'ended',
  'protocol-error': 'ended',
} as const;

const ENDINGS = { 'hang-up': 'ended', 'remote-hangup': 'ended', failed: 'ended', ...NETWORK_ENDINGS } as const;

const TRANSITIONS: Record<CallState, Partial<Record<CallEvent, CallState>>> = {
  ringing: { answer: 'active', decline: 'ended', 'caller-cancelled': 'ended', failed: 'ended', ...NETWORK_ENDINGS },
  dialing: {
    'remote-answered': 'active',
    'hang-up': 'ended',
    'remote-rejected': 'ended',
    failed: 'ended',
    ...NETWORK_ENDINGS,
  },
  active: { hold: 'held', ...ENDINGS },
  held: { resume: 'active', transfer: 'transferring', ...ENDINGS },
  transferring: { 'transfer-succeeded': 'ended', 'transfer-failed': 'held', ...ENDINGS },
  ended: {},
};

/** Why the call ended, for each event that ends one. */
export const END_REASON: Partial<Record<CallEvent, CallEndReason>> = {
  decline: 'declined',
  'caller-cancelled': 'caller-cancelled',
  'hang-up': 'local-hangup',
  'remote-hangup': 'remote-hangup',
  'remote-rejected': 'rejected',
  'transfer-succeeded': 'transferred',
  failed: 'failed',
  'media-failed': 'media-failed',
  'connection-lost': 'connection-lost',
  'session-expired': 'session-expired',
  'protocol-error': 'protocol-error',
};

/** Who ended the call, for each event that ends one. */
export const ENDED_BY: Partial<Record<CallEvent, 'agent' | 'remote' | 'system'>> = {
  decline: 'agent',
  'hang-up': 'agent',
  'transfer-succeeded': 'agent',
  'caller-cancelled': 'remote',
  'remote-hangup': 'remote',
  'remote-rejected': 'remote',
  failed: 'system',
  'media-failed': 'system',
  'connection-lost': 'system',
  'session-expired': 'system',
  'protocol-error': 'system',
};

const HINTS: Partial<Record<`${CallState}:${CallEvent}`, string>> = {
  'active:answer': 'The call is already answered.',
  'active:decline': 'The call is already answered; hang up to end it.',
  'active:resume': 'The call is not on hold.',
  'ringing:hang-up': 'The call is still ringing; decline it instead.',
  'ringing:hold': 'Answer the call before holding it.',
  'held:hold': 'The call is already on hold.',
  'transferring:hold': 'The call is being transferred.',
  'transferring:resume': 'Wait for the transfer to finish or fail.',
  'dialing:answer': 'This is an outgoing call; wait for the other side to answer, or hang up.',
  'dialing:decline': 'This is an outgoing call; hang up to cancel it.',
  'dialing:hold': 'Wait until the call is answered.',
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
