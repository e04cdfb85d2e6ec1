/**
 * A call centre's worth of phones against one PBX that restarts: with full jitter
 * (docs/sipjs-pitfalls.md#s31) they come back spread over the backoff window instead
 * of all at once. Each phone draws from its own seeded random source, so the draws
 * are the same on every run; the machine's speed only shifts them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type TestAgent } from '../support/agent';
import { startKamailio, type Kamailio } from '../support/kamailio';
import { seededRandom } from '../support/seeded-random';

const DESKS = 16;
/** Ceiling of every retry in this test: the window the phones spread over. */
const WINDOW_MS = 2_000;

let kamailio: Kamailio;
const agents: TestAgent[] = [];

beforeAll(async () => {
  kamailio = await startKamailio();
  for (let desk = 0; desk < DESKS; desk += 1) {
    agents.push(
      await startAgent(kamailio, {
        user: String(3000 + desk),
        phone: { reconnectBackoffMs: [WINDOW_MS], random: seededRandom(1000 + desk) },
      }),
    );
  }
}, 60_000);

afterAll(async () => {
  await Promise.all(agents.map((agent) => agent.stop()));
  await kamailio?.stop();
});

describe('reconnecting after the PBX restarts', () => {
  it('brings the desks back spread over the backoff window, every one registered again', async () => {
    const back = new Map<number, number>();
    const marks = agents.map((agent) => agent.states.length);
    const restartedAt = Date.now();
    await kamailio.restart();
    await Promise.all(
      agents.map(async (agent, desk) => {
        await agent.waitForState(
          () =>
            agent.states.slice(marks[desk]).some((s) => s.registration.status !== 'registered') &&
            agent.core.phoneState().registration.status === 'registered',
          30_000,
        );
        back.set(desk, Date.now() - restartedAt);
      }),
    );
    for (let desk = 0; desk < DESKS; desk += 1) {
      expect(await kamailio.contacts(String(3000 + desk))).toHaveLength(1);
    }
    const times = [...back.values()].sort((a, b) => a - b);
    // Not one wave: the first and last desk are most of a window apart...
    expect(times.at(-1)! - times[0]!).toBeGreaterThan(WINDOW_MS / 3);
    // ...and no tenth of the window holds more than a third of the desks.
    const busiest = Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + WINDOW_MS / 10).length));
    expect(busiest).toBeLessThanOrEqual(Math.ceil(DESKS / 3));
  }, 60_000);
});
