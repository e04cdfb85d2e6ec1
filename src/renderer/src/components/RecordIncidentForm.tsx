import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { CalmlineApi } from '../../../shared/api';
import { MAX_STATEMENT_LENGTH, threatKinds, type ThreatKind } from '../../../shared/caller-record';
import { useCommand } from '../hooks/use-command';
import { dateInputValue, parseDateTimeInput, pastDateChoices, timeChoices } from '../workspace-format';
import { CommandErrorAlert } from './CommandErrorAlert';

/** Props of {@link RecordIncidentForm}. */
export interface RecordIncidentFormProps {
  number: string;
  /** The call in which the threat was made. */
  callId: string;
  caller: string;
  api: Pick<CalmlineApi, 'recordIncident'>;
  /** Called once main has stored the incident (and its flag). */
  onRecorded(): void;
}

type Field = 'kind' | 'said' | 'when';

/** How many days back "when" reaches: today and the four weeks before. */
const DAYS_BACK = 29;
/** The steps of the time choice, in minutes (the minute the form opened is offered too). */
const TIME_STEP_MINUTES = 5;

/** `HH:MM` of the local minute of `ms`, as {@link timeChoices} names its values. */
function timeValue(ms: number): string {
  const date = new Date(ms);
  return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
}

/**
 * "Record incident" (D5 in docs/practice.md): a legal or physical threat, what was said word for word and
 * when, for the report to the right people. Main files it with a threat flag, so the
 * next agent is warned too. Inline in the card rather than a modal dialog: the call
 * may still be going on, and Hang up must stay within reach. Focus moves into the
 * form when it opens and back to its button when it closes (Escape closes it).
 */
export function RecordIncidentForm({ number, callId, caller, api, onRecorded }: RecordIncidentFormProps) {
  const { t, i18n } = useTranslation();
  const language = i18n.resolvedLanguage ?? i18n.language;
  const formId = useId();
  const headingId = useId();
  const kindName = useId();
  const ids = {
    kind: useId(),
    said: useId(),
    when: useId(),
    whenTime: useId(),
    saidHint: useId(),
    whenHint: useId(),
  };
  const openerRef = useRef<HTMLButtonElement>(null);
  const firstKindRef = useRef<HTMLInputElement>(null);
  const saidRef = useRef<HTMLTextAreaElement>(null);
  const whenRef = useRef<HTMLSelectElement>(null);
  const [open, setOpen] = useState(false);
  const [kind, setKind] = useState<ThreatKind | null>(null);
  const [said, setSaid] = useState('');
  const [whenDay, setWhenDay] = useState('');
  const [whenTime, setWhenTime] = useState('');
  // When the form last opened or was submitted: what "in the future" is measured from.
  const [now, setNow] = useState(0);
  // Problems show from the first submit on, then follow every change.
  const [submitted, setSubmitted] = useState(false);
  const command = useCommand();
  // Today and the days before, and the times of day, in the agent's language and calendar
  // (not the browser's datetime field with its fixed mm/dd/yyyy).
  const [openedAt, setOpenedAt] = useState(0);
  const days = useMemo(
    () => (open ? pastDateChoices(openedAt, DAYS_BACK + 1, language) : []),
    [open, openedAt, language],
  );
  const times = useMemo(
    () => (open ? timeChoices(openedAt, TIME_STEP_MINUTES, language) : []),
    [open, openedAt, language],
  );

  useEffect(() => {
    if (open) firstKindRef.current?.focus();
  }, [open]);

  const start = () => {
    // "When" starts at the moment the agent reaches for the form: usually right after the threat.
    const openedAt = Date.now();
    setNow(openedAt);
    setOpenedAt(openedAt);
    setWhenDay(dateInputValue(openedAt));
    setWhenTime(timeValue(openedAt));
    setKind(null);
    setSaid('');
    setSubmitted(false);
    setOpen(true);
  };

  const close = () => {
    setOpen(false);
    // Focus goes back to the button that opened the form, rather than to the page.
    queueMicrotask(() => openerRef.current?.focus());
  };

  const occurredAt = parseDateTimeInput(`${whenDay}T${whenTime}`);
  const problemsAt = (at: number): Partial<Record<Field, string>> => ({
    ...(kind === null && { kind: t('incident.kindMissing') }),
    ...(said.trim() === '' && { said: t('incident.saidMissing') }),
    // A threat is reported after it was made, never before.
    ...((occurredAt === null || occurredAt > at) && { when: t('incident.whenInvalid') }),
  });
  const shown = submitted ? problemsAt(now) : {};

  const submit = () => {
    const submittedAt = Date.now();
    const problems = problemsAt(submittedAt);
    setNow(submittedAt);
    setSubmitted(true);
    if (kind === null || occurredAt === null || problems.said || problems.when) {
      const first = problems.kind ? firstKindRef : problems.said ? saidRef : whenRef;
      first.current?.focus();
      return;
    }
    command.run(async () => {
      const result = await api.recordIncident({ number, callId, kind, whatWasSaid: said.trim(), occurredAt });
      if (result.ok) {
        close();
        onRecorded();
      }
      return result;
    });
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    event.stopPropagation();
    close();
  };

  const describedBy = (field: Field, hintId?: string) =>
    [hintId, shown[field] ? `${ids[field]}-error` : undefined].filter(Boolean).join(' ') || undefined;

  return (
    <div className="card-block record-incident">
      <button
        ref={openerRef}
        type="button"
        className="button button-secondary button-small"
        aria-expanded={open}
        aria-controls={open ? formId : undefined}
        aria-label={t('incident.openLabel', { caller })}
        onClick={() => (open ? close() : start())}
      >
        {t('incident.open')}
      </button>
      {open && (
        <form
          id={formId}
          className="inline-form incident-form"
          aria-labelledby={headingId}
          noValidate
          data-testid="incident-form"
          onKeyDown={onKeyDown}
          onSubmit={(event) => {
            event.preventDefault();
            submit();
          }}
        >
          <h3 id={headingId} className="card-subheading">
            {t('incident.heading')}
          </h3>
          <p className="field-hint">{t('incident.intro')}</p>
          <fieldset className="field-choice" aria-describedby={describedBy('kind')}>
            <legend className="field-label">{t('incident.kind')}</legend>
            {threatKinds.map((option, index) => (
              <label key={option} className="choice">
                <input
                  ref={index === 0 ? firstKindRef : undefined}
                  type="radio"
                  name={kindName}
                  value={option}
                  checked={kind === option}
                  aria-invalid={shown.kind ? true : undefined}
                  onChange={() => setKind(option)}
                />
                <span>{t(`flagKind.${option}`)}</span>
              </label>
            ))}
            {shown.kind && (
              <p className="field-error" id={`${ids.kind}-error`}>
                {shown.kind}
              </p>
            )}
          </fieldset>
          <div className="field">
            <label className="field-label" htmlFor={ids.said}>
              {t('incident.said')}
            </label>
            <p className="field-hint" id={ids.saidHint}>
              {t('incident.saidHint')}
            </p>
            <textarea
              ref={saidRef}
              id={ids.said}
              className="field-input"
              dir="auto"
              rows={3}
              maxLength={MAX_STATEMENT_LENGTH}
              value={said}
              aria-invalid={shown.said ? true : undefined}
              aria-describedby={describedBy('said', ids.saidHint)}
              onChange={(event) => setSaid(event.target.value)}
            />
            {shown.said && (
              <p className="field-error" id={`${ids.said}-error`}>
                {shown.said}
              </p>
            )}
          </div>
          <fieldset className="field-choice">
            <legend className="field-label">{t('incident.when')}</legend>
            <p className="field-hint" id={ids.whenHint}>
              {t('incident.whenHint')}
            </p>
            <div className="form-row">
              <div className="field">
                <label className="field-label" htmlFor={ids.when}>
                  {t('incident.whenDay')}
                </label>
                <select
                  ref={whenRef}
                  id={ids.when}
                  className="field-input field-datetime"
                  value={whenDay}
                  aria-invalid={shown.when ? true : undefined}
                  aria-describedby={describedBy('when', ids.whenHint)}
                  onChange={(event) => setWhenDay(event.target.value)}
                >
                  {days.map((day) => (
                    <option key={day.value} value={day.value}>
                      {day.label}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label className="field-label" htmlFor={ids.whenTime}>
                  {t('incident.whenTime')}
                </label>
                <select
                  id={ids.whenTime}
                  className="field-input field-time"
                  value={whenTime}
                  aria-invalid={shown.when ? true : undefined}
                  aria-describedby={describedBy('when', ids.whenHint)}
                  onChange={(event) => setWhenTime(event.target.value)}
                >
                  {times.map((time) => (
                    <option key={time.value} value={time.value}>
                      {time.label}
                    </option>
                  ))}
                </select>
              </div>
            </div>
            {shown.when && (
              <p className="field-error" id={`${ids.when}-error`}>
                {shown.when}
              </p>
            )}
          </fieldset>
          <div className="form-actions">
            <button type="submit" className="button button-primary" aria-disabled={command.pending || undefined}>
              {t('incident.save')}
            </button>
            <button type="button" className="button button-quiet" onClick={close}>
              {t('card.cancel')}
            </button>
          </div>
          {command.error !== null && <CommandErrorAlert code={command.error} lead={t('incident.notRecorded')} />}
        </form>
      )}
    </div>
  );
}
