import { useTranslation } from 'react-i18next';
import type { CalmlineApi } from '../../../shared/api';
import type { WorkspaceView } from '../../../shared/workspace/workspace-view';
import { useCommand } from '../hooks/use-command';
import { CommandErrorAlert } from './CommandErrorAlert';

/** Props of {@link ReminderBanner}. */
export interface ReminderBannerProps {
  reminder: WorkspaceView['reminders'][number] & { kind: 'regular-break' | 'eye-rest' };
  api: Pick<CalmlineApi, 'snoozeReminder'>;
}

/** A small banner for a regular-break or eye-rest reminder (W2), with Snooze. */
export function ReminderBanner({ reminder, api }: ReminderBannerProps) {
  const { t } = useTranslation();
  const command = useCommand();
  return (
    <div className="reminder" role="status" data-testid={`reminder-${reminder.kind}`}>
      <p className="reminder-text">{t(`reminders.${reminder.kind}`, { seconds: reminder.lengthSeconds })}</p>
      <button
        type="button"
        className="button button-quiet button-small"
        aria-label={t(`reminders.snoozeLabel.${reminder.kind}`)}
        onClick={() => command.run(() => api.snoozeReminder(reminder.kind))}
      >
        {t('reminders.snooze')}
      </button>
      {command.error !== null && <CommandErrorAlert code={command.error} />}
    </div>
  );
}
