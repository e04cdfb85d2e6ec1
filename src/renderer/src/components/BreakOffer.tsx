import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { CalmlineApi } from '../../../shared/api';
import type { WorkspaceView } from '../../../shared/workspace/workspace-view';
import { useCommand } from '../hooks/use-command';
import { CommandErrorAlert } from './CommandErrorAlert';

/** Props of {@link BreakOffer}. */
export interface BreakOfferProps {
  offer: NonNullable<WorkspaceView['breakOffer']>;
  api: Pick<CalmlineApi, 'startBreak' | 'declineBreakOffer'>;
}

/** The de-escalation break offered after a flagged or long call (W1, docs/practice.md): take it, or not now. */
export function BreakOffer({ offer, api }: BreakOfferProps) {
  const { t } = useTranslation();
  const headingId = useId();
  const command = useCommand();
  return (
    <section className="card break-offer" aria-labelledby={headingId} data-testid="break-offer">
      <h2 id={headingId} className="card-title">
        {t('breaks.offerHeading')}
      </h2>
      <p>{t(`breaks.offer.${offer.reason}`)}</p>
      <div className="form-actions">
        <button
          type="button"
          className="button button-primary"
          onClick={() => command.run(() => api.startBreak('de-escalation'))}
        >
          {t('breaks.takeOffer', { minutes: offer.minutes })}
        </button>
        <button
          type="button"
          className="button button-quiet"
          onClick={() => command.run(() => api.declineBreakOffer())}
        >
          {t('breaks.notNow')}
        </button>
      </div>
      {command.error !== null && <CommandErrorAlert code={command.error} lead={t('breaks.notStarted')} />}
    </section>
  );
}
