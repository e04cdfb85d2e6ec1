/**
 * The rules where something in one feature changes another, kept in one place so
 * each has a name and a test instead of hiding inside a command handler:
 *
 * - W1: a flag added during a call (or its wrap-up) earns the agent a de-escalation
 *   break offer (`flagAdded`).
 * - H4: the Take-action commitment becomes a follow-up on the caller's record
 *   (`keepCommitment`).
 * - The phone holds new calls back on a break, and during wrap-up unless the
 *   workspace policy's `wrapUpHoldsCalls` is false (`phoneAvailability`).
 * - A call that starts ringing has its caller looked up and pushed, so the caller
 *   card shows the flags without a round trip of its own (`prefetchCallers`).
 * - A break started while calls wait turns those calls away: calls are not offered
 *   on a break (`callsToTurnAway`).
 * - A finished wrap-up (with an outcome) goes to the shared caller directory as the
 *   call's outcome and commitment, so the next agent sees the last calls (`wrapUpFinished`).
 */
import type { CallView } from '../shared/contract';
import { followUpFromRun, type ChecklistRun } from '../shared/workspace/checklists';
import type { WorkspacePolicy } from '../shared/workspace/workspace-policy';
import type { EmitCoreEvent } from './core-events';
import type { CoreLogger } from './logger';
import type { CallerRecord } from '../shared/caller-record';
import type { CallerDirectory } from './storage/callers/caller-directory';
import type { PhoneAvailability } from './workspace/agent-availability';
import type { WrapUpRecord } from './workspace/agent-availability';
import type { Workspace } from './workspace/workspace';
import type { FinishedCall } from './directory/remote-caller-directory';

/** What the rules read and act on. */
export interface CrossFeatureRulesOptions {
  workspace: Pick<Workspace, 'availability' | 'markCallFlagged' | 'phoneAvailability'>;
  workspacePolicy: Pick<WorkspacePolicy, 'wrapUpHoldsCalls'>;
  /** The caller directory; absent in an app without agent data, which turns H4 and the prefetch off. */
  directory:
    | (Pick<CallerDirectory, 'lookup' | 'addFollowUp'> & {
        peek?(number: string): CallerRecord | undefined;
        /** Only the shared directory keeps the last calls (RemoteCallerDirectory). */
        recordCall?(number: string, call: FinishedCall): Promise<void>;
      })
    | undefined;
  /** The phone's calls now. */
  calls(): readonly CallView[];
  /** The name written as author of the follow-up. */
  agentName(): string;
  emit: EmitCoreEvent<'callers:prefetched'>;
  logger: CoreLogger;
}

/** The cross-feature rules of one AppCore. */
export class CrossFeatureRules {
  /** Calls already prefetched, so each ringing call is looked up once. */
  private readonly prefetched = new Set<string>();
  /** Calls already turned away, so each is declined once. */
  private readonly turnedAway = new Set<string>();
  /** The caller's number of each call seen, until its wrap-up finishes (a wrap-up outlives the call). */
  private readonly numbers = new Map<string, string>();

  constructor(private readonly options: CrossFeatureRulesOptions) {}

  /** W1: a flag added during a call earns the agent a de-escalation break offer; one without a call changes nothing. */
  flagAdded(callId: string | undefined): void {
    if (callId) this.options.workspace.markCallFlagged(callId);
  }

  /**
   * H4: the promise to the caller becomes a follow-up reminder on their record. Runs
   * before the checklist shows the commitment, so a failed write refuses the command.
   */
  async keepCommitment(run: ChecklistRun): Promise<void> {
    const { directory } = this.options;
    const followUp = followUpFromRun(run);
    const call = this.options.calls().find((c) => c.id === run.callId);
    if (followUp && call?.remoteNumber && directory) {
      await directory.addFollowUp(call.remoteNumber, { ...followUp, author: this.options.agentName() });
    }
  }

  /**
   * A finished wrap-up with an outcome becomes one of the caller's last calls in the
   * shared directory: outcome and commitment (the note only where the centre shares it,
   * which the directory decides). Queued in its outbox, so nothing is lost while it is away.
   */
  wrapUpFinished(record: WrapUpRecord, run: ChecklistRun | undefined): void {
    const { directory, logger } = this.options;
    const number = this.numbers.get(record.callId);
    this.numbers.delete(record.callId);
    if (!directory?.recordCall || !number || record.outcome === null) return;
    const commitment = run?.commitment;
    const call: FinishedCall = {
      callId: record.callId,
      outcome: record.outcome,
      ...(commitment
        ? { commitment: commitment.text.trim() || `${commitment.kind} ${new Date(commitment.due).toISOString()}` }
        : {}),
      ...(record.note.trim() ? { note: record.note } : {}),
      endedAt: record.finishedAt,
    };
    directory.recordCall(number, call).catch((error: unknown) => {
      logger.warn(`Recording the call in the caller directory failed: ${String(error)}`);
    });
  }

  /**
   * What the phone does with new calls: a break holds them back, and so does the
   * wrap-up unless the workspace policy says otherwise.
   */
  phoneAvailability(): PhoneAvailability {
    const { workspace, workspacePolicy } = this.options;
    const status = workspace.availability.state().status;
    if (status === 'wrap-up' && !workspacePolicy.wrapUpHoldsCalls) return { accepting: true };
    return workspace.phoneAvailability();
  }

  /**
   * The ringing calls to decline because the agent is on a break (a break can start
   * while calls wait, docs/architecture.md#agent-availability); each id once.
   */
  callsToTurnAway(calls: readonly CallView[]): string[] {
    const present = new Set(calls.map((call) => call.id));
    for (const id of this.turnedAway) if (!present.has(id)) this.turnedAway.delete(id);
    if (this.options.workspace.availability.state().status !== 'on-break') return [];
    const ids = calls
      .filter((call) => call.state === 'ringing' && call.direction === 'incoming' && !this.turnedAway.has(call.id))
      .map((call) => call.id);
    for (const id of ids) this.turnedAway.add(id);
    return ids;
  }

  /**
   * Looks up the caller of each call that starts ringing and pushes the record, so the
   * caller card shows the flags without a round trip of its own (bench/workspace.ts).
   */
  prefetchCallers(calls: readonly CallView[]): void {
    const { directory, emit, logger } = this.options;
    if (!directory) return;
    for (const call of calls) {
      if (call.remoteNumber !== '' && !this.numbers.has(call.id)) {
        this.numbers.set(call.id, call.remoteNumber);
        // Calls that never reach a wrap-up (unanswered) leave no entry behind for long: the oldest go.
        const oldest = this.numbers.keys().next();
        if (this.numbers.size > 200 && !oldest.done) this.numbers.delete(oldest.value);
      }
      if (call.state !== 'ringing' || call.remoteNumber === '' || this.prefetched.has(call.id)) continue;
      this.prefetched.add(call.id);
      const number = call.remoteNumber;
      // A directory in memory answers at once: the record goes out in the same step as the ringing call.
      if (directory.peek) {
        emit('callers:prefetched', { callId: call.id, number, record: directory.peek(number) ?? null });
        continue;
      }
      void directory.lookup(number).then(
        (record) => emit('callers:prefetched', { callId: call.id, number, record: record ?? null }),
        (error: unknown) => logger.warn(`Looking up the caller failed: ${String(error)}`),
      );
    }
    // Forget calls no longer in the state, so the set stays small.
    const present = new Set(calls.map((call) => call.id));
    for (const id of this.prefetched) if (!present.has(id)) this.prefetched.delete(id);
  }
}
