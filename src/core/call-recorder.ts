/**
 * Files every call in the history as it happens: once when it is first offered (so
 * notes typed during the call have a record to attach to) and again when it ends.
 * Writes for one call are chained, so the end never overtakes the start.
 */
import type { CallRecordInput } from '../shared/call-record';
import type { CallView } from '../shared/contract';
import type { CoreLogger } from './logger';
import type { CallHistory } from './storage/history/call-history';

type CallRecordOutcome = NonNullable<CallRecordInput['outcome']>;

/** Keeps the call history in step with the phone's calls. */
export class CallRecorder {
  private readonly written = new Map<string, { ended: boolean; chain: Promise<void> }>();

  constructor(
    private readonly history: Pick<CallHistory, 'recordCall'>,
    private readonly agentName: () => string,
    private readonly logger: CoreLogger,
  ) {}

  /** Looks at the phone's calls after a change and files what is new. */
  observe(calls: readonly CallView[]): void {
    for (const call of calls) {
      const known = this.written.get(call.id);
      const ended = call.state === 'ended';
      if (known && (known.ended || !ended)) continue;
      const previous = known?.chain ?? Promise.resolve();
      const chain = previous.then(() => this.file(call));
      this.written.set(call.id, { ended, chain });
    }
  }

  /** Resolves once the call's record is on disk (or its write failed and was logged). */
  ready(callId: string): Promise<void> {
    return this.written.get(callId)?.chain ?? Promise.resolve();
  }

  /** Resolves once every pending write has settled. */
  async settled(): Promise<void> {
    await Promise.all([...this.written.values()].map((entry) => entry.chain));
  }

  private async file(call: CallView): Promise<void> {
    try {
      await this.history.recordCall({
        callId: call.id,
        number: call.remoteNumber.slice(0, 64),
        name: call.remoteName.slice(0, 256),
        direction: call.direction === 'incoming' ? 'inbound' : 'outbound',
        startedAt: call.offeredAt,
        ...(call.endedAt !== null ? { endedAt: call.endedAt } : {}),
        ...(call.endReason !== null ? { endReason: call.endReason } : {}),
        ...endDetailOf(call),
        agent: this.agentName().slice(0, 128),
        ...(call.state === 'ended' ? { outcome: callOutcome(call) } : {}),
      });
    } catch (error) {
      this.logger.error(
        `Could not file call ${call.id} in the history: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}

/** The detail of the call's `ended` timeline entry (a status code, a Reason header), for the record. */
function endDetailOf(call: CallView): { endDetail?: string } {
  const detail = call.state === 'ended' ? call.timeline.findLast((e) => e.kind === 'ended')?.detail : undefined;
  return detail ? { endDetail: detail.slice(0, 200) } : {};
}

/** How an ended call went, for the caller card's "Last calls" (missed and declined shown compactly). */
export function callOutcome(call: Pick<CallView, 'answeredAt' | 'direction' | 'endReason'>): CallRecordOutcome {
  if (call.answeredAt !== null) return 'answered';
  if (call.direction === 'outgoing') return 'unanswered';
  return call.endReason === 'declined' ? 'declined' : 'missed';
}
