/**
 * Time as the core sees it. Every timer in the core (reconnect backoff, ring,
 * consent expiry, breaks) goes through a Clock so tests drive time instead of
 * sleeping.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** Opaque handle returned by `Clock.setTimeout`. */
export type TimerHandle = { readonly __timer: unique symbol } | object;

/** The real clock; timers do not keep the process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
