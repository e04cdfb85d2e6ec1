import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CalmlineApi } from '../../../shared/api';
import type { DirectoryStatusView } from '../../../shared/contract';

/** The part of the API the notice reads (optional: a host without the shared directory has neither). */
export type DirectoryStatusApi = Partial<Pick<CalmlineApi, 'getDirectoryStatus' | 'onDirectoryStatus'>>;

/**
 * Says on the caller card when the call centre's shared caller directory cannot be
 * reached (or refused the token): the card then shows what was known, and the agent's
 * changes wait in a queue until the directory is back. Nothing is shown while it is
 * online or not configured.
 */
export function DirectoryStatusNotice({ api }: { api: DirectoryStatusApi }) {
  const { t } = useTranslation();
  const [status, setStatus] = useState<DirectoryStatusView>({ state: 'off', queued: 0 });
  useEffect(() => {
    let current = true;
    const stop = api.onDirectoryStatus?.((next) => setStatus(next));
    void api.getDirectoryStatus?.().then((result) => {
      if (current && result.ok) setStatus(result.value);
    });
    return () => {
      current = false;
      stop?.();
    };
  }, [api]);
  if (status.state !== 'unreachable' && status.state !== 'unauthorized') return null;
  return (
    <p className="directory-status" role="status" data-testid="directory-unreachable" data-queued={status.queued}>
      <strong>{t(status.state === 'unreachable' ? 'directory.unreachable' : 'directory.unauthorized')}</strong>
      {status.queued > 0 && <> {t('directory.queued', { count: status.queued })}</>}
    </p>
  );
}
