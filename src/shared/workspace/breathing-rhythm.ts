/**
 * The breathing rhythm of the de-escalation break's guide ("breathe deeply", W1):
 * one definition for the core's snapshot and the renderer's guide, so the circle,
 * the words and the seconds they name always agree.
 */

/** A slow breathing rhythm, in whole seconds per phase. */
export interface BreathingPattern {
  inhaleSeconds: number;
  /** 0 for no pause between breathing in and out. */
  holdSeconds: number;
  exhaleSeconds: number;
}

/** Four seconds in, six out: a longer out-breath is the calming part. */
export const CALM_BREATHING: Readonly<BreathingPattern> = Object.freeze({
  inhaleSeconds: 4,
  holdSeconds: 0,
  exhaleSeconds: 6,
});

/** The phases of one breath, in order. */
export const breathingPhases = ['in', 'hold', 'out'] as const;

/** Where in the breathing rhythm the guide is. */
export interface BreathingPhase {
  phase: (typeof breathingPhases)[number];
  /** Whole seconds left in this phase, counting down to 1. */
  secondsLeft: number;
  /** How many full breaths have passed. */
  breaths: number;
}

/** How long `phase` of `pattern` lasts, in whole seconds. */
export function phaseSeconds(
  phase: BreathingPhase['phase'],
  pattern: Readonly<BreathingPattern> = CALM_BREATHING,
): number {
  if (phase === 'in') return pattern.inhaleSeconds;
  return phase === 'hold' ? pattern.holdSeconds : pattern.exhaleSeconds;
}

/** The breathing phase `elapsedMs` into the break (a negative time, from a clock step back, counts as 0). */
export function breathingPhase(
  elapsedMs: number,
  pattern: Readonly<BreathingPattern> = CALM_BREATHING,
): BreathingPhase {
  const cycleMs = (pattern.inhaleSeconds + pattern.holdSeconds + pattern.exhaleSeconds) * 1000;
  const elapsed = Math.max(0, elapsedMs);
  const breaths = Math.floor(elapsed / cycleMs);
  let within = elapsed - breaths * cycleMs;
  for (const phase of breathingPhases) {
    const length = phaseSeconds(phase, pattern) * 1000;
    if (within < length) return { phase, secondsLeft: Math.ceil((length - within) / 1000), breaths };
    within -= length;
  }
  return { phase: 'in', secondsLeft: pattern.inhaleSeconds, breaths: breaths + 1 };
}
