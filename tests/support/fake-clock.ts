/**
 * A Clock whose time moves only when a test says so: `advance(ms)` fires every timer
 * that falls due on the way, in due order, with `now()` set to each timer's due time
 * (timers scheduled by a firing timer fire too, if they fall due within the advance).
 * So break countdowns, reminders and wrap-up limits are tested without sleeping.
 */
import type { Clock } from '../../src/core/clock';

/** A Clock driven by the test. */
export interface FakeClock extends Clock {
  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void;
  /** Moves time forward to the epoch time `at`. */
  advanceTo(at: number): void;
  /** When the next timer falls due, if any. */
  nextDue(): number | undefined;
  /** Timers neither fired nor cleared yet. */
  pendingTimers(): number;
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
  const ids = new WeakMap<object, number>();
  const earliest = (): FakeTimer | undefined => [...timers.values()].sort((a, b) => a.due - b.due || a.id - b.id)[0];
  const advanceTo = (target: number): void => {
    if (target < now) throw new Error(`The fake clock cannot go back (from ${now} to ${target}).`);
    for (let timer = earliest(); timer !== undefined && timer.due <= target; timer = earliest()) {
      timers.delete(timer.id);
      now = timer.due;
      timer.callback();
    }
    now = target;
  };
  return {
    now: () => now,
    setTimeout: (callback, ms) => {
      const id = nextId++;
      timers.set(id, { id, due: now + Math.max(0, ms), callback });
      const handle = { id };
      ids.set(handle, id);
      return handle;
    },
    clearTimeout: (handle) => {
      const id = ids.get(handle as object);
      if (id !== undefined) timers.delete(id);
    },
    advance: (ms) => advanceTo(now + ms),
    advanceTo,
    pendingTimers: () => timers.size,
    nextDue: () => earliest()?.due,
  };
}
