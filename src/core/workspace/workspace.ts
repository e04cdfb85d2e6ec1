/**
 * The agent's workspace, assembled: availability (in call, wrap-up, break), the
 * break policy's timers and reminders, and one checklist run per call. AppCore
 * feeds it the phone's calls and forwards `view()` to the renderer on every change;
 * the phone follows `phoneAvailability()` (486 or unregistered while away).
 */
import type { CallView } from '../../shared/contract';
import {
  BUILT_IN_CHECKLISTS,
  recordCommitment,
  resolveDefaultChecklist,
  setStepChecked,
  startChecklistRun,
  type ChecklistDefinition,
  type ChecklistRun,
  type CommitmentInput,
} from '../../shared/workspace/checklists';
import type { WorkspaceView } from '../../shared/workspace/workspace-view';
import type { WorkspacePolicy } from '../../shared/workspace/workspace-policy';
import { WorkspaceError } from '../../shared/workspace/workspace-error';
import type { Clock } from '../clock';
import type { CoreLogger } from '../logger';
import {
  AgentAvailability,
  type BreakKind,
  type PhoneAvailability,
  type WrapUpInput,
  type WrapUpRecord,
} from './agent-availability';
import { BreakPolicy, type ReminderKind } from './break-policy';

/** What the workspace needs. */
export interface WorkspaceOptions {
  clock: Clock;
  logger: CoreLogger;
  policy: WorkspacePolicy;
  /** The checklists IT deployed, already loaded; default: the built-ins. */
  checklists?: readonly ChecklistDefinition[];
  /** The agent's name, filled in where a greeting or thank-you text says `{name}` (P2, P5). */
  agentName?: () => string;
}

/** Fills the agent's name into every language of a prompt text where it says `{name}`. */
export function fillAgentName<T extends Record<string, string>>(text: T, name: string): T {
  return Object.fromEntries(
    Object.entries(text).map(([language, value]) => [language, value.replaceAll('{name}', name)]),
  ) as T;
}

/** Availability, timers and checklists behind one face. */
export class Workspace {
  readonly availability: AgentAvailability;
  readonly breaks: BreakPolicy;
  readonly checklists: readonly ChecklistDefinition[];
  private readonly runs = new Map<string, ChecklistRun>();
  private readonly listeners = new Set<() => void>();
  private readonly finishedListeners = new Set<(record: WrapUpRecord, run: ChecklistRun | undefined) => void>();
  private defaultChecklist: ChecklistDefinition;

  constructor(private readonly options: WorkspaceOptions) {
    this.checklists = options.checklists ?? BUILT_IN_CHECKLISTS;
    const resolved = resolveDefaultChecklist(this.checklists, options.policy.defaultChecklistId);
    if (resolved.error) options.logger.warn(resolved.error);
    this.defaultChecklist = resolved.checklist;
    this.availability = new AgentAvailability({ clock: options.clock, policy: options.policy });
    this.breaks = new BreakPolicy({ clock: options.clock, policy: options.policy, availability: this.availability });
    // Ring-timer ticks are not state changes: the renderer counts from `since` itself.
    this.availability.onEvent((event) => {
      // The run is still here: it goes only once the wrap-up has finished.
      if (event.type === 'wrap-up-finished') this.wrapUpFinished(event.record);
      this.changed();
    });
    this.breaks.onEvent((event) => {
      if (event.type !== 'ring-timer') this.changed();
    });
  }

  /** Feeds the phone's calls in: starts checklist runs, moves availability. */
  updateCalls(calls: readonly CallView[]): void {
    for (const call of calls) {
      if (call.state === 'active' && !this.runs.has(call.id) && call.consultFor === null) {
        this.runs.set(call.id, startChecklistRun(this.defaultChecklist, call.id, this.options.clock.now()));
      }
    }
    this.availability.updateCalls(calls);
    const live = new Set(calls.filter((c) => c.state !== 'ended').map((c) => c.id));
    const wrapping = this.wrapUpCallIds();
    for (const id of this.runs.keys()) if (!live.has(id) && !wrapping.has(id)) this.runs.delete(id);
  }

  /** What the phone should do about new calls now. */
  phoneAvailability(): PhoneAvailability {
    return this.availability.phoneAvailability();
  }

  /** The run of a call's checklist (live call or the call in wrap-up). */
  checklist(callId: string): ChecklistRun {
    const run = this.runs.get(callId);
    if (!run)
      throw new WorkspaceError('unknown-checklist', 'This call has no checklist: it is not active or in wrap-up.');
    return run;
  }

  setStep(callId: string, stepId: string, checked: boolean): ChecklistRun {
    return this.replaceRun(setStepChecked(this.checklist(callId), stepId, checked, this.options.clock.now()));
  }

  /**
   * Records the Take-action commitment. `persist` (the follow-up on the caller's
   * record) runs first: the run shows the commitment only once it is kept.
   */
  async recordCommitment(
    callId: string,
    input: CommitmentInput,
    persist: (run: ChecklistRun) => Promise<void> = async () => undefined,
  ): Promise<ChecklistRun> {
    const run = recordCommitment(this.checklist(callId), input, this.options.clock.now());
    await persist(run);
    return this.replaceRun(run);
  }

  markCallFlagged(callId: string): void {
    if (this.availability.markCallFlagged(callId)) this.changed();
  }

  completeWrapUp(input: WrapUpInput): void {
    const { callId } = this.availability.completeWrapUp(input);
    this.runs.delete(callId);
  }

  startBreak(kind: BreakKind): void {
    this.availability.startBreak(kind);
  }

  endBreak(): void {
    this.availability.endBreak();
  }

  declineBreakOffer(): void {
    this.availability.declineBreakOffer();
  }

  snoozeReminder(kind: ReminderKind): void {
    this.breaks.snooze(kind);
  }

  /** Called once per finished wrap-up (by the agent, the time limit or a new call), with the call's checklist run. */
  onWrapUpFinished(listener: (record: WrapUpRecord, run: ChecklistRun | undefined) => void): () => void {
    this.finishedListeners.add(listener);
    return () => this.finishedListeners.delete(listener);
  }

  /** Subscribes to changes; returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  view(): WorkspaceView {
    const state = this.availability.state();
    const timers = this.breaks.snapshot();
    const offer = timers.breakOffer;
    return {
      status: state.status,
      acceptingCalls: this.availability.isAcceptingCalls(),
      breakOffer: offer ? { reason: offer.reason, callId: offer.callId, minutes: offer.minutes } : null,
      activeBreak:
        state.status === 'on-break'
          ? { kind: state.kind, startedAt: state.since, endsAt: state.endsAt, overrun: state.overrun }
          : null,
      wrapUp:
        state.status === 'wrap-up'
          ? { callId: state.call.callId, deadline: state.deadline, outcome: state.outcome, note: state.note }
          : null,
      callLengthHint: timers.callLengthHint
        ? { callId: timers.callLengthHint.callId, minutes: timers.callLengthHint.minutes }
        : null,
      prompt: timers.prompt
        ? { ...timers.prompt, text: fillAgentName(timers.prompt.text, this.options.agentName?.() ?? '') }
        : null,
      reminders: timers.reminders.map(({ kind, status, dueAt, lengthSeconds, endsAt }) => ({
        kind,
        status,
        dueAt,
        lengthSeconds,
        endsAt,
      })),
      checklists: Object.fromEntries(this.runs),
    };
  }

  dispose(): void {
    this.breaks.dispose();
    this.availability.dispose();
    this.listeners.clear();
    this.finishedListeners.clear();
  }

  /** The call in wrap-up and those whose wrap-ups wait: their checklists stay. */
  private wrapUpCallIds(): Set<string> {
    return new Set(this.availability.wrapUpCallIds());
  }

  private replaceRun(run: ChecklistRun): ChecklistRun {
    this.runs.set(run.callId, run);
    this.changed();
    return run;
  }

  private wrapUpFinished(record: WrapUpRecord): void {
    const run = this.runs.get(record.callId);
    for (const listener of [...this.finishedListeners]) {
      try {
        listener(record, run);
      } catch (error) {
        this.options.logger.error(`Wrap-up listener failed: ${String(error)}`);
      }
    }
  }

  private changed(): void {
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch (error) {
        this.options.logger.error(`Workspace listener failed: ${String(error)}`);
      }
    }
  }
}
