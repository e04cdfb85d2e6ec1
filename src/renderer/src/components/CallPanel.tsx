import { useId, useState, type MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { CalmlineApi } from '../../../shared/api';
import type { CallView, ConsentAction } from '../../../shared/contract';
import {
  CALL_SHORTCUT_KEYS,
  steadyButtons,
  type CallAction,
  type CallShortcut,
  type ShownButtons,
} from '../call-controls';
import { callerDisplay, noCallerKey } from '../caller-display';
import { useCommand } from '../hooks/use-command';
import { CallerIdentity } from './CallerIdentity';
import { CommandErrorAlert } from './CommandErrorAlert';
import { GreetingPrompt } from './GreetingPrompt';
import { Keypad } from './Keypad';
import { MediaProblemAlert } from './MediaProblemAlert';
import { RingTimer } from './RingTimer';
import { TransferStatus } from './TransferStatus';

/** The commands a call panel sends itself (hold, transfer, escalate go through consent). */
export type CallPanelApi = Pick<
  CalmlineApi,
  | 'answer'
  | 'decline'
  | 'hangUp'
  | 'resume'
  | 'completeTransfer'
  | 'cancelTransfer'
  | 'sendDtmf'
  | 'setMute'
  | 'reconnectAudio'
>;

/** Props of {@link CallPanel}. */
export interface CallPanelProps {
  call: CallView;
  api: CallPanelApi;
  /** The consult leg of this call's attended transfer, while there is one. */
  consult?: CallView;
  /** For a consult leg: the name of the caller being transferred. */
  consultForCaller?: string;
  /** The keyboard shortcuts that act on this call (shown in titles and aria-keyshortcuts). */
  shortcuts?: readonly CallShortcut[];
  /** A visible note about this call, e.g. that the caller declined to be held. */
  note?: string;
  /** Set once the call has passed the policy's call-length limit (D2, docs/practice.md), in minutes. */
  lengthHintMinutes?: number;
  /** Opens the permission prompt; `opener` gets focus back when it closes. */
  onAskConsent?(action: ConsentAction, opener: HTMLElement): void;
  /** Lets the call list find this panel's buttons (for shortcuts and focus). */
  registerButton?(action: CallAction, element: HTMLButtonElement | null): void;
  /**
   * A ringing call waiting in the strip below the live call: one compact row with
   * the caller, a flag badge, the ring time, Answer and Decline.
   */
  /** The greeting the policy configures (P2), in the agent's language with their name; default: the built-in one. */
  greeting?: string;
  waiting?: {
    /** How many open flags the caller has (0: no badge). */
    flags: number;
    /** Another caller is live and unheld: Answer first asks that caller to be held (P4). */
    answerNeedsHold: boolean;
    /** Opens the hold consent for the live caller, then answers this call. */
    onAnswerWithHold(opener: HTMLElement): void;
  };
}

const labelKeys = {
  answer: ['calls.answer', 'calls.answerLabel'],
  decline: ['calls.decline', 'calls.declineLabel'],
  hold: ['calls.hold', 'calls.holdLabel'],
  resume: ['calls.resume', 'calls.resumeLabel'],
  transfer: ['calls.transfer', 'calls.transferLabel'],
  escalate: ['calls.escalate', 'calls.escalateLabel'],
  mute: ['calls.mute', 'calls.muteLabel'],
  keypad: ['calls.keypad', 'calls.keypadLabel'],
  'complete-transfer': ['calls.completeTransfer', 'calls.completeTransferLabel'],
  'cancel-transfer': ['calls.cancelTransfer', 'calls.cancelTransferLabel'],
  'hang-up': ['calls.hangUp', 'calls.hangUpLabel'],
} as const satisfies Record<CallAction, readonly [string, string]>;

const buttonClass: Record<CallAction, string> = {
  answer: 'button button-answer',
  decline: 'button button-end',
  hold: 'button button-secondary',
  resume: 'button button-primary',
  transfer: 'button button-secondary',
  escalate: 'button button-secondary',
  mute: 'button button-secondary button-toggle',
  keypad: 'button button-secondary button-toggle',
  'complete-transfer': 'button button-primary',
  'cancel-transfer': 'button button-secondary',
  'hang-up': 'button button-end',
};

// Hold and Resume share one button element, so focus stays on it when the call
// goes on hold (the consent dialog hands focus back to it) and comes back.
const slotOf = (action: CallAction): string => (action === 'hold' || action === 'resume' ? 'hold-resume' : action);

const isShortcut = (action: CallAction): action is CallShortcut => Object.hasOwn(CALL_SHORTCUT_KEYS, action);

/**
 * One call as the agent sees it: who is calling, what the call is doing, prompts
 * for what to say, and the buttons for it: those the core allows (`call.allowed`).
 * Buttons show a short verb; their accessible name says whose call it is, so a
 * screen reader user with two calls knows which one they act on.
 */
export function CallPanel({
  call,
  api,
  consult,
  consultForCaller,
  shortcuts = [],
  note,
  lengthHintMinutes,
  onAskConsent,
  registerButton,
  waiting,
  greeting,
}: CallPanelProps) {
  const { t, i18n } = useTranslation();
  const language = i18n.resolvedLanguage ?? i18n.language;
  const command = useCommand();
  const keypadId = useId();
  const hintId = useId();
  const showHint = lengthHintMinutes !== undefined && (call.state === 'active' || call.state === 'held');
  const [keypadOpen, setKeypadOpen] = useState(false);
  const display = callerDisplay(call);
  const caller = display.primary || t(noCallerKey(call));
  // The buttons shown last, so none vanishes while the core carries out a command.
  const [shown, setShown] = useState<ShownButtons>(() => ({ state: call.state, buttons: [] }));
  const buttons = steadyButtons(shown, call);
  const signature = `${call.state}|${buttons.map((button) => `${button.action}:${button.enabled}`).join(',')}`;
  const shownSignature = `${shown.state}|${shown.buttons.map((button) => `${button.action}:${button.enabled}`).join(',')}`;
  if (signature !== shownSignature) setShown({ state: call.state, buttons });
  const showKeypad = keypadOpen && call.allowed.dtmf;

  const act = (action: CallAction, event: MouseEvent<HTMLButtonElement>) => {
    switch (action) {
      case 'answer':
        if (!call.allowed.answer && waiting?.answerNeedsHold) return waiting.onAnswerWithHold(event.currentTarget);
        return command.run(() => api.answer(call.id));
      case 'decline':
        return command.run(() => api.decline(call.id));
      case 'hang-up':
        return command.run(() => api.hangUp(call.id));
      case 'resume':
        return command.run(() => api.resume(call.id));
      case 'complete-transfer':
        return command.run(() => api.completeTransfer(call.id));
      case 'cancel-transfer':
        return command.run(() => api.cancelTransfer(call.id));
      case 'mute':
        return command.run(() => api.setMute(call.id, !call.muted));
      case 'keypad':
        return setKeypadOpen((open) => !open);
      case 'hold':
      case 'transfer':
      case 'escalate':
        // Never sent from here: the caller is asked first (rule P4).
        return onAskConsent?.(action, event.currentTarget);
    }
  };

  const renderButton = ({ action, enabled }: { action: CallAction; enabled: boolean }) => {
    const [textKey, labelKey] = labelKeys[action];
    const text = t(textKey);
    const shortcut = isShortcut(action) && shortcuts.includes(action) ? CALL_SHORTCUT_KEYS[action] : undefined;
    return (
      <button
        key={slotOf(action)}
        ref={(element) => registerButton?.(action, element)}
        type="button"
        className={action === 'escalate' && showHint ? `${buttonClass[action]} button-highlight` : buttonClass[action]}
        data-action={action}
        aria-describedby={action === 'escalate' && showHint ? hintId : undefined}
        aria-label={t(labelKey, { caller })}
        aria-keyshortcuts={shortcut}
        title={shortcut ? t('calls.withShortcut', { action: text, key: shortcut }) : undefined}
        aria-pressed={action === 'mute' ? call.muted : undefined}
        aria-expanded={action === 'keypad' ? showKeypad : undefined}
        aria-controls={action === 'keypad' && showKeypad ? keypadId : undefined}
        disabled={!enabled}
        onClick={(event) => act(action, event)}
      >
        {text}
      </button>
    );
  };

  if (waiting) {
    const waitingButtons = [
      { action: 'answer' as const, enabled: call.allowed.answer || waiting.answerNeedsHold },
      { action: 'decline' as const, enabled: call.allowed.decline },
    ];
    return (
      <li className="waiting-item">
        <section
          className="call-panel call-panel-ringing call-panel-waiting"
          data-testid={`call-${call.id}`}
          data-state={call.state}
          data-direction={call.direction}
          aria-label={t('calls.region', { caller })}
        >
          <CallerIdentity display={display} unknownLabel={caller} />
          {waiting.flags > 0 && (
            <span className="waiting-flags" data-testid="waiting-flags">
              {t('calls.waitingFlags', {
                count: waiting.flags,
                number: new Intl.NumberFormat(language).format(waiting.flags),
              })}
            </span>
          )}
          <RingTimer offeredAt={call.offeredAt} />
          <div className="call-actions waiting-actions">{waitingButtons.map(renderButton)}</div>
          {waiting.answerNeedsHold && !call.allowed.answer && (
            <p className="visually-hidden">{t('calls.answerHoldsFirst')}</p>
          )}
          {command.error !== null && <CommandErrorAlert code={command.error} />}
        </section>
      </li>
    );
  }

  return (
    <section
      className={`call-panel call-panel-${call.state}`}
      data-testid={`call-${call.id}`}
      data-state={call.state}
      data-direction={call.direction}
      aria-label={t('calls.region', { caller })}
    >
      <CallerIdentity display={display} unknownLabel={caller} />
      {call.consultFor !== null && consultForCaller !== undefined && (
        <p className="call-context">{t('calls.consultLeg', { caller: consultForCaller })}</p>
      )}
      {call.state === 'ringing' && call.direction === 'incoming' ? (
        <RingTimer offeredAt={call.offeredAt} />
      ) : (
        <p className="call-state" data-testid="call-state">
          {t(`calls.state.${call.state}`)}
        </p>
      )}
      {/* The buttons come right after who and what, so prompts and alerts that come
          and go below never move them. */}
      {buttons.length > 0 && <div className="call-actions">{buttons.map(renderButton)}</div>}
      {call.state === 'active' &&
        call.direction === 'incoming' &&
        call.consultFor === null &&
        call.answeredAt !== null && <GreetingPrompt answeredAt={call.answeredAt} text={greeting} />}
      {call.remoteHold && call.state !== 'ended' && (
        <p className="call-flag" data-testid="remote-hold">
          {t('calls.remoteHold')}
        </p>
      )}
      {call.muted && call.state === 'active' && (
        <p className="call-flag" data-testid="muted">
          {t('calls.muted')}
        </p>
      )}
      {call.mediaProblem !== null && (call.state === 'active' || call.state === 'held') && (
        <MediaProblemAlert
          callId={call.id}
          problem={call.mediaProblem}
          caller={caller}
          canReconnect={call.allowed.reconnectAudio}
          api={api}
        />
      )}
      <TransferStatus call={call} consult={consult} />
      {note !== undefined && note !== '' && (
        <p className="call-note" data-testid="call-note">
          {note}
        </p>
      )}
      {showHint && (
        <p className="call-prompt call-length-hint" id={hintId} data-testid="call-length-hint">
          {t('hint.callLength', { minutes: lengthHintMinutes })}
        </p>
      )}
      {showKeypad && <Keypad id={keypadId} callId={call.id} caller={caller} api={api} />}
      {command.error !== null && <CommandErrorAlert code={command.error} />}
    </section>
  );
}
