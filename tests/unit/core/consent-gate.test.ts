import { describe, expect, it } from 'vitest';
import type { Clock } from '../../../src/core/clock';
import { ConsentGate } from '../../../src/core/phone/consent-gate';
import { PhoneError } from '../../../src/core/phone/phone-error';

function fakeClock(start = 1_000_000): Clock & { advance(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    setTimeout: () => ({}),
    clearTimeout: () => undefined,
    advance: (ms) => {
      now += ms;
    },
  };
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof PhoneError ? error.code : 'not-a-phone-error';
  }
  return undefined;
}

describe('consent gate', () => {
  it('lets an agreed consent be used once, for its call and action, and stamps the use', () => {
    const clock = fakeClock();
    const gate = new ConsentGate(clock);
    const consent = gate.record('call-1', 'hold', 'agreed');
    clock.advance(5_000);
    const used = gate.consume(consent.id, 'call-1', 'hold');
    expect(used.usedAt).toBe(clock.now());
    expect(codeOf(() => gate.consume(consent.id, 'call-1', 'hold'))).toBe('consent-used');
  });

  it('refuses an unknown id, another call, another action and a declined answer', () => {
    const gate = new ConsentGate(fakeClock());
    expect(codeOf(() => gate.consume('nope', 'call-1', 'hold'))).toBe('consent-required');
    const hold = gate.record('call-1', 'hold', 'agreed');
    expect(codeOf(() => gate.consume(hold.id, 'call-2', 'hold'))).toBe('consent-mismatch');
    expect(codeOf(() => gate.consume(hold.id, 'call-1', 'transfer'))).toBe('consent-mismatch');
    const declined = gate.record('call-1', 'transfer', 'declined');
    expect(codeOf(() => gate.consume(declined.id, 'call-1', 'transfer'))).toBe('consent-declined');
    // A refusal does not spend the consent it was not for.
    expect(gate.consume(hold.id, 'call-1', 'hold').usedAt).not.toBeNull();
  });

  it('expires a consent after its time to live', () => {
    const clock = fakeClock();
    const gate = new ConsentGate(clock, 120_000);
    const consent = gate.record('call-1', 'escalate', 'agreed');
    expect(consent.expiresAt - consent.recordedAt).toBe(120_000);
    clock.advance(120_000);
    expect(codeOf(() => gate.consume(consent.id, 'call-1', 'escalate'))).toBe('consent-expired');
  });

  it('keeps the time to live within bounds, so it can be neither zero nor endless', () => {
    const gate = new ConsentGate(fakeClock(), 0);
    expect(gate.record('c', 'hold', 'agreed').expiresAt - 1_000_000).toBe(10_000);
    gate.setTtl(Number.POSITIVE_INFINITY);
    expect(gate.record('c', 'hold', 'agreed').expiresAt - 1_000_000).toBe(600_000);
  });

  it('keeps both answers for the audit trail until the call is forgotten', () => {
    const gate = new ConsentGate(fakeClock());
    gate.record('call-1', 'hold', 'declined');
    gate.record('call-1', 'hold', 'agreed');
    gate.record('call-2', 'hold', 'agreed');
    expect(gate.forCall('call-1').map((c) => c.answer)).toEqual(['declined', 'agreed']);
    gate.forget('call-1');
    expect(gate.forCall('call-1')).toEqual([]);
    expect(gate.forCall('call-2')).toHaveLength(1);
  });
});
