import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { CallView } from '../../../shared/contract';
import { callerDisplay, noCallerKey } from '../caller-display';

/** Props of {@link RecentCalls}. */
export interface RecentCallsProps {
  /** Ended calls, most recent first. */
  calls: readonly CallView[];
}

/** The last few calls that ended and how, so the agent sees what just happened. */
export function RecentCalls({ calls }: RecentCallsProps) {
  const { t, i18n } = useTranslation();
  const headingId = useId();
  const time = new Intl.DateTimeFormat(i18n.language, { hour: '2-digit', minute: '2-digit' });

  return (
    <section className="recent-calls" aria-labelledby={headingId}>
      <h2 id={headingId} className="section-heading">
        {t('recent.heading')}
      </h2>
      {calls.length === 0 ? (
        <p className="muted">{t('recent.none')}</p>
      ) : (
        <ul className="recent-list">
          {calls.map((call) => {
            const display = callerDisplay(call);
            const endedAt = new Date(call.endedAt ?? call.offeredAt);
            const validTime = Number.isFinite(endedAt.getTime());
            return (
              <li
                key={call.id}
                className="recent-call"
                data-testid={`recent-call-${call.id}`}
                data-end-reason={call.endReason ?? 'unknown'}
              >
                <span className="recent-name" dir="auto">
                  {display.primary || t(noCallerKey(call))}
                </span>
                {display.secondary !== '' && (
                  <span className="recent-number" dir="auto">
                    {display.secondary}
                  </span>
                )}
                <span className="recent-reason">{t(`recent.endReason.${call.endReason ?? 'unknown'}`)}</span>
                {validTime && (
                  <time className="recent-time" dateTime={endedAt.toISOString()}>
                    {t('recent.endedAt', { time: time.format(endedAt) })}
                  </time>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
