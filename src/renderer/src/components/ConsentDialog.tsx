import { useId, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import { Trans, useTranslation } from 'react-i18next';
import type { CalmlineApi } from '../../../shared/api';
import { dialTargetSchema, type CallPolicy, type CallView, type ConsentAction } from '../../../shared/contract';
import type { CommandErrorCode, Result } from '../../../shared/result';
import { useModalFocus } from '../hooks/use-modal-focus';
import { CommandErrorAlert } from './CommandErrorAlert';
import { TextField } from './TextField';

/** How the dialog ended: what the caller answered, or that the agent cancelled. */
export type ConsentOutcome = 'agreed' | 'declined' | 'cancelled';

/** The commands the dialog sends. */
export type ConsentDialogApi = Pick<CalmlineApi, 'recordConsent' | 'hold' | 'transfer' | 'escalate'>;

/** Props of {@link ConsentDialog}. */
export interface ConsentDialogProps {
  /** The call the agent wants to hold, transfer or escalate. */
  call: CallView;
  /** The caller's name as the panel shows it. */
  caller: string;
  action: ConsentAction;
  /** For escalation: who the supervisor is and how the call is handed over. */
  policy: CallPolicy | null;
  api: ConsentDialogApi;
  /** Called once the answer was acted on, or when the agent cancels. */
  onClose(outcome: ConsentOutcome): void;
  /** Where focus goes back when the dialog closes: the button that opened it. */
  restoreFocus(): HTMLElement | null;
}

type Failure = { lead: string; code: CommandErrorCode };

const asInternal = (): Result<never> => ({
  ok: false,
  error: { code: 'internal', message: 'the host failed' },
});

/**
 * The mandatory permission prompt (rules P4 and P3 of docs/practice.md). Hold, transfer and
 * escalate never go out directly: this modal tells the agent what to ask, nudges
 * them to solve it without, and records the caller's answer.
 *
 * - Caller agreed: records "agreed", then sends the command with that consent's id.
 * - Caller declined: records "declined" and sends nothing else.
 * - Cancel (or Escape): records nothing.
 *
 * Focus stays inside while it is open and returns to the opening button after.
 */
export function ConsentDialog({ call, caller, action, policy, api, onClose, restoreFocus }: ConsentDialogProps) {
  const { t } = useTranslation();
  const titleId = useId();
  const askId = useId();
  const modeName = useId();
  const dialogRef = useRef<HTMLDivElement>(null);
  const targetRef = useRef<HTMLInputElement | null>(null);
  const busyRef = useRef(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [target, setTarget] = useState('');
  const [mode, setMode] = useState<'blind' | 'attended'>('attended');
  const [targetTouched, setTargetTouched] = useState(false);

  const parsedTarget = dialTargetSchema.safeParse(target);
  const targetError = action === 'transfer' && targetTouched && !parsedTarget.success ? t('dial.invalid') : undefined;

  // Set once the dialog has said how it ended, so a late answer cannot end it twice.
  const closedRef = useRef(false);
  const close = (outcome: ConsentOutcome) => {
    if (closedRef.current) return;
    closedRef.current = true;
    onClose(outcome);
  };
  const cancel = () => close('cancelled');

  useModalFocus(dialogRef, {
    initialFocus: () => (action === 'transfer' ? targetRef.current : null),
    restoreFocus,
    onEscape: cancel,
  });

  /** Runs one answer's commands, one at a time, and says what went wrong. */
  const settle = async (steps: () => Promise<Failure | null>, outcome: ConsentOutcome) => {
    if (busyRef.current) return;
    busyRef.current = true;
    setBusy(true);
    setFailure(null);
    const problem = await steps();
    busyRef.current = false;
    setBusy(false);
    if (problem) setFailure(problem);
    else close(outcome);
  };

  const record = (answer: 'agreed' | 'declined') =>
    api.recordConsent({ callId: call.id, action, answer }).catch(asInternal);

  const send = (consentId: string): Promise<Result<void>> => {
    switch (action) {
      case 'hold':
        return api.hold(call.id, consentId).catch(asInternal);
      case 'escalate':
        return api.escalate(call.id, consentId).catch(asInternal);
      case 'transfer':
        return api.transfer({ callId: call.id, consentId, target: parsedTarget.data ?? '', mode }).catch(asInternal);
    }
  };

  const agreed = () => {
    if (busyRef.current) return;
    if (action === 'transfer' && !parsedTarget.success) {
      // Nothing is recorded for a transfer that could not be sent anyway.
      setTargetTouched(true);
      targetRef.current?.focus();
      return;
    }
    void settle(async () => {
      const consent = await record('agreed');
      if (!consent.ok) return { lead: t('consent.recordFailed'), code: consent.error.code };
      const sent = await send(consent.value.id);
      if (!sent.ok) return { lead: t(`consent.commandFailed.${action}`), code: sent.error.code };
      return null;
    }, 'agreed');
  };

  const declined = () =>
    void settle(async () => {
      const consent = await record('declined');
      return consent.ok ? null : { lead: t('consent.recordFailed'), code: consent.error.code };
    }, 'declined');

  const ask =
    action === 'hold'
      ? t('consent.ask.hold')
      : action === 'escalate'
        ? t('consent.ask.escalate')
        : parsedTarget.success
          ? t('consent.ask.transfer', { target: parsedTarget.data })
          : t('consent.ask.transferColleague');

  return createPortal(
    <div className="dialog-layer">
      <div
        ref={dialogRef}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={askId}
        tabIndex={-1}
        className="consent-dialog"
        data-testid="consent-dialog"
        data-action={action}
        data-call-id={call.id}
      >
        <h2 id={titleId} className="dialog-title">
          <Trans i18nKey={`consent.title.${action}`} values={{ caller }} components={{ name: <bdi dir="auto" /> }} />
        </h2>
        <p id={askId} className="consent-ask" dir="auto">
          {ask}
        </p>
        <p className="consent-nudge">{t('consent.nudge')}</p>
        {action === 'transfer' && (
          <div className="consent-transfer">
            <TextField
              label={t('consent.target')}
              hint={t('consent.targetHint')}
              name="transferTarget"
              inputMode="tel"
              dir="ltr"
              autoComplete="off"
              value={target}
              onChange={(value) => {
                setTarget(value);
                setFailure(null);
              }}
              error={targetError}
              inputRef={(element) => {
                targetRef.current = element;
              }}
            />
            <fieldset className="field-choice">
              <legend className="field-label">{t('consent.mode')}</legend>
              {(['attended', 'blind'] as const).map((choice) => (
                <label key={choice} className="choice">
                  <input
                    type="radio"
                    name={modeName}
                    value={choice}
                    checked={mode === choice}
                    onChange={() => setMode(choice)}
                  />
                  <span>{t(`consent.${choice}`)}</span>
                </label>
              ))}
            </fieldset>
          </div>
        )}
        {action === 'escalate' && policy && policy.escalationTarget !== '' && (
          <p className="consent-escalation">
            <Trans
              i18nKey="consent.escalationTarget"
              values={{ target: policy.escalationTarget }}
              components={{ target: <bdi dir="ltr" className="consent-target" /> }}
            />{' '}
            {t(`consent.escalationMode.${policy.escalationMode}`)}
          </p>
        )}
        <p className="consent-rule">{t('consent.rule')}</p>
        {failure && <CommandErrorAlert code={failure.code} lead={failure.lead} />}
        <div className="dialog-actions">
          <button type="button" className="button button-primary" aria-disabled={busy || undefined} onClick={agreed}>
            {t('consent.agreed')}
          </button>
          <button
            type="button"
            className="button button-secondary"
            aria-disabled={busy || undefined}
            onClick={declined}
          >
            {t('consent.declined')}
          </button>
          <button type="button" className="button button-quiet" onClick={cancel}>
            {t('consent.cancel')}
          </button>
        </div>
        <p className="visually-hidden" role="status">
          {busy ? t('consent.sending') : ''}
        </p>
      </div>
    </div>,
    document.body,
  );
}
