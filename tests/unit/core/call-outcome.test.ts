import { describe, expect, it } from 'vitest';
import { CallRecorder, callOutcome } from '../../../src/core/call-recorder';
import { silentLogger } from '../../../src/core/logger';
import type { CallRecordInput } from '../../../src/shared/call-record';
import { newCallView } from '../../../src/shared/contract';

describe('the outcome filed with an ended call', () => {
  it.each([
    [{ answeredAt: 5, direction: 'incoming', endReason: 'remote-hangup' }, 'answered'],
    [{ answeredAt: null, direction: 'incoming', endReason: 'declined' }, 'declined'],
    [{ answeredAt: null, direction: 'incoming', endReason: 'caller-cancelled' }, 'missed'],
    [{ answeredAt: null, direction: 'outgoing', endReason: 'failed' }, 'unanswered'],
  ] as const)('%o → %s', (call, outcome) => {
    expect(callOutcome(call)).toBe(outcome);
  });

  it('is written when the call ends, not while it rings', async () => {
    const filed: CallRecordInput[] = [];
    const recorder = new CallRecorder(
      { recordCall: async (input) => (filed.push(input), { ...input }) },
      () => 'Anna',
      silentLogger,
    );
    const ringing = { ...newCallView('c1', 'incoming', 1), remoteNumber: '+49301' };
    recorder.observe([ringing]);
    recorder.observe([{ ...ringing, state: 'ended', endedAt: 9, endReason: 'caller-cancelled' }]);
    await recorder.settled();
    expect(filed.map((input) => input.outcome)).toEqual([undefined, 'missed']);
  });
});
