import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CalmlineApi } from '../../../shared/api';
import type { DataProtectionView } from '../../../shared/contract';

/** Props of {@link DataProtectionNotice}. */
export interface DataProtectionNoticeProps {
  api: Pick<CalmlineApi, 'getDataProtection'>;
}

/**
 * A notice that stays while the agent's data is stored without encryption (no OS
 * keychain): it cannot be dismissed, because the condition does not go away by
 * reading it. Shown too when main cannot say, since then nobody knows.
 */
export function DataProtectionNotice({ api }: DataProtectionNoticeProps) {
  const { t } = useTranslation();
  const [protection, setProtection] = useState<DataProtectionView | 'unknown' | undefined>();

  useEffect(() => {
    let current = true;
    api.getDataProtection().then(
      (result) => {
        if (current) setProtection(result.ok ? result.value : 'unknown');
      },
      () => {
        if (current) setProtection('unknown');
      },
    );
    return () => {
      current = false;
    };
  }, [api]);

  if (protection === undefined) return null;
  if (protection !== 'unknown' && (protection.encrypted || !protection.storesData)) return null;
  return (
    <section
      className="alert storage-notice data-protection-notice"
      aria-labelledby="data-protection-heading"
      data-testid="data-protection-notice"
    >
      <h2 className="card-subheading" id="data-protection-heading">
        {t('dataProtection.heading')}
      </h2>
      {/* One line by default, so the one-screen call layout holds; the explanation on demand. */}
      <details>
        <summary>{t('dataProtection.why')}</summary>
        <p>{protection === 'unknown' ? t('dataProtection.unknown') : t('dataProtection.notEncrypted')}</p>
      </details>
    </section>
  );
}
