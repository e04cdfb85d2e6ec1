import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { CallView, TransferView } from '../../../shared/contract';
import { transferFailureReason } from '../call-controls';

/** Props of {@link TransferStatus}. */
export interface TransferStatusProps {
  call: Pick<CallView, 'state' | 'transfer'>;
  /** The consult leg of an attended transfer, while there is one. */
  consult?: Pick<CallView, 'state'>;
}

/** Who the transfer goes to, as the agent reads it. */
function targetText(transfer: TransferView, t: TFunction): string {
  return transfer.escalation ? t('transfer.supervisor', { target: transfer.target }) : transfer.target;
}

/** The progress sentence of a transfer, with the SIP status when there is one. */
export function transferProgressText(
  transfer: TransferView,
  consult: Pick<CallView, 'state'> | undefined,
  t: TFunction,
): string {
  const target = targetText(transfer, t);
  if (transfer.status === 'consulting') {
    return consult?.state === 'active'
      ? t('transfer.progress.consultingConnected', { target })
      : t('transfer.progress.consulting', { target });
  }
  const text = t(`transfer.progress.${transfer.status}`, { target });
  return transfer.statusCode === null ? text : t('transfer.withCode', { text, code: transfer.statusCode });
}

/** What to tell the agent after a failed transfer: why, and that the caller waits on hold. */
export function transferFailedText(transfer: TransferView, t: TFunction): string {
  const reason = transferFailureReason(transfer.statusCode);
  if (transfer.statusCode === null) {
    return reason === 'other'
      ? t('transfer.failedNoReason')
      : t('transfer.failed', { reason: t(`transfer.reason.${reason}`) });
  }
  return t('transfer.failed', {
    reason: t('transfer.withCode', {
      text: t(`transfer.reason.${reason}`),
      code: transfer.statusCode,
    }),
  });
}

/**
 * A transfer under way (consulting, trying, ringing) as a line of progress, or a
 * failed one as an alert that says the caller is on hold and how to get them back.
 */
export function TransferStatus({ call, consult }: TransferStatusProps) {
  const { t } = useTranslation();
  const transfer = call.transfer;
  if (!transfer) return null;
  if (call.state === 'held' && transfer.status === 'failed') {
    return (
      <p role="alert" className="alert" data-testid="transfer-failed">
        {transferFailedText(transfer, t)}
      </p>
    );
  }
  const inProgress = call.state === 'transferring' || (call.state === 'held' && transfer.status === 'consulting');
  if (!inProgress) return null;
  return (
    <p className="transfer-progress" data-testid="transfer-progress" data-status={transfer.status}>
      {transferProgressText(transfer, consult, t)}
    </p>
  );
}
