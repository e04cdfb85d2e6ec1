import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CalmlineApi } from '../../../shared/api';
import type { NoteSaveStatusView } from '../../../shared/contract';
import type { CommandErrorCode } from '../../../shared/result';
import { useErrorText } from '../hooks/use-error-text';
import { formatClockTime } from '../workspace-format';

/** The commands the notes pad sends and listens to. */
export type NotesPadApi = Pick<CalmlineApi, 'editNote' | 'getNote' | 'onNotesStatus'>;

/** Props of {@link NotesPad}. */
export interface NotesPadProps {
  callId: string;
  caller: string;
  api: NotesPadApi;
}

/** What the pad says about saving: nothing yet, or where main says the note stands. */
type SaveView =
  | { state: 'idle' }
  | { state: 'saving' }
  | { state: 'saved'; savedAt: number | undefined }
  | { state: 'error'; code: CommandErrorCode | string };

/**
 * The notes pad for a call (P7, H1 in docs/practice.md): every change goes to main, which autosaves it;
 * there is no Save button. A polite live region says "Saving…", "Saved 14:02" (only
 * once main reports the note on disk) or why it was not saved. "Read back" shows the
 * note as a summary to repeat to the caller (the German guide's second step).
 */
export function NotesPad({ callId, caller, api }: NotesPadProps) {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const language = i18n.resolvedLanguage ?? i18n.language;
  const fieldId = useId();
  const hintId = useId();
  const readBackId = useId();
  const [text, setText] = useState('');
  const [save, setSave] = useState<SaveView>({ state: 'idle' });
  const [readBack, setReadBack] = useState(false);
  // Edits sent but not answered yet: while any is in flight a "saved" from main is
  // about older text, so the pad keeps saying "Saving…".
  const inFlight = useRef(0);
  const typed = useRef(false);

  useEffect(() => {
    let current = true;
    // A note typed before a reload (or in another window) comes back.
    api.getNote(callId).then(
      (result) => {
        if (current && result.ok && result.value && !typed.current) {
          setText(result.value.text);
          if (result.value.text !== '') setSave(viewOf(result.value.status));
        }
      },
      () => undefined,
    );
    const stop = api.onNotesStatus((status) => {
      if (status.callId !== callId) return;
      const next = viewOf(status);
      setSave(next.state === 'saved' && inFlight.current > 0 ? { state: 'saving' } : next);
    });
    return () => {
      current = false;
      stop();
    };
  }, [api, callId]);

  const change = (value: string) => {
    typed.current = true;
    setText(value);
    setSave((previous) => (previous.state === 'error' ? previous : { state: 'saving' }));
    inFlight.current += 1;
    api.editNote(callId, value).then(
      (result) => {
        inFlight.current -= 1;
        if (!result.ok) setSave({ state: 'error', code: result.error.code });
        else if (result.value.state === 'error') setSave(viewOf(result.value));
      },
      () => {
        inFlight.current -= 1;
        setSave({ state: 'error', code: 'internal' });
      },
    );
  };

  const statusText =
    save.state === 'saving'
      ? t('notes.saving')
      : save.state === 'saved'
        ? save.savedAt === undefined
          ? t('notes.savedNoTime')
          : t('notes.saved', { time: formatClockTime(save.savedAt, language) })
        : save.state === 'error'
          ? t('notes.error', { reason: errorText(save.code) })
          : '';
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');

  return (
    <section className="card notes-pad" aria-labelledby={`${fieldId}-heading`} data-testid="notes-pad">
      <div className="card-header">
        <h2 id={`${fieldId}-heading`} className="section-heading">
          {t('notes.heading')}
        </h2>
        <p
          role="status"
          className={`notes-status notes-status-${save.state}`}
          data-testid="notes-status"
          data-state={save.state}
        >
          {statusText}
        </p>
      </div>
      <label className="visually-hidden" htmlFor={fieldId}>
        {t('notes.label', { caller })}
      </label>
      <p id={hintId} className="field-hint">
        {t('notes.hint')}
      </p>
      <textarea
        id={fieldId}
        className="field-input notes-input"
        dir="auto"
        rows={6}
        maxLength={20_000}
        value={text}
        aria-describedby={hintId}
        onChange={(event) => change(event.target.value)}
      />
      <div className="form-actions">
        <button
          type="button"
          className="button button-secondary button-toggle button-small"
          aria-pressed={readBack}
          aria-controls={readBack ? readBackId : undefined}
          aria-label={t('notes.readBackLabel', { caller })}
          onClick={() => setReadBack((open) => !open)}
        >
          {t('notes.readBack')}
        </button>
      </div>
      {readBack && (
        <div id={readBackId} className="read-back" data-testid="read-back">
          <h3 className="card-subheading">{t('notes.readBackHeading')}</h3>
          <p className="read-back-line">{t('notes.readBackIntro')}</p>
          {lines.length === 0 ? (
            <p className="muted">{t('notes.readBackEmpty')}</p>
          ) : (
            <ul className="read-back-list">
              {lines.map((line, index) => (
                <li key={index} dir="auto">
                  {line}
                </li>
              ))}
            </ul>
          )}
          <p className="read-back-line">{t('notes.readBackClose')}</p>
        </div>
      )}
    </section>
  );
}

function viewOf(status: NoteSaveStatusView): SaveView {
  switch (status.state) {
    case 'saved':
      return { state: 'saved', savedAt: status.savedAt };
    case 'error':
      return { state: 'error', code: status.error?.code ?? 'io-error' };
    case 'unsaved':
    case 'saving':
      return { state: 'saving' };
  }
}
