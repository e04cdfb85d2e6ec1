import { describe, expect, it } from 'vitest';
import { breathingPhase, CALM_BREATHING, phaseSeconds } from '../../../src/shared/workspace/breathing-rhythm';

describe('the breathing rhythm', () => {
  it('walks four seconds in, six out, counting down each phase', () => {
    expect(breathingPhase(0)).toEqual({ phase: 'in', secondsLeft: 4, breaths: 0 });
    expect(breathingPhase(3_999)).toEqual({ phase: 'in', secondsLeft: 1, breaths: 0 });
    expect(breathingPhase(4_000)).toEqual({ phase: 'out', secondsLeft: 6, breaths: 0 });
    expect(breathingPhase(9_999)).toEqual({ phase: 'out', secondsLeft: 1, breaths: 0 });
    expect(breathingPhase(10_000)).toEqual({ phase: 'in', secondsLeft: 4, breaths: 1 });
  });

  it('names the seconds of each phase, which the guide says aloud', () => {
    expect([phaseSeconds('in'), phaseSeconds('hold'), phaseSeconds('out')]).toEqual([4, 0, 6]);
    expect(CALM_BREATHING).toEqual({ inhaleSeconds: 4, holdSeconds: 0, exhaleSeconds: 6 });
  });

  it('holds between in and out when the pattern has a pause', () => {
    const boxed = { inhaleSeconds: 1, holdSeconds: 2, exhaleSeconds: 1 };
    expect(breathingPhase(2_000, boxed)).toEqual({ phase: 'hold', secondsLeft: 1, breaths: 0 });
    expect(breathingPhase(3_000, boxed)).toEqual({ phase: 'out', secondsLeft: 1, breaths: 0 });
  });

  it('starts breathing in when the clock stepped back before the break started', () => {
    expect(breathingPhase(-1_500)).toEqual({ phase: 'in', secondsLeft: 4, breaths: 0 });
  });
});
