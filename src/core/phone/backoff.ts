/**
 * Reconnect delays: exponential backoff with full jitter (docs/sipjs-pitfalls.md#s31).
 *
 * A fixed ladder sends every desk of a call centre back to a restarted PBX in the
 * same instant, again and again. Here the n-th retry waits a uniformly random time
 * between a small floor and `min(cap, base * 2^n)` ("full jitter"), so hundreds of
 * phones spread their REGISTERs over the whole window while the ceiling still grows.
 * The random source is injected so tests can pin it.
 */

/** How reconnect delays grow. */
export interface BackoffPolicy {
  /** Ceiling of the first retry, in ms. */
  baseMs: number;
  /** Largest ceiling, in ms. */
  capMs: number;
  /** No retry sooner than this, in ms, so a run of tiny random draws cannot spin. */
  floorMs: number;
  /** Explicit ceilings per attempt instead of base * 2^n (the last repeats); for tests. */
  ceilingsMs?: readonly number[] | undefined;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, capMs: 30_000, floorMs: 100 };

/** The ceiling of retry number `attempt` (0 = the first). */
export function backoffCeiling(attempt: number, policy: BackoffPolicy): number {
  const ladder = policy.ceilingsMs;
  if (ladder && ladder.length > 0) return ladder[Math.min(attempt, ladder.length - 1)] ?? policy.capMs;
  return Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempt, 30));
}

/** The delay before retry number `attempt`: uniform in [floor, ceiling]; `random` returns [0, 1). */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = backoffCeiling(attempt, policy);
  const floor = Math.min(policy.floorMs, ceiling);
  const draw = Math.min(Math.max(random(), 0), 1);
  return Math.round(floor + draw * (ceiling - floor));
}
