/**
 * A Clock whose time moves only when a test says so: timers fire in due order during
 * `advance`, so debounce and backoff are tested without sleeping.
 */
import type { Clock, TimerHandle } from '../../../src/main/core/clock';

/** A Clock driven by the test. */
export interface FakeClock extends Clock {
  /** Moves time forward, firing every timer that falls due on the way. */
  advance(ms: number): void;
  /** Timers not fired or cleared yet. */
  pendingTimers(): number;
  /** When the next timer falls due, if any. */
  nextDue(): number | undefined;
}

interface FakeTimer {
  id: number;
  due: number;
  callback: () => void;
}

/** A fake clock starting at `start` (default 2025-03-14 09:00 UTC). */
export function createFakeClock(start = Date.UTC(2025, 2, 14, 9, 0)): FakeClock {
  let now = start;
  let nextId = 1;
  const timers = new Map<number, FakeTimer>();
  const handles = new WeakMap<object, number>();
  const earliest = (): FakeTimer | undefined =>
    [...timers.values()].sort((a, b) => a.due - b.due || a.id - b.id)[0];
  return {
    now: () => now,
    setTimeout: (callback, ms) => {
      const id = nextId;
      nextId += 1;
      timers.set(id, { id, due: now + Math.max(0, ms), callback });
      const handle = { id };
      handles.set(handle, id);
      return handle as TimerHandle;
    },
    clearTimeout: (handle) => {
      const id = handles.get(handle as object);
      if (id !== undefined) timers.delete(id);
    },
    advance: (ms) => {
      const target = now + ms;
      for (let timer = earliest(); timer && timer.due <= target; timer = earliest()) {
        timers.delete(timer.id);
        now = timer.due;
        timer.callback();
      }
      now = target;
    },
    pendingTimers: () => timers.size,
    nextDue: () => earliest()?.due,
  };
}
