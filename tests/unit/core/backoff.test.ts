import { describe, expect, it } from 'vitest';
import { backoffCeiling, backoffDelay, DEFAULT_BACKOFF } from '../../../src/core/phone/backoff';
import { RegistrationManager } from '../../../src/core/phone/registration';
import { silentLogger } from '../../../src/core/logger';
import { createFakeClock } from '../../support/fake-clock';
import { seededRandom } from '../../support/seeded-random';

describe('reconnect backoff with full jitter', () => {
  it('doubles the ceiling from 0.5 s up to 30 s', () => {
    const ceilings = Array.from({ length: 9 }, (_, attempt) => backoffCeiling(attempt, DEFAULT_BACKOFF));
    expect(ceilings).toEqual([500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    expect(backoffCeiling(5_000, DEFAULT_BACKOFF)).toBe(30_000);
  });

  it('draws each delay uniformly between the floor and the ceiling', () => {
    expect(backoffDelay(3, DEFAULT_BACKOFF, () => 0)).toBe(100);
    expect(backoffDelay(3, DEFAULT_BACKOFF, () => 0.5)).toBe(2_050);
    expect(backoffDelay(3, DEFAULT_BACKOFF, () => 0.999999)).toBe(4_000);
    // A broken random source cannot go outside the window.
    expect(backoffDelay(3, DEFAULT_BACKOFF, () => 7)).toBe(4_000);
    expect(backoffDelay(3, DEFAULT_BACKOFF, () => -1)).toBe(100);
  });

  it('spreads 500 desks that lost the PBX together over the whole window instead of one instant', () => {
    const random = seededRandom(20261204);
    const delays = Array.from({ length: 500 }, () => backoffDelay(6, DEFAULT_BACKOFF, random));
    const buckets = Array.from({ length: 10 }, (_, i) => delays.filter((d) => Math.floor(d / 3_000) === i).length);
    // Roughly 50 in each 3-second slice of the 30-second window; none holds more than a fifth.
    expect(Math.min(...buckets)).toBeGreaterThan(25);
    expect(Math.max(...buckets)).toBeLessThan(100);
    expect(new Set(delays).size).toBeGreaterThan(400);
  });

  it('is what the registration waits before each reconnect, with the clock and random source it is given', async () => {
    const clock = createFakeClock();
    const draws = [0.25, 0.5, 0.75];
    const registration = new RegistrationManager({
      aor: 'sip:1001@pbx.example.com',
      wsUrl: 'ws://pbx.example.com:8080',
      clock,
      logger: silentLogger,
      connection: {
        start: () => Promise.resolve(),
        reconnect: () => Promise.reject(new Error('ECONNREFUSED')),
        stop: () => Promise.resolve(),
      },
      createRegisterer: () => {
        throw new Error('never connected');
      },
      random: () => draws.shift() ?? 0,
      onChange: () => {},
    });
    await registration.start();
    registration.handleDisconnect(new Error('connection closed'));
    const waits: number[] = [];
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const due = clock.nextDue()!;
      waits.push(due - clock.now());
      clock.advanceTo(due);
      for (let turn = 0; turn < 5; turn += 1) await Promise.resolve();
    }
    // Ceilings 500, 1000, 2000 ms; floor 100 ms.
    expect(waits).toEqual([200, 550, 1_525]);
    expect(registration.current).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/Retrying in 1 s\.$/),
    });
  });
});
