import { describe, expect, it } from 'vitest';
import { AgentAvailability } from '../../../src/core/workspace/agent-availability';
import { decideDeEscalationOffer } from '../../../src/core/workspace/break-offer';
import { BreakPolicy, type BreakPolicyEvent } from '../../../src/core/workspace/break-policy';
import { WorkspaceError } from '../../../src/shared/workspace/workspace-error';
import { DEFAULT_WORKSPACE_POLICY, type WorkspacePolicy } from '../../../src/shared/workspace/workspace-policy';
import { createFakeClock } from '../../support/fake-clock';
import { FakePhone } from './fake-phone';

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/** Reminders off unless a test turns them on, so each test sees only what it is about. */
function setup(policy: Partial<WorkspacePolicy> = {}) {
  const clock = createFakeClock();
  const full: WorkspacePolicy = {
    ...DEFAULT_WORKSPACE_POLICY,
    regularBreakEnabled: false,
    eyeRestEnabled: false,
    ...policy,
  };
  const availability = new AgentAvailability({ clock, policy: full });
  const breaks = new BreakPolicy({ clock, policy: full, availability });
  const phone = new FakePhone(clock, availability);
  const events: BreakPolicyEvent[] = [];
  breaks.onEvent((event) => events.push(event));
  const ofType = <T extends BreakPolicyEvent['type']>(type: T) =>
    events.filter((event): event is Extract<BreakPolicyEvent, { type: T }> => event.type === type);
  const start = clock.now();
  return { clock, availability, breaks, phone, events, ofType, start };
}

function reminder(breaks: BreakPolicy, kind: 'regular-break' | 'eye-rest') {
  const found = breaks.snapshot().reminders.find((view) => view.kind === kind);
  if (found === undefined) throw new Error(`no ${kind} reminder`);
  return found;
}

describe('break and eye-rest reminders', () => {
  it('fire at their intervals while the agent is available', () => {
    const { clock, breaks, ofType, start } = setup({ eyeRestEnabled: true, eyeRestIntervalMinutes: 10 });
    expect(breaks.snapshot().nextReminderDueAt).toBe(start + 10 * MINUTE);
    clock.advance(10 * MINUTE - 1);
    expect(ofType('reminder-due')).toEqual([]);
    clock.advance(1);
    expect(ofType('reminder-due')).toEqual([{ type: 'reminder-due', kind: 'eye-rest', lengthSeconds: 20 }]);
    expect(reminder(breaks, 'eye-rest').status).toBe('shown');

    breaks.skipReminder('eye-rest');
    expect(breaks.snapshot().nextReminderDueAt).toBe(start + 20 * MINUTE);
    clock.advance(10 * MINUTE);
    expect(ofType('reminder-due')).toHaveLength(2);
  });

  it("reminds of a regular break every N minutes; taking the break resets it from the break's end", () => {
    const { clock, availability, breaks, ofType, start } = setup({
      regularBreakEnabled: true,
      regularBreakIntervalMinutes: 50,
      regularBreakMinutes: 5,
    });
    clock.advance(50 * MINUTE);
    expect(ofType('reminder-due')).toEqual([{ type: 'reminder-due', kind: 'regular-break', lengthSeconds: 300 }]);
    availability.startBreak('regular');
    expect(reminder(breaks, 'regular-break')).toMatchObject({ status: 'paused', dueAt: null });
    clock.advance(60 * MINUTE);
    expect(ofType('reminder-due')).toHaveLength(1);
    availability.endBreak();
    expect(reminder(breaks, 'regular-break')).toMatchObject({ status: 'waiting', dueAt: start + 160 * MINUTE });
  });

  it('never shows a reminder during a call or its wrap-up: it is postponed until the agent is available', () => {
    const { clock, availability, breaks, phone, ofType } = setup({ eyeRestEnabled: true, eyeRestIntervalMinutes: 10 });
    clock.advance(8 * MINUTE);
    phone.ring('c1');
    phone.answer('c1');
    clock.advance(5 * MINUTE);
    expect(ofType('reminder-due')).toEqual([]);
    expect(ofType('reminder-postponed')).toEqual([{ type: 'reminder-postponed', kind: 'eye-rest' }]);
    expect(reminder(breaks, 'eye-rest').status).toBe('postponed');

    phone.hangUp('c1');
    expect(availability.state().status).toBe('wrap-up');
    expect(ofType('reminder-due')).toEqual([]);
    availability.completeWrapUp({ outcome: 'resolved' });
    expect(ofType('reminder-due')).toEqual([{ type: 'reminder-due', kind: 'eye-rest', lengthSeconds: 20 }]);
  });

  it('takes a showing reminder off the screen when a call comes in, and brings it back afterwards', () => {
    const { clock, availability, breaks, phone, ofType } = setup({ eyeRestEnabled: true });
    clock.advance(10 * MINUTE);
    expect(reminder(breaks, 'eye-rest').status).toBe('shown');
    phone.ring('c1');
    expect(reminder(breaks, 'eye-rest').status).toBe('postponed');
    phone.hangUp('c1');
    expect(availability.state().status).toBe('available');
    expect(reminder(breaks, 'eye-rest').status).toBe('shown');
    expect(ofType('reminder-due')).toHaveLength(2);
  });

  it("snoozes a showing reminder for the policy's snooze minutes, and refuses to snooze one that is not showing", () => {
    const { clock, breaks, ofType, start } = setup({ eyeRestEnabled: true, snoozeMinutes: 3 });
    expect(() => breaks.snooze('eye-rest')).toThrow(WorkspaceError);
    clock.advance(10 * MINUTE);
    breaks.snooze('eye-rest');
    expect(reminder(breaks, 'eye-rest')).toMatchObject({
      status: 'waiting',
      snoozed: true,
      dueAt: start + 13 * MINUTE,
    });
    clock.advance(3 * MINUTE - 1);
    expect(ofType('reminder-due')).toHaveLength(1);
    clock.advance(1);
    expect(ofType('reminder-due')).toHaveLength(2);
    expect(() => breaks.snooze('regular-break')).toThrow(expect.objectContaining({ code: 'no-reminder' }));
  });

  it('runs a 20-second eye rest, then counts a full interval from its end', () => {
    const { clock, breaks, ofType } = setup({ eyeRestEnabled: true, eyeRestIntervalMinutes: 10, eyeRestSeconds: 20 });
    clock.advance(10 * MINUTE);
    breaks.startEyeRest();
    const started = clock.now();
    expect(reminder(breaks, 'eye-rest')).toMatchObject({ status: 'running', endsAt: started + 20 * SECOND });
    clock.advance(20 * SECOND);
    expect(ofType('eye-rest-finished')).toHaveLength(1);
    expect(reminder(breaks, 'eye-rest')).toMatchObject({
      status: 'waiting',
      dueAt: started + 20 * SECOND + 10 * MINUTE,
    });
  });

  it('shows one reminder at a time, the regular break first', () => {
    const { clock, breaks, ofType } = setup({
      regularBreakEnabled: true,
      regularBreakIntervalMinutes: 20,
      eyeRestEnabled: true,
      eyeRestIntervalMinutes: 10,
    });
    clock.advance(10 * MINUTE);
    breaks.skipReminder('eye-rest');
    clock.advance(10 * MINUTE);
    expect(ofType('reminder-due').map((event) => event.kind)).toEqual(['eye-rest', 'regular-break']);
    expect(reminder(breaks, 'eye-rest').status).toBe('postponed');
    breaks.snooze('regular-break');
    expect(ofType('reminder-due').map((event) => event.kind)).toEqual(['eye-rest', 'regular-break', 'eye-rest']);
  });

  it("is silent while on break and counts afresh from the break's end", () => {
    const { clock, availability, breaks, ofType } = setup({ eyeRestEnabled: true, eyeRestIntervalMinutes: 10 });
    clock.advance(5 * MINUTE);
    availability.startBreak('regular');
    clock.advance(30 * MINUTE);
    expect(ofType('reminder-due')).toEqual([]);
    availability.endBreak();
    const back = clock.now();
    expect(breaks.snapshot().nextReminderDueAt).toBe(back + 10 * MINUTE);
  });

  it('reminds of nothing when both reminders are off, and starts a full interval when one is switched on', () => {
    const { clock, breaks, ofType } = setup();
    clock.advance(5 * 60 * MINUTE);
    expect(ofType('reminder-due')).toEqual([]);
    expect(breaks.snapshot().nextReminderDueAt).toBeNull();
    breaks.setPolicy({ ...DEFAULT_WORKSPACE_POLICY, regularBreakEnabled: false });
    expect(breaks.snapshot().nextReminderDueAt).toBe(clock.now() + 10 * MINUTE);
  });
});

describe('call timers', () => {
  it('gives the call-length hint once, when the talk time reaches the limit, with escalation one step away', () => {
    const { clock, breaks, phone, ofType } = setup({ callLengthHintMinutes: 15 });
    phone.ring('c1');
    clock.advance(10 * SECOND);
    phone.answer('c1');
    const answered = clock.now();
    clock.advance(15 * MINUTE - 1);
    expect(ofType('call-length-hint')).toEqual([]);
    expect(breaks.snapshot().callLengthHint).toBeNull();
    clock.advance(1);
    expect(ofType('call-length-hint')).toEqual([
      { type: 'call-length-hint', callId: 'c1', minutes: 15, talkMs: 15 * MINUTE, escalationOneStepAway: true },
    ]);
    expect(breaks.snapshot().callLengthHint).toEqual({
      callId: 'c1',
      minutes: 15,
      shownAt: answered + 15 * MINUTE,
      escalationOneStepAway: true,
    });
    phone.hold('c1');
    clock.advance(60 * MINUTE);
    expect(ofType('call-length-hint')).toHaveLength(1);
    phone.hangUp('c1');
    expect(breaks.snapshot().callLengthHint).toBeNull();
  });

  it('gives no hint for a call that ends before the limit', () => {
    const { clock, phone, ofType } = setup({ callLengthHintMinutes: 15 });
    phone.ring('c1');
    phone.answer('c1');
    clock.advance(14 * MINUTE);
    phone.hangUp('c1');
    clock.advance(60 * MINUTE);
    expect(ofType('call-length-hint')).toEqual([]);
  });

  it('offers a de-escalation break after a long call', () => {
    const { clock, breaks, availability, phone, ofType } = setup({ longCallMinutes: 20, deEscalationBreakMinutes: 5 });
    phone.ring('c1');
    phone.answer('c1');
    clock.advance(25 * MINUTE);
    phone.hangUp('c1');
    expect(ofType('break-offered')).toEqual([
      {
        type: 'break-offered',
        offer: { kind: 'de-escalation', reason: 'long-call', callId: 'c1', minutes: 5, offeredAt: clock.now() },
      },
    ]);
    availability.completeWrapUp({ outcome: 'resolved' });
    expect(ofType('break-offered')).toHaveLength(1);
    expect(breaks.snapshot().breakOffer).toMatchObject({ reason: 'long-call' });
  });

  it('counts the seconds an incoming call rings, and stops when it is answered', () => {
    const { clock, breaks, phone, ofType } = setup();
    phone.ring('c1');
    clock.advance(3_500);
    expect(ofType('ring-timer').map((event) => event.seconds)).toEqual([0, 1, 2, 3]);
    expect(breaks.snapshot().ringing).toMatchObject({ callId: 'c1', seconds: 3 });
    phone.answer('c1');
    clock.advance(10 * SECOND);
    expect(ofType('ring-timer')).toHaveLength(4);
    expect(breaks.snapshot().ringing).toBeNull();
  });

  it("prompts the greeting at answer and the thank-you at wrap-up, in the policy's words", () => {
    const greeting = { en: 'Acme, good morning!', de: 'Acme, guten Morgen!' };
    const { clock, availability, breaks, phone, ofType } = setup({ greeting });
    phone.ring('c1');
    expect(ofType('greeting-prompt')).toEqual([]);
    phone.answer('c1');
    expect(ofType('greeting-prompt')).toEqual([{ type: 'greeting-prompt', callId: 'c1', text: greeting }]);
    expect(breaks.snapshot().prompt).toMatchObject({ kind: 'greeting', callId: 'c1' });
    clock.advance(MINUTE);
    phone.hangUp('c1');
    expect(ofType('thank-you-prompt')).toEqual([
      { type: 'thank-you-prompt', callId: 'c1', text: DEFAULT_WORKSPACE_POLICY.thankYou },
    ]);
    expect(breaks.snapshot().prompt).toMatchObject({ kind: 'thank-you', callId: 'c1' });
    availability.completeWrapUp({ outcome: 'resolved' });
    expect(breaks.snapshot().prompt).toBeNull();
  });
});

describe('the snapshot of a break', () => {
  it('shows the countdown, then the overrun, with the breathing guide for a de-escalation break', () => {
    const { clock, availability, breaks, phone, ofType } = setup({
      deEscalationBreakMinutes: 2,
      wrapUpLimitSeconds: 30,
    });
    phone.ring('c1');
    phone.answer('c1');
    availability.markCallFlagged('c1');
    phone.hangUp('c1');
    expect(breaks.snapshot().wrapUp).toMatchObject({ callId: 'c1', remainingMs: 30 * SECOND });
    clock.advance(30 * SECOND);
    expect(breaks.snapshot()).toMatchObject({
      status: 'available',
      breakOffer: { reason: 'flagged-call' },
      wrapUp: null,
    });

    availability.startBreak('de-escalation');
    clock.advance(5 * SECOND);
    expect(breaks.snapshot().activeBreak).toMatchObject({
      kind: 'de-escalation',
      remainingMs: 115 * SECOND,
      overrun: false,
      breathing: { phase: 'out', secondsLeft: 5, breaths: 0 },
    });
    clock.advance(2 * MINUTE);
    expect(ofType('break-countdown-ended')).toHaveLength(1);
    expect(breaks.snapshot().activeBreak).toMatchObject({ remainingMs: 0, overrun: true, overrunMs: 5 * SECOND });
    availability.endBreak();
    expect(breaks.snapshot().activeBreak).toBeNull();
  });
});

describe('pure helpers', () => {
  it('decides the offer from flag and talk time', () => {
    const policy = { longCallMinutes: 20, deEscalationBreakMinutes: 5 };
    const call = {
      callId: 'c1',
      direction: 'incoming' as const,
      answeredAt: 0,
      endedAt: 0,
      talkMs: MINUTE,
      flagged: false,
    };
    expect(decideDeEscalationOffer(call, policy, 1)).toBeNull();
    expect(decideDeEscalationOffer({ ...call, flagged: true }, policy, 1)?.reason).toBe('flagged-call');
    expect(decideDeEscalationOffer({ ...call, talkMs: 21 * MINUTE }, policy, 1)?.reason).toBe('long-call');
    expect(decideDeEscalationOffer({ ...call, talkMs: 21 * MINUTE, flagged: true }, policy, 1)?.reason).toBe(
      'flagged-call',
    );
  });
});
