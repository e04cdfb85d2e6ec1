/**
 * The agent's availability: one explicit state machine for whether the agent can
 * take a call. Every change goes through `nextAgentStatus`, which refuses impossible
 * moves with an AgentTransitionError that says what to do instead.
 *
 * ```txt
 *  available ──call rings / is placed──▶ in-call ──all calls ended, one answered──▶ wrap-up
 *     ▲ │                                  │  ▲                                        │ │
 *     │ │                                  │  └──── a call is answered / placed ───────┘ │
 *     │ │◀──── no call was answered ───────┘                                             │
 *     │ │◀──── complete-wrap-up (outcome required) / wrap-up time limit ─────────────────┘
 *     │ │
 *     │ └──start-break──▶ on-break ──countdown-ended──▶ on-break (overrun)
 *     │                      │                              │
 *     └────── end-break ─────┴──────────────────────────────┘
 *            (a call answered or placed during a break also ends it, → in-call)
 * ```
 *
 * `in-call` is derived from the phone's calls (`updateCalls`), never commanded.
 * `wrap-up` follows an answered call; it ends when the agent completes it (an
 * outcome is required) or when the policy's time limit passes, and leads back to
 * `available`, carrying the de-escalation break offer decided at the call's end
 * (W1). `on-break` is only ever started by the agent and ends only by `endBreak()`:
 * when the countdown reaches zero the state says `overrun` and the phone stays
 * unavailable until the agent comes back (one action). While in wrap-up or on a
 * break, the phone should not offer calls (`phoneAvailability()`).
 *
 * Rule codes (W1 …) are defined in docs/practice.md.
 */
import type { CallView } from '../../shared/contract';
import type { Clock, TimerHandle } from '../clock';
import { decideDeEscalationOffer, type BreakOffer, type EndedCallSummary } from './break-offer';
import type { UnavailableMode, WorkspacePolicy } from '../../shared/workspace/workspace-policy';
import { WorkspaceError } from '../../shared/workspace/workspace-error';

/** The agent's states. */
export const agentStatuses = ['available', 'in-call', 'wrap-up', 'on-break'] as const;

/** One of `agentStatuses`. */
export type AgentStatus = (typeof agentStatuses)[number];

/** How a call went, chosen in wrap-up (issue 6). */
export const wrapUpOutcomes = ['resolved', 'follow-up', 'escalated'] as const;

/** One of `wrapUpOutcomes`. */
export type WrapUpOutcome = (typeof wrapUpOutcomes)[number];

/** The breaks the agent can take: after a hard call (W1) or a regular one (W2). */
export const breakKinds = ['de-escalation', 'regular'] as const;

/** One of `breakKinds`. */
export type BreakKind = (typeof breakKinds)[number];

/** Longest wrap-up note. */
export const MAX_WRAP_UP_NOTE_LENGTH = 2_000;

/** Something that moves the agent's state: an agent command, a call fact, or a timer. */
export type AgentAction =
  | 'call-started'
  | 'calls-ended'
  | 'call-missed'
  | 'set-wrap-up'
  | 'complete-wrap-up'
  | 'wrap-up-time-limit'
  | 'start-break'
  | 'countdown-ended'
  | 'end-break'
  | 'decline-break-offer';

const TRANSITIONS: Record<AgentStatus, Partial<Record<AgentAction, AgentStatus>>> = {
  available: { 'call-started': 'in-call', 'start-break': 'on-break', 'decline-break-offer': 'available' },
  'in-call': { 'calls-ended': 'wrap-up', 'call-missed': 'available' },
  'wrap-up': {
    'set-wrap-up': 'wrap-up',
    'complete-wrap-up': 'available',
    'wrap-up-time-limit': 'available',
    'decline-break-offer': 'wrap-up',
    'call-started': 'in-call',
  },
  'on-break': { 'countdown-ended': 'on-break', 'end-break': 'available', 'call-started': 'in-call' },
};

const HINTS: Partial<Record<`${AgentStatus}:${AgentAction}`, string>> = {
  'in-call:start-break': 'Finish the call and its wrap-up first; a break can start once you are available.',
  'wrap-up:start-break': 'Complete the wrap-up first; the break is offered right after.',
  'on-break:start-break': 'You are already on a break.',
  'available:end-break': 'You are not on a break.',
  'in-call:end-break': 'You are not on a break.',
  'wrap-up:end-break': 'You are not on a break; complete the wrap-up instead.',
  'available:complete-wrap-up': 'There is no wrap-up open.',
  'in-call:complete-wrap-up': 'The call is still going; wrap-up starts after it ends.',
  'on-break:complete-wrap-up': 'There is no wrap-up open; end the break to become available.',
  'available:set-wrap-up': 'There is no wrap-up open.',
  'in-call:set-wrap-up': 'The call is still going; wrap-up starts after it ends.',
  'on-break:set-wrap-up': 'There is no wrap-up open.',
  'in-call:decline-break-offer': 'There is no break offer during a call.',
  'on-break:decline-break-offer': 'You are already on a break; end it to become available.',
};

/** A refused change of the agent's state; `code` matches the IPC code for refused moves. */
export class AgentTransitionError extends WorkspaceError {
  override name = 'AgentTransitionError';
  /** What to do instead (empty when there is nothing better to say). */
  readonly hint: string;

  constructor(
    readonly from: AgentStatus,
    readonly action: AgentAction,
  ) {
    const hint = HINTS[`${from}:${action}`] ?? '';
    super('invalid-transition', `Cannot ${action} while ${from}. ${hint}`.trim());
    this.hint = hint;
  }
}

/** The status after `action`, or an AgentTransitionError when the move is impossible. */
export function nextAgentStatus(from: AgentStatus, action: AgentAction): AgentStatus {
  const next = TRANSITIONS[from][action];
  if (next === undefined) throw new AgentTransitionError(from, action);
  return next;
}

/** True when `action` is allowed in `from` (for guards that must not throw, e.g. enabling a button). */
export function canAgent(from: AgentStatus, action: AgentAction): boolean {
  return TRANSITIONS[from][action] !== undefined;
}

/** A live call as the workspace needs it. */
export interface LiveCall {
  id: string;
  direction: 'incoming' | 'outgoing';
  state: CallView['state'];
  offeredAt: number;
  answeredAt: number | null;
  /** For the consult leg of an attended transfer: the call being transferred. */
  consultFor: string | null;
}

/** The agent's state as plain data, for the renderer and the timers. */
export type AgentState =
  | { status: 'available'; since: number; breakOffer: BreakOffer | null }
  | { status: 'in-call'; since: number; calls: LiveCall[] }
  | {
      status: 'wrap-up';
      since: number;
      /** When the time limit ends the wrap-up. */
      deadline: number;
      call: EndedCallSummary;
      outcome: WrapUpOutcome | null;
      note: string;
      /** Offered once the wrap-up ends. */
      breakOffer: BreakOffer | null;
    }
  | {
      status: 'on-break';
      since: number;
      kind: BreakKind;
      /** When the countdown reaches zero. */
      endsAt: number;
      /** The countdown has reached zero; the agent is still away until they end the break. */
      overrun: boolean;
    };

/** A finished wrap-up, for the call's record (the host adds the checklist run). */
export interface WrapUpRecord {
  callId: string;
  outcome: WrapUpOutcome | null;
  note: string;
  flagged: boolean;
  startedAt: number;
  finishedAt: number;
  /** The agent completed it, the time limit passed, or a new call took over. */
  finishedBy: 'agent' | 'time-limit' | 'interrupted';
}

/** A finished break. */
export interface BreakRecord {
  kind: BreakKind;
  startedAt: number;
  endedAt: number;
  plannedMs: number;
  /** How long past the countdown the agent stayed away. */
  overrunMs: number;
  /** The agent ended it, or answered/placed a call during it. */
  endedBy: 'agent' | 'call';
}

/** Whether the phone should offer calls now, and if not, how to refuse them. */
export type PhoneAvailability = { accepting: true } | { accepting: false; mode: UnavailableMode };

/** What AgentAvailability tells its listeners. */
export type AgentAvailabilityEvent =
  | { type: 'changed'; state: AgentState; previous: AgentStatus }
  | { type: 'calls'; calls: LiveCall[] }
  | { type: 'wrap-up-finished'; record: WrapUpRecord }
  | { type: 'break-countdown-ended'; kind: BreakKind; endsAt: number }
  | { type: 'break-finished'; record: BreakRecord };

/** Input of `setWrapUp` and `completeWrapUp`. */
export interface WrapUpInput {
  outcome?: WrapUpOutcome;
  note?: string;
}

/** What AgentAvailability needs. */
export interface AgentAvailabilityOptions {
  clock: Clock;
  policy: WorkspacePolicy;
}

interface SessionCall {
  view: LiveCall;
  endedAt: number | null;
}

/** The agent's availability, driven by the phone's calls, the agent's commands and the clock. */
export class AgentAvailability {
  private readonly clock: Clock;
  private policy: WorkspacePolicy;
  private current: AgentState;
  private live: LiveCall[] = [];
  /** Every call seen during the current in-call period, for the wrap-up summary. */
  private readonly session = new Map<string, SessionCall>();
  private readonly flagged = new Set<string>();
  /** An offer still open when a call came in that then went unanswered. */
  private carriedOffer: BreakOffer | null = null;
  private timer: TimerHandle | undefined;
  private readonly listeners = new Set<(event: AgentAvailabilityEvent) => void>();

  constructor(options: AgentAvailabilityOptions) {
    this.clock = options.clock;
    this.policy = options.policy;
    this.current = { status: 'available', since: this.clock.now(), breakOffer: null };
  }

  /** The current state (a copy). */
  state(): AgentState {
    return structuredClone(this.current);
  }

  /** The calls not ended yet, ringing ones included. */
  liveCalls(): LiveCall[] {
    return this.live.map((call) => ({ ...call }));
  }

  /** True while the phone should offer new calls: available, or in a call (call waiting is the phone's rule). */
  isAcceptingCalls(): boolean {
    return this.current.status === 'available' || this.current.status === 'in-call';
  }

  /** How the phone refuses calls while the agent is on a break (the policy's choice). */
  get unavailableMode(): UnavailableMode {
    return this.policy.unavailableMode;
  }

  /**
   * Whether and how the phone offers calls. A break uses the policy's mode; wrap-up
   * always answers 486, because unregistering for every minute of wrap-up would
   * make the registration flap with each call.
   */
  phoneAvailability(): PhoneAvailability {
    switch (this.current.status) {
      case 'available':
      case 'in-call':
        return { accepting: true };
      case 'wrap-up':
        return { accepting: false, mode: 'busy' };
      case 'on-break':
        return { accepting: false, mode: this.policy.unavailableMode };
    }
  }

  /** Subscribes to changes; returns the unsubscribe function. */
  onEvent(listener: (event: AgentAvailabilityEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Changes the policy; the time limits apply from the next wrap-up or break, the unavailable mode at once. */
  setPolicy(policy: WorkspacePolicy): void {
    this.policy = policy;
  }

  /**
   * Takes the phone's calls (the whole list, as pushed on every change) and derives
   * `in-call`. A ringing call alone does not interrupt a wrap-up or a break (the phone
   * should be refusing it); answering or placing a call does.
   */
  updateCalls(calls: readonly CallView[]): void {
    const now = this.clock.now();
    this.live = calls.filter((call) => call.state !== 'ended').map(toLiveCall);
    if (this.current.status === 'in-call') {
      for (const call of calls) {
        if (call.state !== 'ended' || this.session.has(call.id)) {
          this.session.set(call.id, {
            view: toLiveCall(call),
            endedAt: call.state === 'ended' ? (call.endedAt ?? now) : null,
          });
        }
      }
    }
    const engaged = this.live.some((call) => call.state !== 'ringing');
    switch (this.current.status) {
      case 'available':
        if (this.live.length > 0) this.enterInCall(now);
        break;
      case 'wrap-up':
      case 'on-break':
        if (engaged) this.enterInCall(now);
        break;
      case 'in-call':
        if (this.live.length === 0) this.leaveInCall(now);
        else this.set({ ...this.current, calls: this.liveCalls() });
        break;
    }
    this.emit({ type: 'calls', calls: this.liveCalls() });
  }

  /**
   * Notes that a flag was raised on the current call's caller (D3–D5), so a
   * de-escalation break is offered (W1). Flags raised in wrap-up count too: agents
   * often flag right after ending an abusive call. Returns false, changing nothing,
   * for a call that is not the current one.
   */
  markCallFlagged(callId: string): boolean {
    if (this.current.status === 'in-call' && this.session.has(callId)) {
      this.flagged.add(callId);
      return true;
    }
    if (this.current.status === 'wrap-up' && (this.current.call.callId === callId || this.session.has(callId))) {
      const call = { ...this.current.call, flagged: true };
      const breakOffer = decideDeEscalationOffer(call, this.policy, this.clock.now()) ?? this.current.breakOffer;
      this.set({ ...this.current, call, breakOffer });
      return true;
    }
    return false;
  }

  /** Sets the outcome and/or note of the open wrap-up (as the agent chooses and types). */
  setWrapUp(input: WrapUpInput): void {
    const wrapUp = this.requireWrapUp('set-wrap-up');
    this.set({ ...wrapUp, ...wrapUpChanges(input) });
  }

  /**
   * Completes the wrap-up: the agent is available again (with the break offer, if
   * any). An outcome is required, given here or earlier with `setWrapUp`.
   */
  completeWrapUp(input: WrapUpInput = {}): WrapUpRecord {
    const wrapUp = this.requireWrapUp('complete-wrap-up');
    const changes = wrapUpChanges(input);
    const outcome = changes.outcome ?? wrapUp.outcome;
    if (outcome === null) {
      throw new WorkspaceError(
        'outcome-required',
        'Choose how the call ended (resolved, follow-up or escalated) before completing the wrap-up.',
      );
    }
    return this.endWrapUp({ ...wrapUp, ...changes, outcome }, 'agent', this.clock.now());
  }

  /** Starts a break; its countdown comes from the policy. Only from `available`. */
  startBreak(kind: BreakKind): void {
    nextAgentStatus(this.current.status, 'start-break');
    const now = this.clock.now();
    const minutes = kind === 'de-escalation' ? this.policy.deEscalationBreakMinutes : this.policy.regularBreakMinutes;
    const endsAt = now + minutes * 60_000;
    this.schedule(endsAt - now, () => this.countdownEnded());
    this.set({ status: 'on-break', since: now, kind, endsAt, overrun: false });
  }

  /** Ends the break: the one action that brings the agent back. */
  endBreak(): BreakRecord {
    nextAgentStatus(this.current.status, 'end-break');
    const record = this.breakRecord('agent', this.clock.now());
    this.set({ status: 'available', since: record.endedAt, breakOffer: null });
    this.emit({ type: 'break-finished', record });
    return record;
  }

  /** Declines the offered de-escalation break. */
  declineBreakOffer(): void {
    nextAgentStatus(this.current.status, 'decline-break-offer');
    if (
      (this.current.status !== 'available' && this.current.status !== 'wrap-up') ||
      this.current.breakOffer === null
    ) {
      throw new WorkspaceError(
        'no-break-offer',
        'No break is offered right now; start a break yourself if you need one.',
      );
    }
    this.set({ ...this.current, breakOffer: null });
  }

  /** Stops the timers and drops the listeners. */
  dispose(): void {
    this.clearTimer();
    this.listeners.clear();
  }

  private requireWrapUp(action: AgentAction): Extract<AgentState, { status: 'wrap-up' }> {
    nextAgentStatus(this.current.status, action);
    if (this.current.status !== 'wrap-up') throw new AgentTransitionError(this.current.status, action);
    return this.current;
  }

  private enterInCall(now: number): void {
    nextAgentStatus(this.current.status, 'call-started');
    const left = this.current;
    // Ending a wrap-up or a break here is a fact (the agent took a call), not a refusal.
    const finished: AgentAvailabilityEvent[] = [];
    if (left.status === 'wrap-up')
      finished.push({ type: 'wrap-up-finished', record: wrapUpRecord(left, 'interrupted', now) });
    if (left.status === 'on-break') finished.push({ type: 'break-finished', record: this.breakRecord('call', now) });
    this.clearTimer();
    this.carriedOffer = left.status === 'available' ? left.breakOffer : null;
    this.session.clear();
    this.flagged.clear();
    for (const call of this.live) this.session.set(call.id, { view: call, endedAt: null });
    this.set({ status: 'in-call', since: now, calls: this.liveCalls() });
    for (const event of finished) this.emit(event);
  }

  private leaveInCall(now: number): void {
    const answered = [...this.session.values()]
      .filter((call) => call.view.answeredAt !== null)
      .sort((a, b) => (a.view.answeredAt ?? 0) - (b.view.answeredAt ?? 0));
    // The customer's call, not the consult leg to a colleague.
    const primary = answered.find((call) => call.view.consultFor === null) ?? answered[0];
    if (primary === undefined || primary.view.answeredAt === null) {
      nextAgentStatus('in-call', 'call-missed');
      const breakOffer = this.carriedOffer;
      this.carriedOffer = null;
      this.set({ status: 'available', since: now, breakOffer });
      return;
    }
    nextAgentStatus('in-call', 'calls-ended');
    const endedAt = primary.endedAt ?? now;
    const call: EndedCallSummary = {
      callId: primary.view.id,
      direction: primary.view.direction,
      answeredAt: primary.view.answeredAt,
      endedAt,
      talkMs: Math.max(0, endedAt - primary.view.answeredAt),
      flagged: [...this.session.keys()].some((id) => this.flagged.has(id)),
    };
    this.carriedOffer = null;
    const deadline = now + this.policy.wrapUpLimitSeconds * 1000;
    this.schedule(deadline - now, () => this.wrapUpTimeLimit());
    this.set({
      status: 'wrap-up',
      since: now,
      deadline,
      call,
      outcome: null,
      note: '',
      breakOffer: decideDeEscalationOffer(call, this.policy, now),
    });
  }

  private wrapUpTimeLimit(): void {
    this.timer = undefined;
    if (this.current.status !== 'wrap-up') return;
    this.endWrapUp(this.current, 'time-limit', this.clock.now());
  }

  /** Closes the wrap-up and makes the agent available, with the break offer it carried. */
  private endWrapUp(
    wrapUp: Extract<AgentState, { status: 'wrap-up' }>,
    by: 'agent' | 'time-limit',
    now: number,
  ): WrapUpRecord {
    nextAgentStatus('wrap-up', by === 'agent' ? 'complete-wrap-up' : 'wrap-up-time-limit');
    this.clearTimer();
    const record = wrapUpRecord(wrapUp, by, now);
    this.set({ status: 'available', since: now, breakOffer: wrapUp.breakOffer });
    this.emit({ type: 'wrap-up-finished', record });
    return record;
  }

  private countdownEnded(): void {
    this.timer = undefined;
    if (this.current.status !== 'on-break') return;
    nextAgentStatus('on-break', 'countdown-ended');
    const { kind, endsAt } = this.current;
    this.set({ ...this.current, overrun: true });
    this.emit({ type: 'break-countdown-ended', kind, endsAt });
  }

  private breakRecord(by: BreakRecord['endedBy'], now: number): BreakRecord {
    if (this.current.status !== 'on-break') throw new AgentTransitionError(this.current.status, 'end-break');
    this.clearTimer();
    const { kind, since, endsAt } = this.current;
    return {
      kind,
      startedAt: since,
      endedAt: now,
      plannedMs: endsAt - since,
      overrunMs: Math.max(0, now - endsAt),
      endedBy: by,
    };
  }

  private set(next: AgentState): void {
    const previous = this.current.status;
    this.current = next;
    this.emit({ type: 'changed', state: this.state(), previous });
  }

  private schedule(ms: number, callback: () => void): void {
    this.clearTimer();
    this.timer = this.clock.setTimeout(callback, Math.max(0, ms));
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private emit(event: AgentAvailabilityEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }
}

function wrapUpChanges(input: WrapUpInput): { outcome?: WrapUpOutcome; note?: string } {
  const changes: { outcome?: WrapUpOutcome; note?: string } = {};
  if (input.outcome !== undefined) changes.outcome = input.outcome;
  if (input.note !== undefined) {
    if (input.note.length > MAX_WRAP_UP_NOTE_LENGTH) {
      throw new WorkspaceError(
        'note-too-long',
        `The wrap-up note is longer than ${MAX_WRAP_UP_NOTE_LENGTH} characters; put the details in the call notes.`,
      );
    }
    changes.note = input.note;
  }
  return changes;
}

function wrapUpRecord(
  wrapUp: Extract<AgentState, { status: 'wrap-up' }>,
  by: WrapUpRecord['finishedBy'],
  now: number,
): WrapUpRecord {
  return {
    callId: wrapUp.call.callId,
    outcome: wrapUp.outcome,
    note: wrapUp.note,
    flagged: wrapUp.call.flagged,
    startedAt: wrapUp.since,
    finishedAt: now,
    finishedBy: by,
  };
}

function toLiveCall(call: CallView): LiveCall {
  return {
    id: call.id,
    direction: call.direction,
    state: call.state,
    offeredAt: call.offeredAt,
    answeredAt: call.answeredAt,
    consultFor: call.consultFor,
  };
}
