import { useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CalmlineApi } from '../../../shared/api';
import { flagKinds, type FlagKind } from '../../../shared/caller-record';
import { useCommand } from '../hooks/use-command';
import { CommandErrorAlert } from './CommandErrorAlert';

/** Props of {@link AddFlagForm}. */
export interface AddFlagFormProps {
  number: string;
  /** The call during which the flag is raised; it earns the agent a break offer (W1). */
  callId: string;
  caller: string;
  api: Pick<CalmlineApi, 'addCallerFlag'>;
  onAdded(): void;
}

/**
 * "Flag this caller" (D3, D4, D5 in docs/practice.md): why (a kind) and what happened (the reason),
 * so whoever takes the next call is prepared. Closed until the agent opens it.
 */
export function AddFlagForm({ number, callId, caller, api, onAdded }: AddFlagFormProps) {
  const { t } = useTranslation();
  const formId = useId();
  const kindId = useId();
  const reasonId = useId();
  const reasonHintId = useId();
  const reasonErrorId = useId();
  const openerRef = useRef<HTMLButtonElement>(null);
  const [open, setOpen] = useState(false);
  const [kind, setKind] = useState<FlagKind>('abusive-language');
  const [reason, setReason] = useState('');
  const [missing, setMissing] = useState(false);
  const command = useCommand();

  const close = () => {
    setOpen(false);
    setReason('');
    setMissing(false);
    // Focus goes back to the button that opened the form, rather than to the page.
    queueMicrotask(() => openerRef.current?.focus());
  };

  const submit = () => {
    if (reason.trim() === '') {
      setMissing(true);
      document.getElementById(reasonId)?.focus();
      return;
    }
    command.run(async () => {
      const result = await api.addCallerFlag({ number, kind, reason: reason.trim(), callId });
      if (result.ok) {
        close();
        onAdded();
      }
      return result;
    });
  };

  return (
    <div className="card-block add-flag">
      <button
        ref={openerRef}
        type="button"
        className="button button-secondary button-small"
        aria-expanded={open}
        aria-controls={open ? formId : undefined}
        aria-label={t('card.addFlagLabel', { caller })}
        onClick={() => (open ? close() : setOpen(true))}
      >
        {t('card.addFlag')}
      </button>
      {open && (
        <form
          id={formId}
          className="inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            submit();
          }}
        >
          <div className="field">
            <label className="field-label" htmlFor={kindId}>
              {t('card.flagKind')}
            </label>
            <select
              id={kindId}
              className="field-input"
              value={kind}
              onChange={(event) => setKind(event.target.value as FlagKind)}
            >
              {flagKinds.map((option) => (
                <option key={option} value={option}>
                  {t(`flagKind.${option}`)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label className="field-label" htmlFor={reasonId}>
              {t('card.flagReason')}
            </label>
            <p className="field-hint" id={reasonHintId}>
              {t('card.flagReasonHint')}
            </p>
            <textarea
              id={reasonId}
              className="field-input"
              dir="auto"
              rows={3}
              maxLength={2_000}
              value={reason}
              aria-invalid={missing || undefined}
              aria-describedby={missing ? `${reasonHintId} ${reasonErrorId}` : reasonHintId}
              onChange={(event) => {
                setReason(event.target.value);
                setMissing(false);
              }}
            />
            {missing && (
              <p className="field-error" id={reasonErrorId}>
                {t('card.flagReasonMissing')}
              </p>
            )}
          </div>
          <div className="form-actions">
            <button type="submit" className="button button-primary" aria-disabled={command.pending || undefined}>
              {t('card.saveFlag')}
            </button>
            <button type="button" className="button button-quiet" onClick={close}>
              {t('card.cancel')}
            </button>
          </div>
          {command.error !== null && <CommandErrorAlert code={command.error} />}
        </form>
      )}
    </div>
  );
}
