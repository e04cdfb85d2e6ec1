import { describe, expect, it, vi } from 'vitest';
import { CrossFeatureRules } from '../../../src/core/cross-feature-rules';
import { silentLogger } from '../../../src/core/logger';
import { StorageError } from '../../../src/core/storage/files/storage-error';
import { Workspace } from '../../../src/core/workspace/workspace';
import type { CallerRecord } from '../../../src/shared/caller-record';
import type { CallView } from '../../../src/shared/contract';
import { DEFAULT_WORKSPACE_POLICY, type WorkspacePolicy } from '../../../src/shared/workspace/workspace-policy';
import { createFakeClock } from '../../support/fake-clock';
import { callView, FakePhone } from '../workspace/fake-phone';

const DAY = 24 * 60 * 60 * 1000;

/** A workspace fed by a fake phone, the rules on top, and a directory that records its calls. */
function setup(policy: Partial<WorkspacePolicy> = {}, options: { directory?: boolean } = {}) {
  const clock = createFakeClock();
  const workspace = new Workspace({ clock, logger: silentLogger, policy: { ...DEFAULT_WORKSPACE_POLICY, ...policy } });
  let calls: readonly CallView[] = [];
  const phone = new FakePhone(clock, {
    updateCalls: (next) => {
      calls = next;
      workspace.updateCalls(next);
    },
  });
  const directory = {
    lookup: vi.fn(async (_number: string): Promise<CallerRecord | undefined> => undefined),
    addFollowUp: vi.fn(async (number: string, followUp: object) => ({ id: 'f1', number, ...followUp }) as never),
    recordCall: vi.fn(async (_number: string, _call: object): Promise<void> => undefined),
  };
  const emit = vi.fn();
  const logger = { ...silentLogger, warn: vi.fn() };
  /** Resolves with the arguments of the next call of `fn`. */
  const nextCall = (fn: ReturnType<typeof vi.fn>) =>
    new Promise<unknown[]>((resolve) => fn.mockImplementationOnce((...args: unknown[]) => resolve(args)));
  const rules = new CrossFeatureRules({
    workspace,
    workspacePolicy: { ...DEFAULT_WORKSPACE_POLICY, ...policy },
    directory: options.directory === false ? undefined : directory,
    calls: () => calls,
    agentName: () => 'Anna',
    emit,
    logger,
  });
  return { clock, workspace, phone, directory, emit, logger, rules, nextCall, calls: () => calls };
}

describe('W1: a flag added during a call', () => {
  it('earns the agent a de-escalation break offer in the wrap-up', () => {
    const { clock, workspace, phone, rules } = setup({ wrapUpHoldsCalls: true });
    phone.ring('c1');
    phone.answer('c1');
    clock.advance(60_000);
    rules.flagAdded('c1');
    phone.hangUp('c1');
    expect(workspace.view()).toMatchObject({ status: 'wrap-up', breakOffer: { reason: 'flagged-call', callId: 'c1' } });
  });

  it('also counts when added during the wrap-up', () => {
    const { workspace, phone, rules } = setup();
    phone.ring('c1');
    phone.answer('c1');
    phone.hangUp('c1');
    expect(workspace.view().breakOffer).toBeNull();
    rules.flagAdded('c1');
    expect(workspace.view().breakOffer).toMatchObject({ reason: 'flagged-call' });
  });

  it('changes nothing for a flag added outside a call', () => {
    const { workspace, rules } = setup();
    const mark = vi.spyOn(workspace, 'markCallFlagged');
    rules.flagAdded(undefined);
    expect(mark).not.toHaveBeenCalled();
    rules.flagAdded('an-old-call');
    expect(workspace.view()).toMatchObject({ status: 'available', breakOffer: null });
  });
});

describe('H4: the Take-action commitment', () => {
  it("becomes a follow-up on the caller's record, written by the agent", async () => {
    const { clock, workspace, phone, directory, rules } = setup();
    phone.ring('c1');
    phone.answer('c1');
    const due = clock.now() + 2 * DAY;
    const run = await workspace.recordCommitment('c1', { kind: 'due-date', due, text: 'Refund by Monday' }, (r) =>
      rules.keepCommitment(r),
    );
    expect(run.commitment).toMatchObject({ kind: 'due-date', due });
    expect(directory.addFollowUp).toHaveBeenCalledWith('+4930123456', {
      callId: 'c1',
      kind: 'due-date',
      due,
      text: 'Refund by Monday',
      author: 'Anna',
    });
  });

  it('refuses the commitment when the follow-up cannot be written, so the checklist does not show it', async () => {
    const { clock, workspace, phone, directory, rules } = setup();
    directory.addFollowUp.mockRejectedValueOnce(new StorageError('disk-full', 'Could not save: the disk is full.'));
    phone.ring('c1');
    phone.answer('c1');
    await expect(
      workspace.recordCommitment('c1', { kind: 'status-update', due: clock.now() + DAY }, (r) =>
        rules.keepCommitment(r),
      ),
    ).rejects.toMatchObject({ code: 'disk-full' });
    expect(workspace.view().checklists.c1?.commitment).toBeNull();
  });

  it('writes nothing for an anonymous caller, a call the phone no longer has, or an app without a directory', async () => {
    const { clock, workspace, phone, directory } = setup();
    phone.ring('c1');
    phone.answer('c1');
    const run = await workspace.recordCommitment('c1', { kind: 'status-update', due: clock.now() + DAY });
    const rulesOver = (calls: CallView[]) =>
      new CrossFeatureRules({
        workspace,
        workspacePolicy: DEFAULT_WORKSPACE_POLICY,
        directory,
        calls: () => calls,
        agentName: () => 'Anna',
        emit: vi.fn(),
        logger: silentLogger,
      });
    await rulesOver([callView('c1', { state: 'active', remoteNumber: '' })]).keepCommitment(run);
    await rulesOver([]).keepCommitment(run);
    expect(directory.addFollowUp).not.toHaveBeenCalled();

    const withoutData = setup({}, { directory: false });
    withoutData.phone.ring('c1');
    withoutData.phone.answer('c1');
    const kept = await withoutData.workspace.recordCommitment(
      'c1',
      { kind: 'status-update', due: withoutData.clock.now() + DAY },
      (r) => withoutData.rules.keepCommitment(r),
    );
    expect(kept.commitment).toMatchObject({ kind: 'status-update' });
  });
});

describe('a finished wrap-up goes to the shared directory', () => {
  it("sends the call's outcome and commitment (and the note, which the directory drops unless shared)", async () => {
    const { clock, workspace, phone, directory, rules, calls } = setup();
    workspace.onWrapUpFinished((record, run) => rules.wrapUpFinished(record, run));
    phone.ring('c1');
    rules.prefetchCallers(calls());
    phone.answer('c1');
    const due = clock.now() + 2 * DAY;
    await workspace.recordCommitment('c1', { kind: 'due-date', due, text: 'Refund by Monday' });
    phone.hangUp('c1');
    workspace.completeWrapUp({ outcome: 'follow-up', note: 'Was upset about the delay' });
    expect(directory.recordCall).toHaveBeenCalledTimes(1);
    expect(directory.recordCall).toHaveBeenCalledWith('+4930123456', {
      callId: 'c1',
      outcome: 'follow-up',
      commitment: 'Refund by Monday',
      note: 'Was upset about the delay',
      endedAt: clock.now(),
    });
  });

  it('sends nothing for a wrap-up ended by the time limit without an outcome, and logs a refused write', async () => {
    const { clock, workspace, phone, directory, logger, rules, calls, nextCall } = setup();
    workspace.onWrapUpFinished((record, run) => rules.wrapUpFinished(record, run));
    phone.ring('c1');
    rules.prefetchCallers(calls());
    phone.answer('c1');
    phone.hangUp('c1');
    clock.advance(DEFAULT_WORKSPACE_POLICY.wrapUpLimitSeconds * 1000);
    expect(workspace.view().status).toBe('available');
    expect(directory.recordCall).not.toHaveBeenCalled();

    directory.recordCall.mockRejectedValueOnce(new StorageError('invalid-input', '400: bad'));
    const warned = nextCall(logger.warn);
    phone.ring('c2');
    rules.prefetchCallers(calls());
    phone.answer('c2');
    phone.hangUp('c2');
    workspace.completeWrapUp({ outcome: 'resolved' });
    expect(directory.recordCall).toHaveBeenCalledWith('+4930123456', {
      callId: 'c2',
      outcome: 'resolved',
      endedAt: clock.now(),
    });
    expect(String((await warned)[0])).toContain('400: bad');
  });
});

describe('phone availability', () => {
  it('holds new calls back during the wrap-up when the policy says so', () => {
    const { phone, rules } = setup({ wrapUpHoldsCalls: true });
    phone.ring('c1');
    expect(rules.phoneAvailability()).toEqual({ accepting: true });
    phone.answer('c1');
    phone.hangUp('c1');
    expect(rules.phoneAvailability()).toEqual({ accepting: false, mode: 'busy' });
  });

  it('takes calls during the wrap-up when wrapUpHoldsCalls is false', () => {
    const { workspace, phone, rules } = setup({ wrapUpHoldsCalls: false });
    phone.ring('c1');
    phone.answer('c1');
    phone.hangUp('c1');
    expect(workspace.view().status).toBe('wrap-up');
    expect(rules.phoneAvailability()).toEqual({ accepting: true });
  });

  it('holds calls back on a break whatever the wrap-up policy', () => {
    const { workspace, rules } = setup({ wrapUpHoldsCalls: false, unavailableMode: 'unregister' });
    workspace.startBreak('regular');
    expect(rules.phoneAvailability()).toEqual({ accepting: false, mode: 'unregister' });
  });
});

describe('caller prefetch on ring', () => {
  const record: CallerRecord = { number: '+4930123456', flags: [], followUps: [], incidents: [] };

  it('looks up the caller of a ringing call once and pushes the record by call', async () => {
    const { directory, emit, rules, nextCall } = setup();
    directory.lookup.mockResolvedValue(record);
    const pushed = nextCall(emit);
    const ringing = [callView('c1')];
    rules.prefetchCallers(ringing);
    rules.prefetchCallers(ringing);
    expect(await pushed).toEqual(['callers:prefetched', { callId: 'c1', number: '+4930123456', record }]);
    expect(directory.lookup).toHaveBeenCalledTimes(1);
  });

  it('pushes null for a first-time caller and skips calls that are not ringing or have no number', async () => {
    const { directory, emit, rules, nextCall } = setup();
    const pushed = nextCall(emit);
    rules.prefetchCallers([callView('c1', { state: 'active' }), callView('c2', { remoteNumber: '' }), callView('c3')]);
    expect(await pushed).toEqual(['callers:prefetched', { callId: 'c3', number: '+4930123456', record: null }]);
    expect(directory.lookup).toHaveBeenCalledTimes(1);
  });

  it('looks up again for a new ring once the earlier call has left the state', async () => {
    const { directory, emit, rules, nextCall } = setup();
    const first = nextCall(emit);
    rules.prefetchCallers([callView('c1')]);
    await first;
    rules.prefetchCallers([]);
    const second = nextCall(emit);
    rules.prefetchCallers([callView('c1')]);
    await second;
    expect(directory.lookup).toHaveBeenCalledTimes(2);
  });

  it('logs a failed lookup instead of pushing, and does nothing without a directory', async () => {
    const failing = setup();
    failing.directory.lookup.mockRejectedValueOnce(
      new StorageError('io-error', 'Could not read callers/shard-03.json.'),
    );
    const warned = failing.nextCall(failing.logger.warn);
    failing.rules.prefetchCallers([callView('c1')]);
    expect(await warned).toEqual([expect.stringContaining('Looking up the caller failed')]);
    expect(failing.emit).not.toHaveBeenCalled();

    const withoutData = setup({}, { directory: false });
    withoutData.rules.prefetchCallers([callView('c1')]);
    expect(withoutData.directory.lookup).not.toHaveBeenCalled();
  });
});

describe('a break started while calls wait', () => {
  it('turns the ringing calls away, each once, and none outside a break', () => {
    const { workspace, phone, rules } = setup();
    phone.ring('c1');
    phone.ring('c2');
    expect(workspace.view().status).toBe('ringing');
    expect(rules.callsToTurnAway([callView('c1'), callView('c2')])).toEqual([]);
    workspace.startBreak('regular');
    const ringing = [callView('c1'), callView('c2')];
    expect(rules.callsToTurnAway(ringing)).toEqual(['c1', 'c2']);
    expect(rules.callsToTurnAway(ringing)).toEqual([]);
  });
});
