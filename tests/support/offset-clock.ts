/**
 * A clock for integration tests whose "now" can jump ahead (consent expiry, ring
 * timers) while its timers still run on real time, so real SIP keeps flowing.
 */
import { systemClock, type Clock } from '../../src/core/clock';

/** A Clock with `advance(ms)`. */
export interface OffsetClock extends Clock {
  advance(ms: number): void;
}

/** Creates a clock that starts at real time. */
export function createOffsetClock(): OffsetClock {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    setTimeout: systemClock.setTimeout,
    clearTimeout: systemClock.clearTimeout,
    advance: (ms) => {
      offset += ms;
    },
  };
}
