import { useTranslation } from 'react-i18next';
import type { CalmlineApi } from '../../../shared/api';
import type { WorkspaceView } from '../../../shared/workspace/workspace-view';
import { useCommand } from '../hooks/use-command';
import { CommandErrorAlert } from './CommandErrorAlert';

/** Props of {@link ReminderBanner}. */
export interface ReminderBannerProps {
  reminder: WorkspaceView['reminders'][number] & { kind: 'regular-break' | 'eye-rest' };
  api: Pick<CalmlineApi, 'snoozeReminder' | 'startBreak'>;
}

/**
 * A small banner for a regular-break or eye-rest reminder (W2 in docs/practice.md), with Snooze. A
 * regular-break reminder also starts the break in one step ("Take a break now"),
 * which makes the phone unavailable like the header's Take a break; an eye rest
 * needs no break, the agent just looks away.
 */
export function ReminderBanner({ reminder, api }: ReminderBannerProps) {
  const { t } = useTranslation();
  const snooze = useCommand();
  const takeBreak = useCommand();
  return (
    <div className="reminder" role="status" data-testid={`reminder-${reminder.kind}`}>
      <p className="reminder-text">{t(`reminders.${reminder.kind}`, { seconds: reminder.lengthSeconds })}</p>
      <div className="reminder-actions">
        {reminder.kind === 'regular-break' && (
          <button
            type="button"
            className="button button-primary button-small"
            aria-disabled={takeBreak.pending || undefined}
            onClick={() => takeBreak.run(() => api.startBreak('regular'))}
          >
            {t('reminders.takeBreakNow')}
          </button>
        )}
        <button
          type="button"
          className="button button-quiet button-small"
          aria-label={t(`reminders.snoozeLabel.${reminder.kind}`)}
          onClick={() => snooze.run(() => api.snoozeReminder(reminder.kind))}
        >
          {t('reminders.snooze')}
        </button>
      </div>
      {takeBreak.error !== null && <CommandErrorAlert code={takeBreak.error} lead={t('breaks.notStarted')} />}
      {snooze.error !== null && <CommandErrorAlert code={snooze.error} />}
    </div>
  );
}
