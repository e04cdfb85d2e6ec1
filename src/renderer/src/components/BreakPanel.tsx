import { useEffect, useId, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { CalmlineApi } from '../../../shared/api';
import { breathingPhase, phaseSeconds } from '../../../shared/workspace/breathing-rhythm';
import type { WorkspaceView } from '../../../shared/workspace/workspace-view';
import { formatDuration } from '../call-controls';
import { useCommand } from '../hooks/use-command';
import { useNow } from '../hooks/use-now';
import { CommandErrorAlert } from './CommandErrorAlert';

const breathingKeys = { in: 'breaks.breatheIn', hold: 'breaks.breatheHold', out: 'breaks.breatheOut' } as const;

/** Props of {@link BreakPanel}. */
export interface BreakPanelProps {
  activeBreak: NonNullable<WorkspaceView['activeBreak']>;
  api: Pick<CalmlineApi, 'endBreak'>;
}

/**
 * The break (W1, W2 in docs/practice.md): a calm full-width panel with the time left (then "take your
 * time" once it is over; the agent returns only by pressing End break), a
 * breathing guide, and the note that the phone is unavailable meanwhile.
 */
export function BreakPanel({ activeBreak, api }: BreakPanelProps) {
  const { t, i18n } = useTranslation();
  const language = i18n.resolvedLanguage ?? i18n.language;
  const headingId = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const now = useNow(250);
  const command = useCommand();
  const remaining = activeBreak.endsAt - now;
  const overrun = activeBreak.overrun || remaining <= 0;
  const { phase } = breathingPhase(now - activeBreak.startedAt);

  // The screen changed under the agent's focus: start reading from the top.
  useEffect(() => headingRef.current?.focus(), []);

  return (
    <section
      className="break-panel"
      aria-labelledby={headingId}
      data-testid="break-panel"
      data-kind={activeBreak.kind}
      data-overrun={overrun || undefined}
    >
      <h2 id={headingId} ref={headingRef} tabIndex={-1} className="break-title">
        {t('breaks.heading')}
      </h2>
      <p className="break-unavailable" data-testid="break-unavailable">
        {t('breaks.unavailable')}
      </p>
      <p className="break-timer" role="timer" data-testid="break-timer">
        {overrun ? t('breaks.overrun') : t('breaks.timeLeft', { time: formatDuration(remaining, language) })}
      </p>
      <div className="breathing" data-phase={phase}>
        <div className="breathing-circle" aria-hidden="true" />
        <p className="breathing-text">
          <span className="visually-hidden">{t('breaks.breathingHeading')}: </span>
          {t(breathingKeys[phase], { count: phaseSeconds(phase) })}
        </p>
      </div>
      <button
        type="button"
        className="button button-primary button-large"
        onClick={() => command.run(() => api.endBreak())}
      >
        {t('breaks.end')}
      </button>
      {command.error !== null && <CommandErrorAlert code={command.error} lead={t('breaks.notEnded')} />}
    </section>
  );
}
