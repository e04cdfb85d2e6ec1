import { useTranslation } from 'react-i18next';
import { formatDuration } from '../call-controls';
import { useNow } from '../hooks/use-now';

/** Props of {@link RingTimer}. */
export interface RingTimerProps {
  /** When the call was offered, in main's milliseconds since the epoch. */
  offeredAt: number;
}

/**
 * How long a call has been ringing (rule P1 of docs/practice.md: answer promptly), counting
 * up every second. A timer role, so screen readers do not read every tick.
 */
export function RingTimer({ offeredAt }: RingTimerProps) {
  const { t, i18n } = useTranslation();
  const now = useNow();
  const duration = formatDuration(now - offeredAt, i18n.resolvedLanguage ?? i18n.language);
  return (
    <p className="call-state ring-timer" role="timer" data-testid="ring-timer">
      {t('calls.ringingFor', { duration })}
    </p>
  );
}
