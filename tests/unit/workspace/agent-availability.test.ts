import { describe, expect, it } from 'vitest';
import {
  AgentAvailability,
  AgentTransitionError,
  canAgent,
  nextAgentStatus,
  agentActions,
  agentStatuses,
  TRANSITIONS,
  type AgentAction,
  type AgentAvailabilityEvent,
  type AgentStatus,
} from '../../../src/core/workspace/agent-availability';
import { DEFAULT_WORKSPACE_POLICY, type WorkspacePolicy } from '../../../src/shared/workspace/workspace-policy';
import { createFakeClock } from '../../support/fake-clock';
import { FakePhone } from './fake-phone';
import { errorOf } from './error-of';

const SECOND = 1000;
const MINUTE = 60 * SECOND;

function setup(policy: Partial<WorkspacePolicy> = {}) {
  const clock = createFakeClock();
  const availability = new AgentAvailability({ clock, policy: { ...DEFAULT_WORKSPACE_POLICY, ...policy } });
  const phone = new FakePhone(clock, availability);
  const events: AgentAvailabilityEvent[] = [];
  availability.onEvent((event) => events.push(event));
  const ofType = <T extends AgentAvailabilityEvent['type']>(type: T) =>
    events.filter((event): event is Extract<AgentAvailabilityEvent, { type: T }> => event.type === type);
  return { clock, availability, phone, events, ofType };
}

/** Rings, answers after 5 s, talks for `talkMs`, hangs up. */
function takeCall(phone: FakePhone, clock: ReturnType<typeof createFakeClock>, id: string, talkMs: number): void {
  phone.ring(id);
  clock.advance(5 * SECOND);
  phone.answer(id);
  clock.advance(talkMs);
  phone.hangUp(id);
}

describe('agent availability', () => {
  it('starts available and accepting calls', () => {
    const { availability } = setup();
    expect(availability.state().status).toBe('available');
    expect(availability.isAcceptingCalls()).toBe(true);
    expect(availability.phoneAvailability()).toEqual({ accepting: true });
  });

  it('rings, goes in-call once answered, then to wrap-up, and back to available when the wrap-up limit passes', () => {
    const { clock, availability, phone, ofType } = setup({ wrapUpLimitSeconds: 90 });
    phone.ring('c1');
    expect(availability.state().status).toBe('ringing');
    expect(availability.isAcceptingCalls()).toBe(true);
    clock.advance(3 * SECOND);
    phone.answer('c1');
    expect(availability.state().status).toBe('in-call');
    clock.advance(4 * MINUTE);
    phone.hangUp('c1');
    const wrapUp = availability.state();
    expect(wrapUp).toMatchObject({
      status: 'wrap-up',
      deadline: clock.now() + 90 * SECOND,
      outcome: null,
      breakOffer: null,
    });
    expect(wrapUp.status === 'wrap-up' && wrapUp.call).toMatchObject({
      callId: 'c1',
      talkMs: 4 * MINUTE,
      flagged: false,
    });
    expect(availability.phoneAvailability()).toEqual({ accepting: false, mode: 'busy' });

    availability.setWrapUp({ note: 'Wanted the invoice again' });
    clock.advance(90 * SECOND - 1);
    expect(availability.state().status).toBe('wrap-up');
    clock.advance(1);
    expect(availability.state().status).toBe('available');
    expect(availability.isAcceptingCalls()).toBe(true);
    expect(ofType('wrap-up-finished').map((event) => event.record)).toEqual([
      expect.objectContaining({
        callId: 'c1',
        outcome: null,
        note: 'Wanted the invoice again',
        finishedBy: 'time-limit',
      }),
    ]);
  });

  it('completes the wrap-up early when the agent chooses an outcome, and requires one', () => {
    const { clock, availability, phone } = setup();
    takeCall(phone, clock, 'c1', 2 * MINUTE);
    expect(errorOf(() => availability.completeWrapUp()).code).toBe('outcome-required');
    expect(availability.state().status).toBe('wrap-up');
    const record = availability.completeWrapUp({ outcome: 'follow-up', note: 'Call back Monday' });
    expect(record).toMatchObject({ callId: 'c1', outcome: 'follow-up', note: 'Call back Monday', finishedBy: 'agent' });
    expect(availability.state().status).toBe('available');
    // The limit timer of the completed wrap-up must not fire into a later state.
    phone.ring('c2');
    phone.answer('c2');
    clock.advance(10 * MINUTE);
    expect(availability.state().status).toBe('in-call');
  });

  it('goes straight back to available after a call nobody answered', () => {
    const { clock, availability, phone, ofType } = setup();
    phone.ring('c1');
    clock.advance(20 * SECOND);
    phone.hangUp('c1');
    expect(availability.state().status).toBe('available');
    expect(ofType('wrap-up-finished')).toEqual([]);
  });

  it('offers a de-escalation break after a flagged call; the break keeps the phone unavailable past its countdown until the agent ends it', () => {
    const { clock, availability, phone, ofType } = setup({
      deEscalationBreakMinutes: 3,
      unavailableMode: 'unregister',
    });
    phone.ring('c1');
    phone.answer('c1');
    clock.advance(2 * MINUTE);
    expect(availability.markCallFlagged('c1')).toBe(true);
    phone.hangUp('c1');
    const wrapUp = availability.state();
    expect(wrapUp.status === 'wrap-up' && wrapUp.breakOffer).toMatchObject({
      kind: 'de-escalation',
      reason: 'flagged-call',
      callId: 'c1',
      minutes: 3,
    });
    availability.completeWrapUp({ outcome: 'resolved' });
    const available = availability.state();
    expect(available.status === 'available' && available.breakOffer?.reason).toBe('flagged-call');

    availability.startBreak('de-escalation');
    const started = clock.now();
    expect(availability.state()).toMatchObject({
      status: 'on-break',
      kind: 'de-escalation',
      endsAt: started + 3 * MINUTE,
      overrun: false,
    });
    expect(availability.isAcceptingCalls()).toBe(false);
    expect(availability.phoneAvailability()).toEqual({ accepting: false, mode: 'unregister' });
    expect(availability.unavailableMode).toBe('unregister');

    clock.advance(3 * MINUTE);
    expect(availability.state()).toMatchObject({ status: 'on-break', overrun: true });
    expect(ofType('break-countdown-ended')).toEqual([
      { type: 'break-countdown-ended', kind: 'de-escalation', endsAt: started + 3 * MINUTE },
    ]);
    clock.advance(30 * MINUTE);
    expect(availability.state().status).toBe('on-break');
    expect(availability.isAcceptingCalls()).toBe(false);

    const record = availability.endBreak();
    expect(record).toEqual({
      kind: 'de-escalation',
      startedAt: started,
      endedAt: started + 33 * MINUTE,
      plannedMs: 3 * MINUTE,
      overrunMs: 30 * MINUTE,
      endedBy: 'agent',
    });
    expect(availability.state()).toMatchObject({ status: 'available', breakOffer: null });
    expect(availability.isAcceptingCalls()).toBe(true);
  });

  it('offers the break when the caller is flagged during wrap-up, and after a call over the long-call limit', () => {
    const flagged = setup();
    takeCall(flagged.phone, flagged.clock, 'c1', MINUTE);
    expect(flagged.availability.state()).toMatchObject({ status: 'wrap-up', breakOffer: null });
    expect(flagged.availability.markCallFlagged('c1')).toBe(true);
    expect(flagged.availability.state()).toMatchObject({
      breakOffer: { reason: 'flagged-call' },
      call: { flagged: true },
    });
    expect(flagged.availability.markCallFlagged('some-old-call')).toBe(false);

    const long = setup({ longCallMinutes: 20 });
    takeCall(long.phone, long.clock, 'c1', 20 * MINUTE + SECOND);
    expect(long.availability.state()).toMatchObject({ breakOffer: { reason: 'long-call', callId: 'c1' } });

    const short = setup({ longCallMinutes: 20 });
    takeCall(short.phone, short.clock, 'c1', 20 * MINUTE - SECOND);
    expect(short.availability.state()).toMatchObject({ breakOffer: null });
  });

  it('lets the agent decline the offer, and refuses declining when nothing is offered', () => {
    const { clock, availability, phone } = setup();
    takeCall(phone, clock, 'c1', 25 * MINUTE);
    availability.declineBreakOffer();
    expect(availability.state()).toMatchObject({ status: 'wrap-up', breakOffer: null });
    expect(errorOf(() => availability.declineBreakOffer()).code).toBe('no-break-offer');
  });

  it('does not end a break for a ringing call, but a call the agent answers or places ends it', () => {
    const { clock, availability, phone, ofType } = setup();
    availability.startBreak('regular');
    phone.ring('c1');
    expect(availability.state().status).toBe('on-break');
    expect(availability.isAcceptingCalls()).toBe(false);
    phone.hangUp('c1');
    clock.advance(MINUTE);
    phone.dial('c2');
    expect(availability.state().status).toBe('in-call');
    expect(ofType('break-finished').map((event) => event.record.endedBy)).toEqual(['call']);
  });

  it('closes an open wrap-up as interrupted when the agent takes another call', () => {
    const { clock, availability, phone, ofType } = setup();
    takeCall(phone, clock, 'c1', MINUTE);
    availability.setWrapUp({ outcome: 'resolved' });
    phone.ring('c2');
    expect(availability.state().status).toBe('wrap-up');
    phone.answer('c2');
    expect(availability.state().status).toBe('in-call');
    expect(ofType('wrap-up-finished').map((event) => event.record)).toEqual([
      expect.objectContaining({ callId: 'c1', outcome: 'resolved', finishedBy: 'interrupted' }),
    ]);
    clock.advance(10 * MINUTE);
    expect(availability.state().status).toBe('in-call');
  });

  it('wraps up the customer call, not the consult leg of a transfer, and measures to its end', () => {
    const { clock, availability, phone } = setup();
    phone.ring('customer');
    phone.answer('customer');
    clock.advance(3 * MINUTE);
    phone.hold('customer');
    phone.dial('supervisor', 'customer');
    clock.advance(MINUTE);
    phone.answer('supervisor');
    clock.advance(MINUTE);
    phone.hangUp('customer');
    clock.advance(30 * SECOND);
    phone.hangUp('supervisor');
    expect(availability.state()).toMatchObject({ status: 'wrap-up', call: { callId: 'customer', talkMs: 5 * MINUTE } });
  });

  it('takes the end of a call the phone dropped from its list as now', () => {
    const { clock, availability, phone } = setup();
    phone.ring('c1');
    phone.answer('c1');
    clock.advance(2 * MINUTE);
    phone.drop('c1');
    expect(availability.state()).toMatchObject({ status: 'wrap-up', call: { callId: 'c1', talkMs: 2 * MINUTE } });
  });

  it('refuses impossible moves with a typed error and a hint, changing nothing', () => {
    const { clock, availability, phone } = setup();
    const endWhileAvailable = errorOf(() => availability.endBreak());
    expect(endWhileAvailable).toBeInstanceOf(AgentTransitionError);
    expect(endWhileAvailable).toMatchObject({ code: 'invalid-transition', from: 'available', action: 'end-break' });
    expect(endWhileAvailable.message).toContain('You are not on a break.');
    expect(errorOf(() => availability.completeWrapUp({ outcome: 'resolved' })).message).toContain(
      'There is no wrap-up open.',
    );

    phone.ring('c1');
    phone.answer('c1');
    expect(errorOf(() => availability.startBreak('regular'))).toMatchObject({
      code: 'invalid-transition',
      from: 'in-call',
    });
    expect(errorOf(() => availability.setWrapUp({ outcome: 'resolved' })).code).toBe('invalid-transition');
    expect(availability.state().status).toBe('in-call');

    clock.advance(MINUTE);
    phone.hangUp('c1');
    expect(errorOf(() => availability.startBreak('de-escalation')).message).toContain('Complete the wrap-up first');
    expect(errorOf(() => availability.setWrapUp({ note: 'x'.repeat(2_001) })).code).toBe('note-too-long');
    availability.completeWrapUp({ outcome: 'escalated' });

    availability.startBreak('regular');
    expect(errorOf(() => availability.startBreak('regular')).message).toContain('already on a break');
    expect(availability.state()).toMatchObject({ status: 'on-break', kind: 'regular' });
  });

  it('takes the countdown length of each kind of break from the policy', () => {
    const { clock, availability } = setup({ regularBreakMinutes: 10 });
    availability.startBreak('regular');
    expect(availability.state()).toMatchObject({ endsAt: clock.now() + 10 * MINUTE });
  });
});

describe('agent availability in a busy queue', () => {
  it('wraps up the call that ended although another caller rings, and shows that caller waiting afterwards', () => {
    const { clock, availability, phone, ofType } = setup();
    phone.ring('c1');
    phone.answer('c1');
    clock.advance(MINUTE);
    phone.ring('c2');
    expect(availability.state().status).toBe('in-call');
    phone.hangUp('c1');
    expect(availability.state()).toMatchObject({ status: 'wrap-up', call: { callId: 'c1' }, queued: [] });
    // More callers ring during the wrap-up: it stays open for c1.
    phone.ring('c3');
    expect(availability.state()).toMatchObject({ status: 'wrap-up', call: { callId: 'c1' } });
    availability.completeWrapUp({ outcome: 'resolved' });
    expect(availability.state().status).toBe('ringing');
    expect(ofType('wrap-up-finished').map((event) => [event.record.callId, event.record.finishedBy])).toEqual([
      ['c1', 'agent'],
    ]);
    phone.hangUp('c2');
    phone.hangUp('c3');
    expect(availability.state().status).toBe('available');
  });

  it('offers the break after a flagged call while calls wait, and the break can start from ringing', () => {
    const { clock, availability, phone } = setup();
    phone.ring('c1');
    phone.answer('c1');
    clock.advance(MINUTE);
    availability.markCallFlagged('c1');
    phone.ring('c2');
    phone.hangUp('c1');
    expect(availability.state()).toMatchObject({ status: 'wrap-up', breakOffer: { reason: 'flagged-call' } });
    clock.advance(DEFAULT_WORKSPACE_POLICY.wrapUpLimitSeconds * SECOND);
    expect(availability.state()).toMatchObject({
      status: 'ringing',
      breakOffer: { reason: 'flagged-call', callId: 'c1' },
    });
    availability.startBreak('de-escalation');
    expect(availability.state()).toMatchObject({ status: 'on-break', kind: 'de-escalation' });
    phone.hangUp('c2');
    availability.endBreak();
    expect(availability.state()).toMatchObject({ status: 'available', breakOffer: null });
  });

  it('keeps the offer of an interrupted wrap-up until the next wrap-up, and lets the agent decline it while calls ring', () => {
    const { clock, availability, phone } = setup({ wrapUpHoldsCalls: false });
    phone.ring('c1');
    phone.answer('c1');
    availability.markCallFlagged('c1');
    clock.advance(MINUTE);
    phone.ring('c2');
    phone.hangUp('c1');
    expect(availability.phoneAvailability()).toEqual({ accepting: true });
    phone.answer('c2');
    expect(availability.state().status).toBe('in-call');
    clock.advance(MINUTE);
    phone.hangUp('c2');
    expect(availability.state()).toMatchObject({
      status: 'wrap-up',
      call: { callId: 'c2' },
      breakOffer: { callId: 'c1' },
    });
    phone.ring('c3');
    availability.completeWrapUp({ outcome: 'resolved' });
    expect(availability.state()).toMatchObject({ status: 'ringing', breakOffer: { callId: 'c1' } });
    availability.declineBreakOffer();
    expect(availability.state()).toMatchObject({ status: 'ringing', breakOffer: null });
  });

  it('says on-hold while every answered call is held, and in-call again on resume', () => {
    const { availability, phone } = setup();
    phone.ring('c1');
    phone.answer('c1');
    phone.hold('c1');
    expect(availability.state().status).toBe('on-hold');
    phone.ring('c2');
    expect(availability.state().status).toBe('on-hold');
    phone.answer('c2');
    expect(availability.state().status).toBe('in-call');
    phone.hold('c2');
    expect(availability.state().status).toBe('on-hold');
    phone.resume('c1');
    expect(availability.state().status).toBe('in-call');
  });

  it('gives each of two answered calls its own wrap-up, one after the other', () => {
    const { clock, availability, phone, ofType } = setup({ wrapUpLimitSeconds: 30 });
    phone.ring('a');
    phone.answer('a');
    phone.hold('a');
    phone.ring('b');
    phone.answer('b');
    clock.advance(MINUTE);
    phone.hangUp('a');
    expect(availability.state().status).toBe('in-call');
    expect(availability.wrapUpCallIds()).toEqual(['a']);
    phone.hangUp('b');
    expect(availability.state()).toMatchObject({ status: 'wrap-up', call: { callId: 'a' }, queued: ['b'] });
    availability.completeWrapUp({ outcome: 'resolved' });
    expect(availability.state()).toMatchObject({ status: 'wrap-up', call: { callId: 'b' }, queued: [] });
    clock.advance(30 * SECOND);
    expect(availability.state().status).toBe('available');
    expect(ofType('wrap-up-finished').map((event) => [event.record.callId, event.record.finishedBy])).toEqual([
      ['a', 'agent'],
      ['b', 'time-limit'],
    ]);
  });

  it('holds calls back with 486 during wrap-up when wrapUpHoldsCalls is true', () => {
    const { clock, availability, phone } = setup({ wrapUpHoldsCalls: true });
    takeCall(phone, clock, 'c1', MINUTE);
    expect(availability.phoneAvailability()).toEqual({ accepting: false, mode: 'busy' });
    expect(availability.isAcceptingCalls()).toBe(false);
  });
});

describe('the agent state table', () => {
  // Every (state, event) pair: the state it leads to, or '—' for a refused move.
  const expected: Record<AgentStatus, Record<AgentAction, AgentStatus | '—'>> = {
    available: {
      'call-rings': 'ringing',
      'ringing-stopped': '—',
      'call-engaged': 'in-call',
      'calls-held': '—',
      'answered-call-ended': 'wrap-up',
      'calls-ended': '—',
      'set-wrap-up': '—',
      'complete-wrap-up': '—',
      'wrap-up-time-limit': '—',
      'start-break': 'on-break',
      'countdown-ended': '—',
      'end-break': '—',
      'decline-break-offer': 'available',
    },
    ringing: {
      'call-rings': 'ringing',
      'ringing-stopped': 'available',
      'call-engaged': 'in-call',
      'calls-held': '—',
      'answered-call-ended': 'wrap-up',
      'calls-ended': '—',
      'set-wrap-up': '—',
      'complete-wrap-up': '—',
      'wrap-up-time-limit': '—',
      'start-break': 'on-break',
      'countdown-ended': '—',
      'end-break': '—',
      'decline-break-offer': 'ringing',
    },
    'in-call': {
      'call-rings': 'in-call',
      'ringing-stopped': 'in-call',
      'call-engaged': 'in-call',
      'calls-held': 'on-hold',
      'answered-call-ended': 'wrap-up',
      'calls-ended': 'available',
      'set-wrap-up': '—',
      'complete-wrap-up': '—',
      'wrap-up-time-limit': '—',
      'start-break': '—',
      'countdown-ended': '—',
      'end-break': '—',
      'decline-break-offer': '—',
    },
    'on-hold': {
      'call-rings': 'on-hold',
      'ringing-stopped': 'on-hold',
      'call-engaged': 'in-call',
      'calls-held': 'on-hold',
      'answered-call-ended': 'wrap-up',
      'calls-ended': 'available',
      'set-wrap-up': '—',
      'complete-wrap-up': '—',
      'wrap-up-time-limit': '—',
      'start-break': '—',
      'countdown-ended': '—',
      'end-break': '—',
      'decline-break-offer': '—',
    },
    'wrap-up': {
      'call-rings': 'wrap-up',
      'ringing-stopped': 'wrap-up',
      'call-engaged': 'in-call',
      'calls-held': '—',
      'answered-call-ended': 'wrap-up',
      'calls-ended': '—',
      'set-wrap-up': 'wrap-up',
      'complete-wrap-up': 'available',
      'wrap-up-time-limit': 'available',
      'start-break': '—',
      'countdown-ended': '—',
      'end-break': '—',
      'decline-break-offer': 'wrap-up',
    },
    'on-break': {
      'call-rings': 'on-break',
      'ringing-stopped': 'on-break',
      'call-engaged': 'in-call',
      'calls-held': '—',
      'answered-call-ended': '—',
      'calls-ended': '—',
      'set-wrap-up': '—',
      'complete-wrap-up': '—',
      'wrap-up-time-limit': '—',
      'start-break': '—',
      'countdown-ended': 'on-break',
      'end-break': 'available',
      'decline-break-offer': '—',
    },
  };
  const rows = agentStatuses.flatMap((state) =>
    agentActions.map((action) => ({ state, action, to: expected[state][action] })),
  );

  it.each(rows)('$state + $action → $to', ({ state, action, to }) => {
    if (to === '—') {
      expect(canAgent(state, action)).toBe(false);
      expect(() => nextAgentStatus(state, action)).toThrow(AgentTransitionError);
    } else {
      expect(canAgent(state, action)).toBe(true);
      expect(nextAgentStatus(state, action)).toBe(to);
    }
  });

  it('the table covers every state', () => {
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...agentStatuses].sort());
  });
});
