import { useTranslation } from 'react-i18next';
import type { ThreatIncident } from '../../../shared/caller-record';
import { formatDateTime } from '../workspace-format';

/** Props of {@link IncidentList}. */
export interface IncidentListProps {
  incidents: readonly ThreatIncident[];
}

/**
 * The threats recorded for this caller (D5 in docs/practice.md), newest first: the kind, the words as
 * they were said, when, and who recorded them. Shown under the threat flags, which
 * only carry the first 200 characters.
 */
export function IncidentList({ incidents }: IncidentListProps) {
  const { t, i18n } = useTranslation();
  const language = i18n.resolvedLanguage ?? i18n.language;
  if (incidents.length === 0) return null;
  const newestFirst = [...incidents].sort((a, b) => b.occurredAt - a.occurredAt);
  return (
    <div className="card-block incidents" data-testid="incidents">
      <h3 className="card-subheading">{t('incident.listHeading')}</h3>
      <ul className="plain-list">
        {newestFirst.map((incident) => (
          <li key={incident.id} className="incident" data-testid="incident" data-kind={incident.kind}>
            <p className="flag-kind">{t(`flagKind.${incident.kind}`)}</p>
            {/* The caller's own words: their script decides the direction, not the UI's. */}
            <blockquote className="incident-quote" dir="auto">
              {incident.whatWasSaid}
            </blockquote>
            <p className="flag-meta">
              {t('incident.meta', { date: formatDateTime(incident.occurredAt, language), author: incident.recordedBy })}
            </p>
          </li>
        ))}
      </ul>
    </div>
  );
}
