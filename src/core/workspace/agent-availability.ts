/**
 * The agent's availability: one explicit state machine for whether the agent can
 * take a call. Every change goes through `nextAgentStatus`, which refuses impossible
 * moves with an AgentTransitionError that says what to do instead.
 *
 * States:
 *
 * - `available`: no call, nothing to finish; calls are offered.
 * - `ringing`: one or more incoming calls ring and none is answered. Ringing is not
 *   "in a call": a wrap-up or a break offer is not taken away by a stranger ringing.
 * - `in-call`: at least one call is answered (or being placed) and not every such
 *   call is on hold. Calls that ring meanwhile are call waiting.
 * - `on-hold`: every answered call is on hold.
 * - `wrap-up`: an answered call ended and its after-call work is open. Every answered
 *   customer call that ends gets its own wrap-up, whatever else rings. Two calls that
 *   end while another is still live queue their wrap-ups, taken one after the other.
 * - `on-break`: started and ended only by the agent; `overrun` once the countdown
 *   passes.
 *
 * Events (`AgentAction`) and where they lead (the table `TRANSITIONS`; anything not
 * listed is refused):
 *
 * ```txt
 *  state      │ call-rings ringing-stopped call-engaged calls-held answered-call-ended calls-ended
 *  ───────────┼──────────────────────────────────────────────────────────────────────────────────
 *  available  │ ringing    ·               in-call      ·          wrap-up             ·
 *  ringing    │ ringing    available       in-call      ·          wrap-up             ·
 *  in-call    │ in-call    in-call         in-call      on-hold    wrap-up             available
 *  on-hold    │ on-hold    on-hold         in-call      on-hold    wrap-up             available
 *  wrap-up    │ wrap-up    wrap-up         in-call¹     ·          wrap-up²            ·
 *  on-break   │ on-break   on-break        in-call³     ·          ·                   ·
 *
 *  state      │ complete-wrap-up wrap-up-time-limit set-wrap-up start-break countdown-ended end-break decline-break-offer
 *  ───────────┼──────────────────────────────────────────────────────────────────────────────────────────────────────────
 *  available  │ ·                ·                  ·           on-break    ·               ·         available
 *  ringing    │ ·                ·                  ·           on-break⁴   ·               ·         ringing
 *  wrap-up    │ available⁵       available⁵         wrap-up     ·           ·               ·         wrap-up
 *  on-break   │ ·                ·                  ·           ·           on-break        available ·
 *  (in-call and on-hold allow none of these)
 * ```
 *
 * ¹ The agent answered or placed a call during the wrap-up (a waiting call when
 *   `wrapUpHoldsCalls` is false, or one that was already ringing): the open wrap-up
 *   is recorded as `interrupted`. ² The next queued wrap-up. ³ The break ends,
 *   recorded as ended by a call. ⁴ The calls still ringing are turned away (the host
 *   declines them; see docs/architecture.md#agent-availability). ⁵ Then `call-rings`
 *   if calls wait, or the next queued wrap-up.
 *
 * Every state but `wrap-up` and `on-break` is derived from the phone's calls
 * (`updateCalls`) and never commanded. A wrap-up ends when the agent completes it
 * (an outcome is required) or when the policy's time limit passes. The
 * de-escalation break offer (W1) is decided when a flagged or long call ends and is
 * kept until the agent takes or declines it: it is shown in `available`, `ringing`
 * and `wrap-up` (so also while calls wait), never during a call. While in wrap-up
 * the phone refuses new calls with 486 unless the policy's `wrapUpHoldsCalls` is
 * false, in which case they ring as waiting calls; on a break it refuses them as
 * the policy's `unavailableMode` says (`phoneAvailability()`).
 *
 * Rule codes (W1 …) are defined in docs/practice.md.
 */
import type { CallView } from '../../shared/contract';
import type { Clock, TimerHandle } from '../clock';
import { decideDeEscalationOffer, type BreakOffer, type EndedCallSummary } from './break-offer';
import type { UnavailableMode, WorkspacePolicy } from '../../shared/workspace/workspace-policy';
import { WorkspaceError } from '../../shared/workspace/workspace-error';

/** The agent's states. */
export const agentStatuses = ['available', 'ringing', 'in-call', 'on-hold', 'wrap-up', 'on-break'] as const;

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

/** Something that moves the agent's state: a call fact, an agent command, or a timer. */
export const agentActions = [
  'call-rings',
  'ringing-stopped',
  'call-engaged',
  'calls-held',
  'answered-call-ended',
  'calls-ended',
  'set-wrap-up',
  'complete-wrap-up',
  'wrap-up-time-limit',
  'start-break',
  'countdown-ended',
  'end-break',
  'decline-break-offer',
] as const;

/** One of `agentActions`. */
export type AgentAction = (typeof agentActions)[number];

/** Every allowed move; the module comment draws the same table. */
export const TRANSITIONS: Readonly<Record<AgentStatus, Readonly<Partial<Record<AgentAction, AgentStatus>>>>> = {
  available: {
    'call-rings': 'ringing',
    'call-engaged': 'in-call',
    'answered-call-ended': 'wrap-up',
    'start-break': 'on-break',
    'decline-break-offer': 'available',
  },
  ringing: {
    'call-rings': 'ringing',
    'ringing-stopped': 'available',
    'call-engaged': 'in-call',
    'answered-call-ended': 'wrap-up',
    'start-break': 'on-break',
    'decline-break-offer': 'ringing',
  },
  'in-call': {
    'call-rings': 'in-call',
    'ringing-stopped': 'in-call',
    'call-engaged': 'in-call',
    'calls-held': 'on-hold',
    'answered-call-ended': 'wrap-up',
    'calls-ended': 'available',
  },
  'on-hold': {
    'call-rings': 'on-hold',
    'ringing-stopped': 'on-hold',
    'call-engaged': 'in-call',
    'calls-held': 'on-hold',
    'answered-call-ended': 'wrap-up',
    'calls-ended': 'available',
  },
  'wrap-up': {
    'call-rings': 'wrap-up',
    'ringing-stopped': 'wrap-up',
    'call-engaged': 'in-call',
    'answered-call-ended': 'wrap-up',
    'set-wrap-up': 'wrap-up',
    'complete-wrap-up': 'available',
    'wrap-up-time-limit': 'available',
    'decline-break-offer': 'wrap-up',
  },
  'on-break': {
    'call-rings': 'on-break',
    'ringing-stopped': 'on-break',
    'call-engaged': 'in-call',
    'countdown-ended': 'on-break',
    'end-break': 'available',
  },
};

const HINTS: Partial<Record<`${AgentStatus}:${AgentAction}`, string>> = {
  'in-call:start-break': 'Finish the call and its wrap-up first; a break can start once you are available.',
  'on-hold:start-break': 'Finish the call and its wrap-up first; a break can start once you are available.',
  'wrap-up:start-break': 'Complete the wrap-up first; the break is offered right after.',
  'on-break:start-break': 'You are already on a break.',
  'available:end-break': 'You are not on a break.',
  'ringing:end-break': 'You are not on a break.',
  'in-call:end-break': 'You are not on a break.',
  'on-hold:end-break': 'You are not on a break.',
  'wrap-up:end-break': 'You are not on a break; complete the wrap-up instead.',
  'available:complete-wrap-up': 'There is no wrap-up open.',
  'ringing:complete-wrap-up': 'There is no wrap-up open.',
  'in-call:complete-wrap-up': 'The call is still going; wrap-up starts after it ends.',
  'on-hold:complete-wrap-up': 'The call is still going; wrap-up starts after it ends.',
  'on-break:complete-wrap-up': 'There is no wrap-up open; end the break to become available.',
  'available:set-wrap-up': 'There is no wrap-up open.',
  'ringing:set-wrap-up': 'There is no wrap-up open.',
  'in-call:set-wrap-up': 'The call is still going; wrap-up starts after it ends.',
  'on-hold:set-wrap-up': 'The call is still going; wrap-up starts after it ends.',
  'on-break:set-wrap-up': 'There is no wrap-up open.',
  'in-call:decline-break-offer': 'There is no break offer during a call.',
  'on-hold:decline-break-offer': 'There is no break offer during a call.',
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
  | { status: 'ringing'; since: number; calls: LiveCall[]; breakOffer: BreakOffer | null }
  | { status: 'in-call'; since: number; calls: LiveCall[] }
  | { status: 'on-hold'; since: number; calls: LiveCall[] }
  | {
      status: 'wrap-up';
      since: number;
      /** When the time limit ends the wrap-up. */
      deadline: number;
      call: EndedCallSummary;
      outcome: WrapUpOutcome | null;
      note: string;
      /** The de-escalation break offered (W1), still open; also offered once the wrap-up ends. */
      breakOffer: BreakOffer | null;
      /** Other answered calls that ended and wait for their own wrap-up, oldest first. */
      queued: string[];
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

/** An answered customer call while it lasts: for its wrap-up summary. */
interface AnsweredCall {
  view: LiveCall;
  flagged: boolean;
}

type WrapUpState = Extract<AgentState, { status: 'wrap-up' }>;

/** The call states in which the agent is engaged with a call (answered, placed, held, transferring). */
const ENGAGED: ReadonlySet<CallView['state']> = new Set(['active', 'held', 'transferring', 'dialing']);

/** The agent's availability, driven by the phone's calls, the agent's commands and the clock. */
export class AgentAvailability {
  private readonly clock: Clock;
  private policy: WorkspacePolicy;
  private current: AgentState;
  private live: LiveCall[] = [];
  /** Answered customer calls not ended yet (consult legs excluded). */
  private readonly answered = new Map<string, AnsweredCall>();
  /** Answered calls that ended and wait for their wrap-up, oldest first (the open one is not here). */
  private readonly wrapQueue: EndedCallSummary[] = [];
  /** The open de-escalation offer (W1), kept until taken or declined; shown outside calls. */
  private offer: BreakOffer | null = null;
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

  /** The calls whose wrap-up is open or still to come, the open one first. */
  wrapUpCallIds(): string[] {
    const open = this.current.status === 'wrap-up' ? [this.current.call.callId] : [];
    return [...open, ...this.wrapQueue.map((call) => call.callId)];
  }

  /** True while the phone offers new calls (see `phoneAvailability`). */
  isAcceptingCalls(): boolean {
    return this.phoneAvailability().accepting;
  }

  /** How the phone refuses calls while the agent is on a break (the policy's choice). */
  get unavailableMode(): UnavailableMode {
    return this.policy.unavailableMode;
  }

  /**
   * Whether and how the phone offers calls. A break uses the policy's mode; wrap-up
   * answers 486 while `wrapUpHoldsCalls` (unregistering for every minute of wrap-up
   * would make the registration flap with each call), or offers calls as waiting
   * calls when it is false.
   */
  phoneAvailability(): PhoneAvailability {
    switch (this.current.status) {
      case 'available':
      case 'ringing':
      case 'in-call':
      case 'on-hold':
        return { accepting: true };
      case 'wrap-up':
        return this.policy.wrapUpHoldsCalls ? { accepting: false, mode: 'busy' } : { accepting: true };
      case 'on-break':
        return { accepting: false, mode: this.policy.unavailableMode };
    }
  }

  /** Subscribes to changes; returns the unsubscribe function. */
  onEvent(listener: (event: AgentAvailabilityEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Changes the policy; the time limits apply from the next wrap-up or break, the phone's behaviour at once. */
  setPolicy(policy: WorkspacePolicy): void {
    this.policy = policy;
  }

  /**
   * Takes the phone's calls (the whole list, as pushed on every change) and moves
   * the state: answered calls that ended queue their wrap-ups, and the call facts
   * become one event of the table.
   */
  updateCalls(calls: readonly CallView[]): void {
    const now = this.clock.now();
    this.live = calls.filter((call) => call.state !== 'ended').map(toLiveCall);
    const liveIds = new Set(this.live.map((call) => call.id));
    for (const call of calls) {
      if (call.state === 'ended' || call.answeredAt === null || call.consultFor !== null) continue;
      const known = this.answered.get(call.id);
      this.answered.set(call.id, { view: toLiveCall(call), flagged: known?.flagged ?? false });
    }
    for (const [id, answered] of [...this.answered]) {
      if (liveIds.has(id)) continue;
      this.answered.delete(id);
      const ended = calls.find((call) => call.id === id);
      this.queueWrapUp(answered, ended?.endedAt ?? now, now);
    }
    this.settle(now);
    this.emit({ type: 'calls', calls: this.liveCalls() });
  }

  /**
   * Notes that a flag was raised on a call's caller (D3–D5), so a de-escalation break
   * is offered (W1). Flags raised in wrap-up count too: agents often flag right after
   * ending an abusive call. Returns false, changing nothing, for a call that is
   * neither answered and live nor waiting for or in its wrap-up.
   */
  markCallFlagged(callId: string): boolean {
    const live = this.answered.get(callId);
    if (live) {
      live.flagged = true;
      return true;
    }
    const queued = this.wrapQueue.find((call) => call.callId === callId);
    if (queued) {
      queued.flagged = true;
      this.offer = decideDeEscalationOffer(queued, this.policy, this.clock.now()) ?? this.offer;
      return true;
    }
    if (this.current.status === 'wrap-up' && this.current.call.callId === callId) {
      const call = { ...this.current.call, flagged: true };
      this.offer = decideDeEscalationOffer(call, this.policy, this.clock.now()) ?? this.offer;
      this.set({ ...this.current, call, breakOffer: this.offer });
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
   * Completes the open wrap-up: the next queued one opens, or the agent is
   * available (ringing, when calls wait) with the break offer, if any. An outcome
   * is required, given here or earlier with `setWrapUp`.
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

  /**
   * Starts a break; its countdown comes from the policy. From `available`, or from
   * `ringing` (the host turns the ringing calls away: they are not offered on a break).
   */
  startBreak(kind: BreakKind): void {
    nextAgentStatus(this.current.status, 'start-break');
    const now = this.clock.now();
    const minutes = kind === 'de-escalation' ? this.policy.deEscalationBreakMinutes : this.policy.regularBreakMinutes;
    const endsAt = now + minutes * 60_000;
    this.offer = null;
    this.schedule(endsAt - now, () => this.countdownEnded());
    this.set({ status: 'on-break', since: now, kind, endsAt, overrun: false });
  }

  /** Ends the break: the one action that brings the agent back. */
  endBreak(): BreakRecord {
    nextAgentStatus(this.current.status, 'end-break');
    const record = this.breakRecord('agent', this.clock.now());
    this.current = { status: 'available', since: record.endedAt, breakOffer: null };
    this.settle(record.endedAt, 'on-break');
    this.emit({ type: 'break-finished', record });
    return record;
  }

  /** Declines the offered de-escalation break. */
  declineBreakOffer(): void {
    nextAgentStatus(this.current.status, 'decline-break-offer');
    if (this.offer === null) {
      throw new WorkspaceError(
        'no-break-offer',
        'No break is offered right now; start a break yourself if you need one.',
      );
    }
    this.offer = null;
    if (this.current.status === 'available' || this.current.status === 'ringing' || this.current.status === 'wrap-up')
      this.set({ ...this.current, breakOffer: null });
  }

  /** Stops the timers and drops the listeners. */
  dispose(): void {
    this.clearTimer();
    this.listeners.clear();
  }

  private requireWrapUp(action: AgentAction): WrapUpState {
    nextAgentStatus(this.current.status, action);
    if (this.current.status !== 'wrap-up') throw new AgentTransitionError(this.current.status, action);
    return this.current;
  }

  /** An answered call ended: its wrap-up waits in the queue, and its offer (W1) is decided now. */
  private queueWrapUp(answered: AnsweredCall, endedAt: number, now: number): void {
    const answeredAt = answered.view.answeredAt ?? endedAt;
    const call: EndedCallSummary = {
      callId: answered.view.id,
      direction: answered.view.direction,
      answeredAt,
      endedAt,
      talkMs: Math.max(0, endedAt - answeredAt),
      flagged: answered.flagged,
    };
    this.wrapQueue.push(call);
    this.offer = decideDeEscalationOffer(call, this.policy, now) ?? this.offer;
  }

  /** The one event the call facts amount to in the current state, or null for none. */
  private callEvent(): AgentAction | null {
    const engaged = this.live.filter((call) => ENGAGED.has(call.state));
    const ringing = this.live.some((call) => call.state === 'ringing' && call.direction === 'incoming');
    const status = this.current.status;
    if (engaged.length > 0) {
      const allHeld = engaged.every((call) => call.state === 'held');
      if (status === 'in-call' && allHeld) return 'calls-held';
      if (status === 'on-hold') return allHeld ? null : 'call-engaged';
      return status === 'in-call' ? null : 'call-engaged';
    }
    switch (status) {
      case 'in-call':
      case 'on-hold':
        return this.wrapQueue.length > 0 ? 'answered-call-ended' : 'calls-ended';
      case 'available':
        if (this.wrapQueue.length > 0) return 'answered-call-ended';
        return ringing ? 'call-rings' : null;
      case 'ringing':
        if (this.wrapQueue.length > 0) return 'answered-call-ended';
        return ringing ? null : 'ringing-stopped';
      case 'wrap-up':
      case 'on-break':
        return null;
    }
  }

  /**
   * Applies the events the calls amount to until the state is steady (e.g. calls
   * ended → available → ringing when calls still wait), then tells listeners once.
   */
  private settle(now: number, previous: AgentStatus = this.current.status): void {
    const before = this.current;
    const finished: AgentAvailabilityEvent[] = [];
    for (let step = 0; step < 4; step += 1) {
      const action = this.callEvent();
      if (action === null) break;
      const to = nextAgentStatus(this.current.status, action);
      const from = this.current;
      // Leaving a wrap-up or a break for a call is a fact (the agent took a call), not a refusal.
      if (from.status === 'wrap-up' && to !== 'wrap-up') {
        finished.push({ type: 'wrap-up-finished', record: wrapUpRecord(from, 'interrupted', now) });
        this.clearTimer();
      }
      if (from.status === 'on-break') finished.push({ type: 'break-finished', record: this.breakRecord('call', now) });
      this.current = this.enter(to, now, from);
    }
    if (this.current !== before || this.current.status !== previous) this.announce(previous);
    else if ('calls' in this.current) this.set({ ...this.current, calls: this.liveCalls() });
    for (const event of finished) this.emit(event);
  }

  /** The state object for `to`, entered from `from`. */
  private enter(to: AgentStatus, now: number, from: AgentState): AgentState {
    const since = from.status === to ? from.since : now;
    switch (to) {
      case 'available':
        return { status: 'available', since, breakOffer: this.offer };
      case 'ringing':
        return { status: 'ringing', since, calls: this.liveCalls(), breakOffer: this.offer };
      case 'in-call':
      case 'on-hold':
        return { status: to, since, calls: this.liveCalls() };
      case 'wrap-up':
        return this.openWrapUp(now);
      case 'on-break':
        throw new AgentTransitionError(from.status, 'start-break');
    }
  }

  /** Opens the oldest queued wrap-up, with its own time limit. */
  private openWrapUp(now: number): WrapUpState {
    const call = this.wrapQueue.shift();
    if (call === undefined) throw new AgentTransitionError(this.current.status, 'answered-call-ended');
    const deadline = now + this.policy.wrapUpLimitSeconds * 1000;
    this.schedule(deadline - now, () => this.wrapUpTimeLimit());
    return {
      status: 'wrap-up',
      since: now,
      deadline,
      call,
      outcome: null,
      note: '',
      breakOffer: this.offer,
      queued: this.wrapQueue.map((queued) => queued.callId),
    };
  }

  private wrapUpTimeLimit(): void {
    this.timer = undefined;
    if (this.current.status !== 'wrap-up') return;
    this.endWrapUp(this.current, 'time-limit', this.clock.now());
  }

  /** Closes the wrap-up; the next queued one opens, or the agent is available (or ringing) with the offer. */
  private endWrapUp(wrapUp: WrapUpState, by: 'agent' | 'time-limit', now: number): WrapUpRecord {
    nextAgentStatus('wrap-up', by === 'agent' ? 'complete-wrap-up' : 'wrap-up-time-limit');
    this.clearTimer();
    const record = wrapUpRecord(wrapUp, by, now);
    this.current = { status: 'available', since: now, breakOffer: this.offer };
    this.settle(now, 'wrap-up');
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

  private announce(previous: AgentStatus): void {
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

function wrapUpRecord(wrapUp: WrapUpState, by: WrapUpRecord['finishedBy'], now: number): WrapUpRecord {
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
