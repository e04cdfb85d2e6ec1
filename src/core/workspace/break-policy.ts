/**
 * The workspace's timers: when to offer a de-escalation break (W1), when to remind
 * the agent of a regular break or an eye rest (W2), the call-length hint (D2), the
 * ring timer (P1), and the greeting (P2) and thank-you (P5) prompts.
 *
 * BreakPolicy has no `tick()`: it follows an AgentAvailability (its state and the
 * live calls), schedules its own timers on the injected Clock, and tells listeners
 * through `onEvent`. `snapshot()` gives plain data for the renderer, computed from
 * the Clock's "now". Reminders are never shown during a call or wrap-up: a reminder
 * that falls due then is postponed until the agent is available again; during a
 * break they are paused and count afresh from the break's end.
 *
 * ```txt
 *  reminder:  waiting ──due, available──▶ shown ──snooze──▶ waiting (snoozed)
 *                │                          │  └──skip──▶ waiting (a full interval)
 *                └──due, busy──▶ postponed ─┘ available   └──start (eye rest)──▶ running ──▶ waiting
 *  any ──break starts──▶ paused ──break ends──▶ waiting (a full interval)
 * ```
 *
 * Rule codes (W1, P1 …) are defined in docs/practice.md.
 */
import type { Clock, TimerHandle } from '../clock';
import type {
  AgentAvailability,
  AgentAvailabilityEvent,
  AgentState,
  AgentStatus,
  BreakKind,
  LiveCall,
} from './agent-availability';
import type { BreakOffer } from './break-offer';
import { breathingPhase, type BreathingPhase } from '../../shared/workspace/breathing-rhythm';
import type { LocalizedText } from '../../shared/workspace/localized-text';
import type { WorkspacePolicy } from '../../shared/workspace/workspace-policy';
import { WorkspaceError } from '../../shared/workspace/workspace-error';

/** The reminders of W2. */
export const reminderKinds = ['regular-break', 'eye-rest'] as const;

/** One of `reminderKinds`. */
export type ReminderKind = (typeof reminderKinds)[number];

/** Where a reminder stands; see the diagram above. */
export type ReminderStatus = 'off' | 'waiting' | 'paused' | 'postponed' | 'shown' | 'running';

/** A reminder as the renderer sees it. */
export interface ReminderView {
  kind: ReminderKind;
  status: ReminderStatus;
  /** When it falls due (while waiting), else null. */
  dueAt: number | null;
  /** It is waiting because the agent snoozed it. */
  snoozed: boolean;
  /** How long the break or the eye rest lasts. */
  lengthSeconds: number;
  /** While an eye rest runs: when it is over. */
  endsAt: number | null;
}

/** A prompt shown with the call: the greeting at answer (P2), the thank-you at wrap-up (P5). */
export interface CallPrompt {
  kind: 'greeting' | 'thank-you';
  callId: string;
  /** The policy's text in every language it has; the renderer picks the agent's. */
  text: LocalizedText;
}

/** What BreakPolicy tells its listeners. */
export type BreakPolicyEvent =
  /** Every whole second while an incoming call rings (P1), starting at 0. */
  | { type: 'ring-timer'; callId: string; seconds: number }
  | { type: 'greeting-prompt'; callId: string; text: LocalizedText }
  | { type: 'thank-you-prompt'; callId: string; text: LocalizedText }
  /** Once per call, when its talk time reaches `callLengthHintMinutes` (D2). */
  | { type: 'call-length-hint'; callId: string; minutes: number; talkMs: number; escalationOneStepAway: true }
  | { type: 'break-offered'; offer: BreakOffer }
  /** The break's countdown reached zero; the agent is still away until they end it. */
  | { type: 'break-countdown-ended'; kind: BreakKind; endsAt: number }
  | { type: 'reminder-due'; kind: ReminderKind; lengthSeconds: number }
  /** A reminder fell due (or was showing) while the agent was busy; it shows once they are available. */
  | { type: 'reminder-postponed'; kind: ReminderKind }
  | { type: 'eye-rest-finished' };

/** Everything the renderer needs to draw the timers, as plain data. */
export interface BreakPolicySnapshot {
  /** The Clock's "now" the snapshot was computed at. */
  at: number;
  status: AgentStatus;
  ringing: { callId: string; since: number; seconds: number } | null;
  prompt: CallPrompt | null;
  callLengthHint: { callId: string; minutes: number; shownAt: number; escalationOneStepAway: true } | null;
  breakOffer: BreakOffer | null;
  activeBreak: {
    kind: BreakKind;
    startedAt: number;
    endsAt: number;
    /** Countdown left; 0 once overrun. */
    remainingMs: number;
    overrun: boolean;
    overrunMs: number;
    /** The breathing guide, for a de-escalation break. */
    breathing: BreathingPhase | null;
  } | null;
  wrapUp: { callId: string; deadline: number; remainingMs: number } | null;
  reminders: ReminderView[];
  /** The earliest due time of a waiting reminder. */
  nextReminderDueAt: number | null;
}

/** The part of AgentAvailability BreakPolicy follows. */
export type AvailabilitySource = Pick<AgentAvailability, 'state' | 'liveCalls' | 'onEvent'>;

/** What BreakPolicy needs. */
export interface BreakPolicyOptions {
  clock: Clock;
  policy: WorkspacePolicy;
  availability: AvailabilitySource;
}

interface ReminderSlot {
  kind: ReminderKind;
  status: ReminderStatus;
  /** Where the current interval started counting. */
  anchor: number;
  dueAt: number | null;
  snoozed: boolean;
  endsAt: number | null;
  timer: TimerHandle | undefined;
}

/** Reminders, hints, prompts and offers for one agent; see the module comment. */
export class BreakPolicy {
  private readonly clock: Clock;
  private policy: WorkspacePolicy;
  private readonly availability: AvailabilitySource;
  private readonly unsubscribe: () => void;
  private readonly listeners = new Set<(event: BreakPolicyEvent) => void>();
  private readonly reminders: Record<ReminderKind, ReminderSlot>;
  private status: AgentStatus;
  private ring: { callId: string; since: number; timer: TimerHandle | undefined } | null = null;
  private readonly hintTimers = new Map<string, TimerHandle>();
  /** Calls whose hint was given: call id → when. */
  private readonly hinted = new Map<string, number>();
  private readonly greeted = new Set<string>();
  private prompt: CallPrompt | null = null;
  private lastOfferKey: string | null = null;

  constructor(options: BreakPolicyOptions) {
    this.clock = options.clock;
    this.policy = options.policy;
    this.availability = options.availability;
    const now = this.clock.now();
    const state = this.availability.state();
    this.status = state.status;
    const slot = (kind: ReminderKind): ReminderSlot => ({
      kind,
      status: 'off',
      anchor: now,
      dueAt: null,
      snoozed: false,
      endsAt: null,
      timer: undefined,
    });
    this.reminders = { 'regular-break': slot('regular-break'), 'eye-rest': slot('eye-rest') };
    for (const kind of reminderKinds) this.restart(kind, now);
    this.lastOfferKey = offerKey(state);
    this.unsubscribe = this.availability.onEvent((event) => this.handle(event));
    this.reconcileCalls(this.availability.liveCalls());
  }

  /** Subscribes to events; returns the unsubscribe function. */
  onEvent(listener: (event: BreakPolicyEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Plain data for the renderer, computed at the Clock's "now". */
  snapshot(): BreakPolicySnapshot {
    const now = this.clock.now();
    const state = this.availability.state();
    const reminders = reminderKinds.map((kind) => this.view(kind));
    const dues = reminders.flatMap((reminder) =>
      reminder.status === 'waiting' && reminder.dueAt !== null ? [reminder.dueAt] : [],
    );
    const liveIds = new Set(this.availability.liveCalls().map((call) => call.id));
    const hint = [...this.hinted].find(([callId]) => liveIds.has(callId));
    return {
      at: now,
      status: state.status,
      ringing:
        this.ring === null
          ? null
          : { callId: this.ring.callId, since: this.ring.since, seconds: ringSeconds(this.ring.since, now) },
      prompt: this.prompt === null ? null : { ...this.prompt },
      callLengthHint:
        hint === undefined
          ? null
          : {
              callId: hint[0],
              minutes: this.policy.callLengthHintMinutes,
              shownAt: hint[1],
              escalationOneStepAway: true,
            },
      breakOffer: 'breakOffer' in state ? state.breakOffer : null,
      activeBreak:
        state.status !== 'on-break'
          ? null
          : {
              kind: state.kind,
              startedAt: state.since,
              endsAt: state.endsAt,
              remainingMs: Math.max(0, state.endsAt - now),
              overrun: state.overrun,
              overrunMs: Math.max(0, now - state.endsAt),
              breathing: state.kind === 'de-escalation' ? breathingPhase(now - state.since) : null,
            },
      wrapUp:
        state.status !== 'wrap-up'
          ? null
          : { callId: state.call.callId, deadline: state.deadline, remainingMs: Math.max(0, state.deadline - now) },
      reminders,
      nextReminderDueAt: dues.length === 0 ? null : Math.min(...dues),
    };
  }

  /** Puts a showing reminder off by the policy's `snoozeMinutes`. */
  snooze(kind: ReminderKind): void {
    const slot = this.requireShown(kind, 'snooze');
    const now = this.clock.now();
    this.wait(slot, now + this.policy.snoozeMinutes * 60_000, true);
    this.flush();
  }

  /** Skips a showing reminder: the next one comes a full interval from now. */
  skipReminder(kind: ReminderKind): void {
    this.requireShown(kind, 'skip');
    this.restart(kind, this.clock.now());
    this.flush();
  }

  /** Starts the eye rest the reminder asked for: a countdown of `eyeRestSeconds` to look away. */
  startEyeRest(): void {
    const slot = this.requireShown('eye-rest', 'start');
    const endsAt = this.clock.now() + this.policy.eyeRestSeconds * 1000;
    this.clearSlotTimer(slot);
    slot.status = 'running';
    slot.endsAt = endsAt;
    slot.dueAt = null;
    slot.timer = this.clock.setTimeout(() => {
      slot.timer = undefined;
      this.restart('eye-rest', this.clock.now());
      this.emit({ type: 'eye-rest-finished' });
      this.flush();
    }, endsAt - this.clock.now());
  }

  /** Hides the greeting or thank-you prompt. */
  dismissPrompt(): void {
    this.prompt = null;
  }

  /**
   * Changes the policy. A waiting reminder's new interval counts from when the
   * current one started, so shortening it can make it due at once; a reminder
   * switched on waits a full interval; a pending call-length hint is rescheduled
   * for the new limit. A shown reminder or a running eye rest is left alone.
   */
  setPolicy(policy: WorkspacePolicy): void {
    this.policy = policy;
    const now = this.clock.now();
    for (const kind of reminderKinds) {
      const slot = this.reminders[kind];
      const enabled = this.enabled(kind);
      if (!enabled && slot.status !== 'off') this.restart(kind, now);
      // Switched on: a full interval from now, not a reminder at once.
      else if (enabled && slot.status === 'off') this.restart(kind, now);
      else if (enabled && slot.status === 'waiting' && !slot.snoozed) this.restart(kind, slot.anchor);
    }
    for (const timer of this.hintTimers.values()) this.clock.clearTimeout(timer);
    this.hintTimers.clear();
    this.reconcileCalls(this.availability.liveCalls());
  }

  /** Stops every timer and stops following the availability. */
  dispose(): void {
    this.unsubscribe();
    for (const kind of reminderKinds) this.clearSlotTimer(this.reminders[kind]);
    for (const timer of this.hintTimers.values()) this.clock.clearTimeout(timer);
    this.hintTimers.clear();
    this.stopRing();
    this.listeners.clear();
  }

  private handle(event: AgentAvailabilityEvent): void {
    switch (event.type) {
      case 'calls':
        this.reconcileCalls(event.calls);
        break;
      case 'changed':
        this.stateChanged(event.state, event.previous);
        break;
      case 'break-countdown-ended':
        this.emit({ type: 'break-countdown-ended', kind: event.kind, endsAt: event.endsAt });
        break;
      case 'wrap-up-finished':
      case 'break-finished':
        break;
    }
  }

  private stateChanged(state: AgentState, previous: AgentStatus): void {
    const now = this.clock.now();
    this.status = state.status;

    const key = offerKey(state);
    if (key !== null && key !== this.lastOfferKey && 'breakOffer' in state && state.breakOffer) {
      this.emit({ type: 'break-offered', offer: { ...state.breakOffer } });
    }
    this.lastOfferKey = key;

    // The next queued wrap-up is a new call to thank for.
    const nextWrapUp =
      state.status === 'wrap-up' && previous === 'wrap-up' && this.prompt?.callId !== state.call.callId;
    if (state.status === previous && !nextWrapUp) return;
    if (previous === 'wrap-up' && this.prompt?.kind === 'thank-you') this.prompt = null;
    if (previous === 'on-break') for (const kind of reminderKinds) this.restart(kind, now);

    switch (state.status) {
      case 'wrap-up':
        this.prompt = { kind: 'thank-you', callId: state.call.callId, text: this.policy.thankYou };
        this.emit({ type: 'thank-you-prompt', callId: state.call.callId, text: this.policy.thankYou });
        this.postponeVisible();
        break;
      case 'ringing':
      case 'in-call':
      case 'on-hold':
        this.postponeVisible();
        break;
      case 'on-break':
        for (const kind of reminderKinds) this.pause(kind);
        break;
      case 'available':
        this.flush();
        break;
    }
  }

  private reconcileCalls(calls: readonly LiveCall[]): void {
    const now = this.clock.now();
    const liveIds = new Set(calls.map((call) => call.id));

    // P1: the ring timer follows the longest-ringing incoming call.
    const ringing = calls
      .filter((call) => call.direction === 'incoming' && call.state === 'ringing')
      .sort((a, b) => a.offeredAt - b.offeredAt)[0];
    if (ringing === undefined) this.stopRing();
    else if (this.ring?.callId !== ringing.id) {
      this.stopRing();
      this.ring = { callId: ringing.id, since: ringing.offeredAt, timer: undefined };
      this.ringTick();
    }

    // P2: greet once, when an incoming customer call is answered.
    for (const call of calls) {
      if (
        call.direction !== 'incoming' ||
        call.answeredAt === null ||
        call.consultFor !== null ||
        this.greeted.has(call.id)
      )
        continue;
      this.greeted.add(call.id);
      this.prompt = { kind: 'greeting', callId: call.id, text: this.policy.greeting };
      this.emit({ type: 'greeting-prompt', callId: call.id, text: this.policy.greeting });
    }
    for (const id of this.greeted) if (!liveIds.has(id)) this.greeted.delete(id);
    if (this.prompt?.kind === 'greeting' && !liveIds.has(this.prompt.callId)) this.prompt = null;

    // D2: one hint per customer call, when its talk time reaches the limit.
    const talking = calls.filter(
      (call) =>
        call.answeredAt !== null && call.consultFor === null && call.state !== 'ringing' && call.state !== 'dialing',
    );
    const talkingIds = new Set(talking.map((call) => call.id));
    for (const [callId, timer] of this.hintTimers) {
      if (talkingIds.has(callId)) continue;
      this.clock.clearTimeout(timer);
      this.hintTimers.delete(callId);
    }
    for (const callId of this.hinted.keys()) if (!liveIds.has(callId)) this.hinted.delete(callId);
    for (const call of talking) {
      if (call.answeredAt === null || this.hinted.has(call.id) || this.hintTimers.has(call.id)) continue;
      const answeredAt = call.answeredAt;
      const at = answeredAt + this.policy.callLengthHintMinutes * 60_000;
      const timer = this.clock.setTimeout(() => this.giveHint(call.id, answeredAt), Math.max(0, at - now));
      this.hintTimers.set(call.id, timer);
    }
  }

  private giveHint(callId: string, answeredAt: number): void {
    this.hintTimers.delete(callId);
    if (!this.availability.liveCalls().some((call) => call.id === callId)) return;
    const now = this.clock.now();
    this.hinted.set(callId, now);
    this.emit({
      type: 'call-length-hint',
      callId,
      minutes: this.policy.callLengthHintMinutes,
      talkMs: now - answeredAt,
      escalationOneStepAway: true,
    });
  }

  private ringTick(): void {
    const ring = this.ring;
    if (ring === null) return;
    const now = this.clock.now();
    const seconds = ringSeconds(ring.since, now);
    this.emit({ type: 'ring-timer', callId: ring.callId, seconds });
    // A listener may have changed the calls; only keep ticking for the same ring.
    if (this.ring !== ring) return;
    ring.timer = this.clock.setTimeout(
      () => {
        ring.timer = undefined;
        this.ringTick();
      },
      Math.max(1, ring.since + (seconds + 1) * 1000 - now),
    );
  }

  private stopRing(): void {
    if (this.ring?.timer !== undefined) this.clock.clearTimeout(this.ring.timer);
    this.ring = null;
  }

  private enabled(kind: ReminderKind): boolean {
    return kind === 'regular-break' ? this.policy.regularBreakEnabled : this.policy.eyeRestEnabled;
  }

  private intervalMs(kind: ReminderKind): number {
    return (
      (kind === 'regular-break' ? this.policy.regularBreakIntervalMinutes : this.policy.eyeRestIntervalMinutes) * 60_000
    );
  }

  private lengthSeconds(kind: ReminderKind): number {
    return kind === 'regular-break' ? this.policy.regularBreakMinutes * 60 : this.policy.eyeRestSeconds;
  }

  /** Starts a full interval from `from` (paused during a break, off when disabled). */
  private restart(kind: ReminderKind, from: number): void {
    const slot = this.reminders[kind];
    this.clearSlotTimer(slot);
    slot.anchor = from;
    slot.snoozed = false;
    slot.endsAt = null;
    slot.dueAt = null;
    if (!this.enabled(kind)) slot.status = 'off';
    else if (this.status === 'on-break') slot.status = 'paused';
    else this.wait(slot, from + this.intervalMs(kind), false);
  }

  private wait(slot: ReminderSlot, dueAt: number, snoozed: boolean): void {
    this.clearSlotTimer(slot);
    slot.status = 'waiting';
    slot.dueAt = dueAt;
    slot.snoozed = snoozed;
    slot.endsAt = null;
    slot.timer = this.clock.setTimeout(
      () => {
        slot.timer = undefined;
        this.due(slot.kind);
      },
      Math.max(0, dueAt - this.clock.now()),
    );
  }

  private due(kind: ReminderKind): void {
    const slot = this.reminders[kind];
    slot.dueAt = null;
    slot.snoozed = false;
    if (this.canShow(kind)) this.show(kind);
    else {
      slot.status = 'postponed';
      this.emit({ type: 'reminder-postponed', kind });
    }
  }

  /** One reminder at a time, only while available; the regular break goes first. */
  private canShow(kind: ReminderKind): boolean {
    if (this.status !== 'available') return false;
    return reminderKinds.every(
      (other) => other === kind || !['shown', 'running'].includes(this.reminders[other].status),
    );
  }

  private show(kind: ReminderKind): void {
    this.reminders[kind].status = 'shown';
    this.emit({ type: 'reminder-due', kind, lengthSeconds: this.lengthSeconds(kind) });
  }

  /** Shows postponed reminders once nothing stands in the way. */
  private flush(): void {
    for (const kind of reminderKinds) {
      if (this.reminders[kind].status === 'postponed' && this.canShow(kind)) this.show(kind);
    }
  }

  /** A call or wrap-up started: nothing stays on screen; it comes back afterwards. */
  private postponeVisible(): void {
    for (const kind of reminderKinds) {
      const slot = this.reminders[kind];
      if (slot.status !== 'shown' && slot.status !== 'running') continue;
      this.clearSlotTimer(slot);
      slot.status = 'postponed';
      slot.endsAt = null;
      this.emit({ type: 'reminder-postponed', kind });
    }
  }

  private pause(kind: ReminderKind): void {
    const slot = this.reminders[kind];
    if (slot.status === 'off') return;
    this.clearSlotTimer(slot);
    slot.status = 'paused';
    slot.dueAt = null;
    slot.snoozed = false;
    slot.endsAt = null;
  }

  private requireShown(kind: ReminderKind, verb: string): ReminderSlot {
    const slot = this.reminders[kind];
    if (slot.status !== 'shown') {
      throw new WorkspaceError(
        'no-reminder',
        `The ${kind} reminder is not showing (it is ${slot.status}), so there is nothing to ${verb}.`,
      );
    }
    return slot;
  }

  private clearSlotTimer(slot: ReminderSlot): void {
    if (slot.timer !== undefined) this.clock.clearTimeout(slot.timer);
    slot.timer = undefined;
  }

  private view(kind: ReminderKind): ReminderView {
    const slot = this.reminders[kind];
    return {
      kind,
      status: slot.status,
      dueAt: slot.dueAt,
      snoozed: slot.snoozed,
      lengthSeconds: this.lengthSeconds(kind),
      endsAt: slot.endsAt,
    };
  }

  private emit(event: BreakPolicyEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }
}

function ringSeconds(since: number, now: number): number {
  return Math.max(0, Math.floor((now - since) / 1000));
}

function offerKey(state: AgentState): string | null {
  if (!('breakOffer' in state) || state.breakOffer === null) return null;
  return `${state.breakOffer.callId}:${state.breakOffer.reason}`;
}
