/**
 * What the agent may do to a call, decided in one place. Every command guard of the
 * Phone asks `refusalOf` before it does anything, and every call view the phone
 * reports carries `allowedActions` of the same facts, so the renderer offers exactly
 * what the phone accepts.
 *
 * ```txt
 *                      answer decline hangUp hold resume transfer¹ complete cancel mute dtmf reconnect
 *  ringing (incoming)    ²      ✓
 *  dialing                             ✓
 *  active                              ✓     ✓³            ✓³                      ✓    ✓      ✓
 *  held                                ✓           ²       ✓³                                  ✓
 *  held, consulting                    ✓                              ⁴       ✓                ✓
 *  transferring                        ✓
 *  ended                nothing
 *  ¹ and escalate, when the policy names a supervisor
 *  ² not while another call is active: that caller is asked and put on hold first
 *  ³ not on the consult leg of an attended transfer: that is a call to a colleague
 *  ⁴ once the consulted colleague has answered
 * ```
 * A command in flight (`pending`) blocks what would send a second re-INVITE or
 * REFER on the call (RFC 3261 §14.1) and a second answer; hanging up, declining,
 * mute and digits stay possible. A call being declined or hung up allows nothing.
 * Consent (rule P4) is not part of this: hold, transfer and escalate are allowed
 * here and then also need a recorded agreement, checked by the consent gate.
 */
import type { AllowedActions, CallPending, CallView } from '../../shared/contract';
import type { PhoneErrorCode } from '../../shared/result';
import { CallTransitionError, canApply, type CallEvent } from './call-state';

/** A call action, named as in `AllowedActions`. */
export type CallAction = keyof AllowedActions;

/** Every call action, in the order of `AllowedActions`. */
export const CALL_ACTIONS = [
  'answer',
  'decline',
  'hangUp',
  'hold',
  'resume',
  'transfer',
  'escalate',
  'completeTransfer',
  'cancelTransfer',
  'mute',
  'dtmf',
  'reconnectAudio',
] as const satisfies readonly CallAction[];

/** The call's own facts that decide what may be done to it. */
export type CallFacts = Pick<CallView, 'state' | 'direction' | 'consultFor' | 'transfer' | 'pending'>;

/** What else decides it: the call's consult leg, the other calls, the policy. */
export interface CallContext {
  /** The live consult leg of this call's attended transfer, if there is one. */
  consult: Pick<CallView, 'state' | 'pending'> | null;
  /** Another live call is active: the agent is talking to someone else. */
  otherCallActive: boolean;
  /** The call policy names a supervisor to escalate to. */
  supervisorConfigured: boolean;
}

/** Why an action is refused: the IPC error code and what to do instead. */
export interface Refusal {
  code: PhoneErrorCode;
  message: string;
}

/** The refusal of a second call while one is active (answer, resume, dial). */
export const OTHER_CALL_ACTIVE: Readonly<Refusal> = Object.freeze({
  code: 'other-call-active',
  message: 'Another caller is on the line: ask them for permission and put them on hold first.',
});

const ENDED: Readonly<Refusal> = Object.freeze({ code: 'invalid-transition', message: 'The call has already ended.' });

const PENDING_HINTS: Record<CallPending, string> = {
  answer: 'Wait: the call is still being answered.',
  decline: 'The call is already being ended.',
  'hang-up': 'The call is already being ended.',
  hold: 'Wait: the hold of this call is still in progress.',
  resume: 'Wait: the resume of this call is still in progress.',
  transfer: 'Wait: the transfer of this call is still in progress.',
  'reconnect-audio': 'Wait: the audio of this call is still being reconnected.',
};

type Check = Refusal | undefined;

const refuse = (message: string, code: PhoneErrorCode = 'invalid-transition'): Refusal => ({ code, message });

const isEnding = (pending: CallPending | null): boolean => pending === 'decline' || pending === 'hang-up';

/** The state machine's own answer, with its hint (call-state.ts). */
const transition = (call: CallFacts, event: CallEvent): Check =>
  canApply(call.state, event) ? undefined : refuse(new CallTransitionError(call.state, event).message);

const ending = (call: CallFacts): Check => (isEnding(call.pending) ? refuse(PENDING_HINTS[call.pending!]) : undefined);

const busy = (call: CallFacts): Check => (call.pending !== null ? refuse(PENDING_HINTS[call.pending]) : undefined);

const incomingOnly = (call: CallFacts, what: string): Check =>
  call.direction === 'incoming' ? undefined : refuse(`Only incoming calls can be ${what}.`);

const otherCall = (context: CallContext): Check => (context.otherCallActive ? { ...OTHER_CALL_ACTIVE } : undefined);

const consultLeg = (call: CallFacts): Check =>
  call.consultFor === null
    ? undefined
    : refuse(
        "This is the consultation call of a transfer; complete or cancel the transfer on the caller's call instead.",
      );

/** Transfer and escalate start alike: from active or held, one transfer at a time. */
const transferable = (call: CallFacts, context: CallContext): Check =>
  (call.state === 'active' || call.state === 'held' ? undefined : transition(call, 'transfer')) ??
  ending(call) ??
  consultLeg(call) ??
  (context.consult ? refuse('A transfer of this call is already in progress.') : undefined) ??
  busy(call);

const connected = (call: CallFacts, states: readonly CallView['state'][], message: string): Check =>
  states.includes(call.state) ? undefined : refuse(message);

/** Each action's checks, in the order their hints are most useful; the first that fails is the answer. */
const RULES: Record<CallAction, (call: CallFacts, context: CallContext) => Check> = {
  answer: (call, context) =>
    transition(call, 'answer') ?? ending(call) ?? incomingOnly(call, 'answered') ?? busy(call) ?? otherCall(context),
  // Declining wins over an answer still under way, as hanging up wins over a hold.
  decline: (call) => transition(call, 'decline') ?? ending(call) ?? incomingOnly(call, 'declined'),
  hangUp: (call) => transition(call, 'hang-up') ?? ending(call),
  hold: (call) => transition(call, 'hold') ?? ending(call) ?? consultLeg(call) ?? busy(call),
  resume: (call, context) =>
    transition(call, 'resume') ??
    ending(call) ??
    (context.consult ? refuse('Complete or cancel the transfer first.') : undefined) ??
    busy(call) ??
    otherCall(context),
  transfer: transferable,
  escalate: (call, context) =>
    (context.supervisorConfigured
      ? undefined
      : refuse('No supervisor is configured for escalation; set one in the settings.', 'no-escalation-target')) ??
    transferable(call, context),
  completeTransfer: (call, context) =>
    (context.consult?.state === 'active' && !isEnding(context.consult.pending)
      ? undefined
      : refuse('Wait until the transfer target has answered, or cancel the transfer.')) ??
    transition(call, 'transfer') ??
    ending(call) ??
    busy(call),
  cancelTransfer: (call, context) =>
    (context.consult && call.state === 'held'
      ? undefined
      : refuse('There is no consultation to cancel on this call.')) ?? ending(call),
  mute: (call) =>
    connected(
      call,
      ['active'],
      call.state === 'ringing' || call.state === 'dialing'
        ? 'Mute applies once the call is connected.'
        : 'Mute applies to the call you are talking on.',
    ) ?? ending(call),
  dtmf: (call) => connected(call, ['active'], 'Digits can only be sent on an active call.') ?? ending(call),
  reconnectAudio: (call) =>
    connected(call, ['active', 'held'], 'Only a connected call can reconnect its audio.') ?? ending(call) ?? busy(call),
};

/** Why `action` is refused on the call now, or null when it is allowed. */
export function refusalOf(action: CallAction, call: CallFacts, context: CallContext): Refusal | null {
  if (call.state === 'ended') return { ...ENDED };
  return RULES[action](call, context) ?? null;
}

/** Every action's verdict at once, for the call view. */
export function allowedActions(call: CallFacts, context: CallContext): AllowedActions {
  const allowed = {} as AllowedActions;
  for (const action of CALL_ACTIONS) allowed[action] = refusalOf(action, call, context) === null;
  return allowed;
}
