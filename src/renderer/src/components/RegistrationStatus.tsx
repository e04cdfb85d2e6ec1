import { Trans, useTranslation } from 'react-i18next';
import type { Registration } from '../../../shared/contract';
import { sanitizeDisplayText } from '../../../shared/display-text';

// Registrar answers can be long; the agent needs the gist at a glance.
const MAX_REASON_LENGTH = 200;

/** Props of {@link RegistrationStatus}. */
export interface RegistrationStatusProps {
  /** Where the phone stands with the registrar; null before main has answered. */
  registration: Registration | null;
}

/**
 * Whether the phone can take calls, in a live region so screen readers announce
 * every change (registered, connecting, failed with the reason, ...).
 */
export function RegistrationStatus({ registration }: RegistrationStatusProps) {
  const status = registration?.status ?? 'loading';
  return (
    <p
      role="status"
      className={`registration registration-${status}`}
      data-testid="registration-status"
      data-status={status}
    >
      <span className="registration-dot" aria-hidden="true" />
      <span className="registration-text">
        <RegistrationText registration={registration} />
      </span>
    </p>
  );
}

function RegistrationText({ registration }: RegistrationStatusProps) {
  const { t } = useTranslation();
  // Addresses and reasons are isolated (<bdi>) so a left-to-right SIP address
  // keeps its order inside a Persian sentence, and the reverse.
  const isolate = <bdi dir="auto" className="registration-detail" />;
  switch (registration?.status) {
    case undefined:
      return t('registration.loading');
    case 'unconfigured':
      return t('registration.unconfigured');
    case 'connecting':
      return t('registration.connecting');
    case 'stopped':
      return t('registration.stopped');
    case 'registered':
      return (
        <Trans
          i18nKey="registration.registered"
          values={{ aor: sanitizeDisplayText(registration.aor, MAX_REASON_LENGTH) }}
          components={{ uri: isolate }}
        />
      );
    case 'failed': {
      const reason = sanitizeDisplayText(registration.reason, MAX_REASON_LENGTH);
      if (reason === '') return t('registration.failedNoReason');
      return <Trans i18nKey="registration.failed" values={{ reason }} components={{ reason: isolate }} />;
    }
  }
}
