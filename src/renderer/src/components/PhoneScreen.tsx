import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CalmlineApi } from '../../../shared/api';
import { usePhoneState } from '../hooks/use-phone-state';
import type { PhoneProblem } from '../state/phone-store';
import { AccountSettingsForm } from './AccountSettingsForm';
import { CallList } from './CallList';
import { CommandErrorAlert } from './CommandErrorAlert';
import { RecentCalls } from './RecentCalls';
import { RegistrationStatus } from './RegistrationStatus';

/** Props of {@link PhoneScreen}. */
export interface PhoneScreenProps {
  api: CalmlineApi;
}

/**
 * The first screen: registration status, the calls to act on, recently ended calls
 * and the account settings. Settings open by themselves while no account is set up.
 */
export function PhoneScreen({ api }: PhoneScreenProps) {
  const { t } = useTranslation();
  const { phone, recentlyEnded, problem } = usePhoneState(api);
  // null: the agent has not chosen, so settings follow the registration status.
  const [settingsChoice, setSettingsChoice] = useState<boolean | null>(null);
  const settingsId = useId();
  const settingsOpen = settingsChoice ?? phone?.registration.status === 'unconfigured';

  return (
    <div className="app">
      <header className="app-header">
        <h1 className="app-title">{t('app.title')}</h1>
        <RegistrationStatus registration={phone?.registration ?? null} />
        <button
          type="button"
          className="button button-quiet"
          aria-expanded={settingsOpen}
          aria-controls={settingsOpen ? settingsId : undefined}
          onClick={() => setSettingsChoice(!settingsOpen)}
        >
          {t('app.settings')}
        </button>
      </header>
      <main className="app-main">
        {problem && <PhoneProblemAlert problem={problem} />}
        <CallList calls={phone?.calls ?? []} api={api} />
        {settingsOpen && (
          <div id={settingsId} className="settings-panel">
            <AccountSettingsForm
              api={api}
              // Keep the form open after a save from the automatic opening, so
              // the agent sees "Saved" instead of the form vanishing.
              onSaved={() => setSettingsChoice(true)}
              onClose={() => setSettingsChoice(false)}
            />
          </div>
        )}
        <RecentCalls calls={recentlyEnded} />
      </main>
    </div>
  );
}

function PhoneProblemAlert({ problem }: { problem: PhoneProblem }) {
  const { t } = useTranslation();
  if (problem.kind === 'invalid-update') {
    return (
      <p role="alert" className="alert">
        {t('phone.invalidUpdate')}
      </p>
    );
  }
  return <CommandErrorAlert code={problem.code} lead={t('phone.loadFailed')} />;
}
