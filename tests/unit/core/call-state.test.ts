import { describe, expect, it } from 'vitest';
import { CallTransitionError, canApply, nextCallState } from '../../../src/core/phone/call-state';

describe('call state machine', () => {
  it('moves an incoming call from ringing to active to ended', () => {
    expect(nextCallState('ringing', 'answer')).toBe('active');
    expect(nextCallState('active', 'hang-up')).toBe('ended');
    expect(nextCallState('active', 'remote-hangup')).toBe('ended');
  });

  it('ends a ringing call that is declined or cancelled by the caller', () => {
    expect(nextCallState('ringing', 'decline')).toBe('ended');
    expect(nextCallState('ringing', 'caller-cancelled')).toBe('ended');
  });

  it('moves an outgoing call from dialing to active, or ends it when rejected or cancelled', () => {
    expect(nextCallState('dialing', 'remote-answered')).toBe('active');
    expect(nextCallState('dialing', 'remote-rejected')).toBe('ended');
    expect(nextCallState('dialing', 'hang-up')).toBe('ended');
  });

  it('refuses impossible moves with a typed error that says what to do instead', () => {
    const error = (() => {
      try {
        nextCallState('ringing', 'hang-up');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(CallTransitionError);
    expect((error as CallTransitionError).code).toBe('invalid-transition');
    expect((error as CallTransitionError).message).toMatch(/decline it instead/);
    expect(() => nextCallState('active', 'answer')).toThrow(/already answered/);
    expect(() => nextCallState('dialing', 'answer')).toThrow(CallTransitionError);
  });

  it('lets nothing happen to an ended call', () => {
    for (const event of ['answer', 'decline', 'hang-up', 'remote-hangup', 'failed'] as const) {
      expect(canApply('ended', event)).toBe(false);
      expect(() => nextCallState('ended', event)).toThrow(/already ended/);
    }
  });
});
