/**
 * The call commands: answer, decline, dial, hold, transfer, DTMF and the rest, each
 * passed to the running phone. Every refusal is the phone's own PhoneError.
 */
import type { PhoneState } from '../../shared/contract';
import type { CommandHandler, CommandHandlers } from '../command-router';
import type { Phone } from '../phone/phone';

/** The channels these handlers answer. */
export type CallCommand =
  | 'phone:get-state'
  | 'call:answer'
  | 'call:decline'
  | 'call:hang-up'
  | 'call:dial'
  | 'call:record-consent'
  | 'call:hold'
  | 'call:resume'
  | 'call:transfer'
  | 'call:complete-transfer'
  | 'call:cancel-transfer'
  | 'call:escalate'
  | 'call:send-dtmf'
  | 'call:set-mute'
  | 'call:reconnect-audio';

/** The part of the phone the call commands drive. */
export type CallControls = Pick<
  Phone,
  | 'answer'
  | 'decline'
  | 'hangUp'
  | 'dial'
  | 'recordConsent'
  | 'hold'
  | 'resume'
  | 'transfer'
  | 'completeTransfer'
  | 'cancelTransfer'
  | 'escalate'
  | 'sendDtmf'
  | 'setMute'
  | 'reconnectAudio'
>;

/** What the call handlers need. */
export interface CallHandlerDeps {
  /** The running phone; throws PhoneError('not-configured') while no account is saved. */
  requirePhone(): CallControls;
  /** The phone state now (unconfigured without a phone). */
  phoneState(): PhoneState;
}

/** Builds the handlers of the call commands. */
export function createCallHandlers({ requirePhone, phoneState }: CallHandlerDeps): Pick<CommandHandlers, CallCommand> {
  const handleGetState: CommandHandler<'phone:get-state'> = () => phoneState();
  const handleAnswer: CommandHandler<'call:answer'> = ({ callId }) => requirePhone().answer(callId);
  const handleDecline: CommandHandler<'call:decline'> = ({ callId, response }) =>
    requirePhone().decline(callId, response);
  const handleHangUp: CommandHandler<'call:hang-up'> = ({ callId }) => requirePhone().hangUp(callId);
  const handleDial: CommandHandler<'call:dial'> = ({ target }) => ({ callId: requirePhone().dial(target) });
  const handleRecordConsent: CommandHandler<'call:record-consent'> = ({ callId, action, answer }) =>
    requirePhone().recordConsent(callId, action, answer);
  const handleHold: CommandHandler<'call:hold'> = ({ callId, consentId }) => requirePhone().hold(callId, consentId);
  const handleResume: CommandHandler<'call:resume'> = ({ callId }) => requirePhone().resume(callId);
  const handleTransfer: CommandHandler<'call:transfer'> = ({ callId, consentId, target, mode }) =>
    requirePhone().transfer(callId, consentId, target, mode);
  const handleCompleteTransfer: CommandHandler<'call:complete-transfer'> = ({ callId }) =>
    requirePhone().completeTransfer(callId);
  const handleCancelTransfer: CommandHandler<'call:cancel-transfer'> = ({ callId }) =>
    requirePhone().cancelTransfer(callId);
  const handleEscalate: CommandHandler<'call:escalate'> = ({ callId, consentId }) =>
    requirePhone().escalate(callId, consentId);
  const handleSendDtmf: CommandHandler<'call:send-dtmf'> = ({ callId, tones }) =>
    requirePhone().sendDtmf(callId, tones);
  const handleSetMute: CommandHandler<'call:set-mute'> = ({ callId, muted }) => requirePhone().setMute(callId, muted);
  const handleReconnectAudio: CommandHandler<'call:reconnect-audio'> = ({ callId }) =>
    requirePhone().reconnectAudio(callId);
  return {
    'phone:get-state': handleGetState,
    'call:answer': handleAnswer,
    'call:decline': handleDecline,
    'call:hang-up': handleHangUp,
    'call:dial': handleDial,
    'call:record-consent': handleRecordConsent,
    'call:hold': handleHold,
    'call:resume': handleResume,
    'call:transfer': handleTransfer,
    'call:complete-transfer': handleCompleteTransfer,
    'call:cancel-transfer': handleCancelTransfer,
    'call:escalate': handleEscalate,
    'call:send-dtmf': handleSendDtmf,
    'call:set-mute': handleSetMute,
    'call:reconnect-audio': handleReconnectAudio,
  };
}
