import { useId, useRef, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import type { CalmlineApi } from '../../../shared/api';
import type { WorkspaceView } from '../../../shared/workspace/workspace-view';
import { localize } from '../../../shared/workspace/localized-text';
import { FINISH_WRAP_UP_KEY, formatDuration } from '../call-controls';
import { useLetterShortcut } from '../hooks/use-call-shortcuts';
import { useCommand } from '../hooks/use-command';
import { useNow } from '../hooks/use-now';
import { CommandErrorAlert } from './CommandErrorAlert';

type Outcome = 'resolved' | 'follow-up' | 'escalated';
const outcomes: readonly Outcome[] = ['resolved', 'follow-up', 'escalated'];

/** Props of {@link WrapUpPanel}. */
export interface WrapUpPanelProps {
  wrapUp: NonNullable<WorkspaceView['wrapUp']>;
  /** The thank-you prompt (P5, docs/practice.md) main shows with the wrap-up, if any. */
  prompt: WorkspaceView['prompt'];
  /** The caller's name as the call showed it; empty when unknown. */
  caller: string;
  api: Pick<CalmlineApi, 'completeWrapUp'>;
}

/**
 * After a call: how it ended (an outcome is required), an optional note, the time
 * left before the agent is made available again, the thank-you reminder (P5), and
 * "Finish wrap-up".
 */
export function WrapUpPanel({ wrapUp, prompt, caller, api }: WrapUpPanelProps) {
  const { t, i18n } = useTranslation();
  const language = i18n.resolvedLanguage ?? i18n.language;
  const headingId = useId();
  const outcomeName = useId();
  const noteId = useId();
  const outcomeErrorId = useId();
  const firstOutcomeRef = useRef<HTMLInputElement>(null);
  const now = useNow();
  const [outcome, setOutcome] = useState<Outcome | null>(wrapUp.outcome);
  const [note, setNote] = useState(wrapUp.note);
  const [outcomeMissing, setOutcomeMissing] = useState(false);
  const command = useCommand();
  const remaining = wrapUp.deadline - now;
  const thankYou =
    prompt?.kind === 'thank-you' && prompt.callId === wrapUp.callId ? localize(prompt.text, language) : null;

  const finish = () => {
    if (outcome === null) {
      setOutcomeMissing(true);
      firstOutcomeRef.current?.focus();
      return;
    }
    const trimmed = note.trim();
    command.run(() => api.completeWrapUp({ outcome, ...(trimmed !== '' ? { note: trimmed } : {}) }));
  };
  useLetterShortcut(FINISH_WRAP_UP_KEY.toLowerCase(), finish);

  return (
    <section className="card wrap-up" aria-labelledby={headingId} data-testid="wrap-up" data-call-id={wrapUp.callId}>
      <h2 id={headingId} className="card-title">
        {caller !== '' ? (
          <Trans i18nKey="wrapUp.heading" values={{ caller }} components={{ name: <bdi dir="auto" /> }} />
        ) : (
          t('wrapUp.headingNoCaller')
        )}
      </h2>
      {thankYou !== null && (
        <p className="call-prompt" data-testid="thank-you-prompt">
          <Trans i18nKey="wrapUp.thankYou" values={{ text: thankYou }} components={{ quote: <q dir="auto" /> }} />
        </p>
      )}
      <p className="wrap-up-timer" role="timer" data-testid="wrap-up-timer">
        {remaining > 0 ? t('wrapUp.timeLeft', { time: formatDuration(remaining, language) }) : t('wrapUp.timeUp')}
      </p>
      <form
        className="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          finish();
        }}
      >
        <fieldset
          className="field-choice"
          aria-invalid={outcomeMissing || undefined}
          aria-describedby={outcomeMissing ? outcomeErrorId : undefined}
        >
          <legend className="field-label">{t('wrapUp.outcome')}</legend>
          {outcomes.map((option, index) => (
            <label key={option} className="choice">
              <input
                ref={index === 0 ? firstOutcomeRef : undefined}
                type="radio"
                name={outcomeName}
                value={option}
                checked={outcome === option}
                onChange={() => {
                  setOutcome(option);
                  setOutcomeMissing(false);
                }}
              />
              <span>{t(`wrapUp.outcomes.${option}`)}</span>
            </label>
          ))}
          {outcomeMissing && (
            <p className="field-error" id={outcomeErrorId}>
              {t('wrapUp.outcomeMissing')}
            </p>
          )}
        </fieldset>
        <div className="field">
          <label className="field-label" htmlFor={noteId}>
            {t('wrapUp.note')}
          </label>
          <textarea
            id={noteId}
            className="field-input"
            dir="auto"
            rows={3}
            maxLength={2_000}
            value={note}
            onChange={(event) => setNote(event.target.value)}
          />
        </div>
        <div className="form-actions">
          <button
            type="submit"
            className="button button-primary"
            aria-disabled={command.pending || undefined}
            aria-keyshortcuts={FINISH_WRAP_UP_KEY}
            title={t('calls.withShortcut', { action: t('wrapUp.finish'), key: FINISH_WRAP_UP_KEY })}
          >
            {t('wrapUp.finish')}
          </button>
        </div>
        {command.error !== null && <CommandErrorAlert code={command.error} lead={t('wrapUp.notFinished')} />}
      </form>
    </section>
  );
}
