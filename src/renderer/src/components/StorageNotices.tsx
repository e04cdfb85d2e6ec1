import { useEffect, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import type { CalmlineApi } from '../../../shared/api';
import { storageNoticeSchema, type StorageNoticeView } from '../../../shared/contract';

/** Props of {@link StorageNotices}. */
export interface StorageNoticesProps {
  api: Pick<CalmlineApi, 'getStorageNotices' | 'onStorageNotice'>;
}

const keyOf = (notice: StorageNoticeView): string => `${notice.code}|${notice.file}|${notice.at}`;

/**
 * Data files that could not be read and were kept aside (never deleted), or that
 * block saving: one dismissible banner each, naming the file, so the agent can
 * tell IT. Both the notices from start-up and new ones main pushes are shown.
 */
export function StorageNotices({ api }: StorageNoticesProps) {
  const { t } = useTranslation();
  const [notices, setNotices] = useState<readonly StorageNoticeView[]>([]);
  const [dismissed, setDismissed] = useState<ReadonlySet<string>>(new Set());

  useEffect(() => {
    let current = true;
    const add = (incoming: readonly unknown[]) =>
      setNotices((previous) => {
        const known = new Set(previous.map(keyOf));
        const fresh = incoming.flatMap((raw) => {
          const parsed = storageNoticeSchema.safeParse(raw);
          return parsed.success && !known.has(keyOf(parsed.data)) ? [parsed.data] : [];
        });
        return fresh.length === 0 ? previous : [...previous, ...fresh];
      });
    const stop = api.onStorageNotice((notice) => add([notice]));
    api.getStorageNotices().then(
      (result) => {
        if (current && result.ok) add(result.value);
      },
      () => undefined,
    );
    return () => {
      current = false;
      stop();
    };
  }, [api]);

  const shown = notices.filter((notice) => !dismissed.has(keyOf(notice)));
  if (shown.length === 0) return null;
  return (
    <div className="storage-notices">
      {shown.map((notice) => (
        <section
          key={keyOf(notice)}
          className="alert storage-notice"
          aria-label={t('storage.heading')}
          data-testid="storage-notice"
        >
          <h2 className="card-subheading">{t('storage.heading')}</h2>
          <p>
            {notice.code === 'file-kept-aside' ? (
              <Trans
                i18nKey="storage.keptAside"
                values={{ file: notice.file, keptAs: notice.keptAs ?? notice.file, recovered: notice.recovered }}
                components={{
                  file: <bdi dir="ltr" className="file-name" />,
                  file2: <bdi dir="ltr" className="file-name" />,
                }}
              />
            ) : (
              <Trans
                i18nKey="storage.blocked"
                values={{ file: notice.file, reason: notice.reason }}
                components={{ file: <bdi dir="ltr" className="file-name" /> }}
              />
            )}
          </p>
          <button
            type="button"
            className="button button-quiet button-small"
            aria-label={t('storage.dismissLabel', { file: notice.file })}
            onClick={() => setDismissed((previous) => new Set([...previous, keyOf(notice)]))}
          >
            {t('storage.dismiss')}
          </button>
        </section>
      ))}
    </div>
  );
}
