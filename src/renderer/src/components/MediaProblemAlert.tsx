import { useTranslation } from 'react-i18next';
import type { CalmlineApi } from '../../../shared/api';
import type { CallView } from '../../../shared/contract';
import { useCommand } from '../hooks/use-command';
import { CommandErrorAlert } from './CommandErrorAlert';

/** Props of {@link MediaProblemAlert}. */
export interface MediaProblemAlertProps {
  callId: string;
  problem: NonNullable<CallView['mediaProblem']>;
  /** The caller's name or number, for the button's accessible name. */
  caller: string;
  /** The core allows a reconnection now (not while another re-INVITE of the call is under way). */
  canReconnect: boolean;
  api: Pick<CalmlineApi, 'reconnectAudio'>;
}

/**
 * The call is connected in SIP but its audio is not working (the engine's watchdog,
 * ICE, or the microphone said so). Says what is wrong in the agent's language, what to
 * do about it, and offers the re-INVITE; hanging up stays with the call's own buttons.
 */
export function MediaProblemAlert({ callId, problem, caller, canReconnect, api }: MediaProblemAlertProps) {
  const { t } = useTranslation();
  const command = useCommand();
  return (
    <div role="alert" className="alert media-problem" data-testid="media-problem" data-kind={problem.kind}>
      <p>
        <strong>{t('media.problemTitle')}:</strong> {t(`media.problem.${problem.kind}`)}
      </p>
      <p>{t('media.advice')}</p>
      <button
        type="button"
        className="button"
        aria-label={t('media.reconnectLabel', { caller })}
        disabled={command.pending || !canReconnect}
        onClick={() => command.run(() => api.reconnectAudio(callId))}
      >
        {t('media.reconnect')}
      </button>
      {command.error !== null && <CommandErrorAlert code={command.error} />}
    </div>
  );
}
