import { useTranslation } from 'react-i18next';

/** Props of {@link LockedBadge}. */
export interface LockedBadgeProps {
  /** The id the locked control points its aria-describedby at. */
  id: string;
}

/**
 * "Set by your organisation": shown beside a setting IT's managed policy locks, whose
 * control is disabled. Linked to the control so a screen reader says why it cannot
 * be changed.
 */
export function LockedBadge({ id }: LockedBadgeProps) {
  const { t } = useTranslation();
  return (
    <p className="locked-badge" id={id} data-testid="locked-badge">
      {/* A padlock drawn inline: emoji fonts are missing on many managed desktops. */}
      <svg
        className="locked-badge-icon"
        viewBox="0 0 16 16"
        width="12"
        height="12"
        aria-hidden="true"
        focusable="false"
      >
        <path
          fill="currentColor"
          d="M8 1a3.5 3.5 0 0 0-3.5 3.5V7H4a1 1 0 0 0-1 1v6a1 1 0 0 0 1 1h8a1 1 0 0 0 1-1V8a1 1 0 0 0-1-1h-.5V4.5A3.5 3.5 0 0 0 8 1Zm-2 6V4.5a2 2 0 1 1 4 0V7H6Z"
        />
      </svg>
      {t('policy.locked')}
    </p>
  );
}
