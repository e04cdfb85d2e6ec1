import { useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import { ringtoneLock } from '../media/ringer';

/**
 * Says that the ringtone waits for the agent's first click or key press: a browser
 * (the web host) allows sound only after one. Gone once the agent has acted.
 */
export function RingtoneLockNotice() {
  const { t } = useTranslation();
  const locked = useSyncExternalStore(ringtoneLock.subscribe, ringtoneLock.locked, ringtoneLock.locked);
  return (
    <p role="status" className={locked ? 'ringtone-locked' : 'visually-hidden'} data-testid="ringtone-locked">
      {locked ? t('media.ringtoneLocked') : ''}
    </p>
  );
}
