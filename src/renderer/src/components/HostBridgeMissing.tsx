import { useTranslation } from 'react-i18next';

/**
 * Shown instead of the phone when the host did not install `window.calmline`:
 * nothing can work, so say so plainly rather than fail on the first click.
 */
export function HostBridgeMissing() {
  const { t } = useTranslation();
  return (
    <main className="bridge-missing" data-testid="bridge-missing">
      <div role="alert" className="bridge-missing-card">
        <h1 className="bridge-missing-title">{t('bridge.title')}</h1>
        <p>{t('bridge.body')}</p>
        <p>{t('bridge.action')}</p>
      </div>
    </main>
  );
}
