import { useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CalmlineApi } from '../../../shared/api';
import {
  MAX_COMMITMENT_AHEAD_MS,
  type CommitmentKind,
  type RecordedCommitment,
} from '../../../shared/workspace/checklists';
import { useCommand } from '../hooks/use-command';
import { dateChoices, endOfDateInput, formatDate } from '../workspace-format';
import { CommandErrorAlert } from './CommandErrorAlert';

/** Props of {@link CommitmentForm}. */
export interface CommitmentFormProps {
  callId: string;
  /** What is recorded already, if anything. */
  commitment: RecordedCommitment | null;
  api: Pick<CalmlineApi, 'recordCommitment'>;
}

/**
 * The Take-action promise (H4 in docs/practice.md): a simple issue gets a date it will be solved by, a
 * complex one never a timeframe but a date for a status update. Main refuses a date
 * in the past or too far ahead; the refusal is shown in the agent's language.
 */
export function CommitmentForm({ callId, commitment, api }: CommitmentFormProps) {
  const { t, i18n } = useTranslation();
  const language = i18n.resolvedLanguage ?? i18n.language;
  const kindName = useId();
  const dateId = useId();
  const dateErrorId = useId();
  const textId = useId();
  const [kind, setKind] = useState<CommitmentKind>(commitment?.kind ?? 'due-date');
  const [date, setDate] = useState('');
  const [promised, setPromised] = useState('');
  const [dateMissing, setDateMissing] = useState(false);
  const command = useCommand();
  // The days the field offers: today (as of when the form opened) to the furthest a promise may go.
  const [opened] = useState(() => Date.now());
  const days = useMemo(
    () => dateChoices(opened, Math.floor(MAX_COMMITMENT_AHEAD_MS / 86_400_000), language),
    [opened, language],
  );

  const record = () => {
    const due = endOfDateInput(date);
    if (due === null) {
      setDateMissing(true);
      document.getElementById(dateId)?.focus();
      return;
    }
    const text = promised.trim();
    command.run(() => api.recordCommitment(callId, { kind, due, ...(text !== '' ? { text } : {}) }));
  };

  return (
    <div className="commitment" data-testid="commitment">
      {commitment && (
        <p className="commitment-recorded" data-testid="commitment-recorded" role="status">
          {t(`checklist.commitment.recorded.${commitment.kind}`, { date: formatDate(commitment.due, language) })}
          {commitment.text !== '' && (
            <>
              {' '}
              <span dir="auto">({commitment.text})</span>
            </>
          )}
        </p>
      )}
      <form
        className="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          record();
        }}
      >
        <fieldset className="field-choice">
          <legend className="field-label">{t('checklist.commitment.legend')}</legend>
          {(['due-date', 'status-update'] as const).map((option) => (
            <label key={option} className="choice">
              <input
                type="radio"
                name={kindName}
                value={option}
                checked={kind === option}
                onChange={() => setKind(option)}
              />
              <span>{t(`checklist.commitment.${option}`)}</span>
            </label>
          ))}
        </fieldset>
        <div className="form-row">
          <div className="field">
            <label className="field-label" htmlFor={dateId}>
              {t('checklist.commitment.date')}
            </label>
            {/* A choice of days in the agent's language and calendar, not the
                browser's date field with its fixed mm/dd/yyyy. */}
            <select
              id={dateId}
              className="field-input"
              value={date}
              aria-invalid={dateMissing || undefined}
              aria-describedby={dateMissing ? dateErrorId : undefined}
              onChange={(event) => {
                setDate(event.target.value);
                setDateMissing(false);
              }}
            >
              <option value="">{t('checklist.commitment.chooseDate')}</option>
              {days.map((day) => (
                <option key={day.value} value={day.value}>
                  {day.label}
                </option>
              ))}
            </select>
            {dateMissing && (
              <p className="field-error" id={dateErrorId}>
                {t('checklist.commitment.dateMissing')}
              </p>
            )}
          </div>
          <div className="field field-grow">
            <label className="field-label" htmlFor={textId}>
              {t('checklist.commitment.text')}
            </label>
            <input
              id={textId}
              type="text"
              className="field-input"
              dir="auto"
              maxLength={2_000}
              value={promised}
              onChange={(event) => setPromised(event.target.value)}
            />
          </div>
        </div>
        <div className="form-actions">
          <button
            type="submit"
            className="button button-primary button-small"
            aria-disabled={command.pending || undefined}
          >
            {t('checklist.commitment.record')}
          </button>
        </div>
        {command.error !== null && <CommandErrorAlert code={command.error} />}
      </form>
    </div>
  );
}
