import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { CalmlineApi } from '../../../shared/api';
import type { CallView } from '../../../shared/contract';
import { callerDisplay } from '../caller-display';
import { CallPanel } from './CallPanel';

/** Props of {@link CallList}. */
export interface CallListProps {
  /** All calls main reports; ended ones are left to the recent-calls list. */
  calls: readonly CallView[];
  api: Pick<CalmlineApi, 'answer' | 'decline' | 'hangUp'>;
}

/**
 * The calls the agent can act on, ringing ones first. A live region announces an
 * incoming call, since a new panel appearing is not announced by itself.
 */
export function CallList({ calls, api }: CallListProps) {
  const { t } = useTranslation();
  const headingId = useId();
  const open = calls.filter((call) => call.state !== 'ended');
  const ringing = open.filter((call) => call.state === 'ringing' && call.direction === 'incoming');
  const ordered = [...ringing, ...open.filter((call) => !ringing.includes(call))];
  const announced = ringing.at(-1);

  return (
    <section className="calls" aria-labelledby={headingId}>
      <h2 id={headingId} className="section-heading">
        {t('calls.heading')}
      </h2>
      {ordered.length === 0 ? (
        <p className="muted">{t('calls.none')}</p>
      ) : (
        ordered.map((call) => <CallPanel key={call.id} call={call} api={api} />)
      )}
      <p className="visually-hidden" aria-live="assertive" data-testid="call-announcement">
        {announced
          ? t('calls.incomingAnnouncement', {
              caller: callerDisplay(announced).primary || t('calls.unknownCaller'),
            })
          : ''}
      </p>
    </section>
  );
}
