import { useTranslation } from 'react-i18next';
import type { CalmlineApi } from '../../../shared/api';
import type { CallView } from '../../../shared/contract';
import { callerDisplay } from '../caller-display';
import { useCommand } from '../hooks/use-command';
import { CallerIdentity } from './CallerIdentity';
import { CommandErrorAlert } from './CommandErrorAlert';

/** Something the agent can do to a call from its panel. */
export type CallAction = 'answer' | 'decline' | 'hang-up';

/**
 * The buttons a call offers in its current state: an incoming call that rings can
 * be answered or declined; a call being set up or under way can be hung up.
 */
export function callActions(call: Pick<CallView, 'state' | 'direction'>): readonly CallAction[] {
  switch (call.state) {
    case 'ringing':
      // An outgoing call ringing at the far end can only be abandoned.
      return call.direction === 'incoming' ? ['answer', 'decline'] : ['hang-up'];
    case 'dialing':
    case 'active':
    case 'held':
    case 'transferring':
      return ['hang-up'];
    case 'ended':
      return [];
  }
}

/** Props of {@link CallPanel}. */
export interface CallPanelProps {
  call: CallView;
  api: Pick<CalmlineApi, 'answer' | 'decline' | 'hangUp'>;
}

/**
 * One call as the agent sees it: who is calling, what the call is doing, and the
 * buttons for it. Buttons show a short verb; their accessible name says whose call
 * it is, so a screen reader user with two calls knows which one they act on.
 */
export function CallPanel({ call, api }: CallPanelProps) {
  const { t } = useTranslation();
  const command = useCommand();
  const display = callerDisplay(call);
  const caller = display.primary || t('calls.unknownCaller');
  const actions = callActions(call);

  return (
    <section
      className={`call-panel call-panel-${call.state}`}
      data-testid={`call-${call.id}`}
      data-state={call.state}
      data-direction={call.direction}
      aria-label={t('calls.region', { caller })}
    >
      <CallerIdentity display={display} unknownLabel={caller} />
      <p className="call-state">{t(`calls.state.${call.state}`)}</p>
      {actions.length > 0 && (
        <div className="call-actions">
          {actions.includes('answer') && (
            <button
              type="button"
              className="button button-answer"
              aria-label={t('calls.answerLabel', { caller })}
              onClick={() => command.run(() => api.answer(call.id))}
            >
              {t('calls.answer')}
            </button>
          )}
          {actions.includes('decline') && (
            <button
              type="button"
              className="button button-end"
              aria-label={t('calls.declineLabel', { caller })}
              onClick={() => command.run(() => api.decline(call.id))}
            >
              {t('calls.decline')}
            </button>
          )}
          {actions.includes('hang-up') && (
            <button
              type="button"
              className="button button-end"
              aria-label={t('calls.hangUpLabel', { caller })}
              onClick={() => command.run(() => api.hangUp(call.id))}
            >
              {t('calls.hangUp')}
            </button>
          )}
        </div>
      )}
      {command.error !== null && <CommandErrorAlert code={command.error} />}
    </section>
  );
}
