/**
 * The workspace through the contract with real calls: the HEAT checklist runs per
 * call and its commitment becomes a follow-up on the caller's record; a flagged call
 * earns a de-escalation break offer; while the agent is on break a caller is turned
 * away with 486 and never offered; after the break the next call rings again.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallerRecord } from '../../src/shared/caller-record';
import type { ChecklistRun } from '../../src/shared/workspace/checklists';
import type { WorkspaceView } from '../../src/shared/workspace/workspace-view';
import { startAgent, type TestAgent } from '../support/agent';
import { startKamailio, type Kamailio } from '../support/kamailio';
import { formatSippResult, parseSippTrace, runSipp } from '../support/sipp';

let kamailio: Kamailio;
let agent: TestAgent;

beforeAll(async () => {
  kamailio = await startKamailio();
  agent = await startAgent(kamailio, { user: '1001', dataDir: mkdtempSync(join(tmpdir(), 'calmline-workspace-')) });
});

afterAll(async () => {
  await agent?.stop();
  await kamailio?.stop();
});

const workspace = () => agent.must<WorkspaceView>('workspace:get-state');

describe('the workspace with real calls', () => {
  it('runs the HEAT checklist on a call; the commitment becomes a follow-up; a flag offers a break', async () => {
    const sipp = runSipp({
      scenario: 'caller-answered-agent-hangs-up.xml',
      kamailio,
      service: '1001',
      caller: '+4930777000',
      displayName: 'Angry Caller',
      recvTimeoutMs: 20_000,
    });
    const call = await agent.waitForCall((c) => c.state === 'ringing' && c.remoteNumber === '+4930777000');
    await agent.must('call:answer', { callId: call.id });
    await agent.waitForCall((c) => c.id === call.id && c.state === 'active');

    const view = await workspace();
    expect(view.status).toBe('in-call');
    const run = view.checklists[call.id]!;
    expect(run.checklistId).toBe('heat');
    expect(run.steps.map((s) => s.stepId)).toHaveLength(4);

    const first = run.steps[0]!.stepId;
    const checked = await agent.must<ChecklistRun>('checklist:set-step', {
      callId: call.id,
      stepId: first,
      checked: true,
    });
    expect(checked.steps[0]!.checkedAt).not.toBeNull();

    const due = Date.now() + 3 * 86_400_000;
    const committed = await agent.must<ChecklistRun>('checklist:record-commitment', {
      callId: call.id,
      commitment: { kind: 'due-date', due, text: 'Refund the double charge' },
    });
    expect(committed.commitment).toMatchObject({ kind: 'due-date', due });
    const record = await agent.must<CallerRecord>('callers:lookup', { number: '+4930777000' });
    expect(record.followUps).toMatchObject([{ callId: call.id, kind: 'due-date', due }]);

    await agent.must('callers:add-flag', {
      number: '+4930777000',
      kind: 'insults',
      reason: 'Insulted the agent',
      callId: call.id,
    });
    await agent.must('call:hang-up', { callId: call.id });
    const result = await sipp.done;
    expect(result.passed, formatSippResult(result)).toBe(true);

    await agent.waitForState(() =>
      agent.events.some(([channel, payload]) => channel === 'workspace:state' && payload.status === 'wrap-up'),
    );
    const wrapping = await workspace();
    expect(wrapping.wrapUp).toMatchObject({ callId: call.id });
    await agent.must('wrap-up:complete', { outcome: 'follow-up' });
    const after = await workspace();
    expect(after.status).toBe('available');
    expect(after.breakOffer).toMatchObject({ reason: 'flagged-call', callId: call.id });
    await agent.must('break:decline-offer');

    // The next call from the flagged number: main pushes the record (with the flag) as it rings.
    const again = runSipp({
      scenario: 'caller-declined.xml',
      kamailio,
      service: '1001',
      caller: '+4930777000',
      displayName: 'Angry Caller',
    });
    const ringing = await agent.waitForCall(
      (c) => c.state === 'ringing' && c.remoteNumber === '+4930777000' && c.id !== call.id,
    );
    await agent.waitForState(() =>
      agent.events.some(
        ([channel, payload]) =>
          channel === 'callers:prefetched' &&
          payload.record?.flags.some((flag) => flag.reason === 'Insulted the agent') === true,
      ),
    );
    await agent.must('call:decline', { callId: ringing.id });
    expect((await again.done).passed).toBe(true);
  });

  it('turns callers away with 486 while the agent is on break, and offers calls again after', async () => {
    await agent.must('break:start', { kind: 'de-escalation' });
    const onBreak = await workspace();
    expect(onBreak).toMatchObject({
      status: 'on-break',
      acceptingCalls: false,
      activeBreak: { kind: 'de-escalation' },
    });

    const before = agent.states.length;
    const turnedAway = runSipp({ scenario: 'caller-declined.xml', kamailio, service: '1001', caller: '+4930777001' });
    const result = await turnedAway.done;
    expect(result.passed, formatSippResult(result)).toBe(true);
    expect(parseSippTrace(result.messages).some((m) => m.firstLine === 'SIP/2.0 486 Busy Here')).toBe(true);
    // Never offered: no state the renderer saw had this caller in it.
    expect(agent.states.slice(before).some((s) => s.calls.some((c) => c.remoteNumber === '+4930777001'))).toBe(false);

    await agent.must('break:end');
    expect((await workspace()).status).toBe('available');
    const sipp = runSipp({ scenario: 'caller-declined.xml', kamailio, service: '1001', caller: '+4930777002' });
    const call = await agent.waitForCall((c) => c.state === 'ringing' && c.remoteNumber === '+4930777002');
    await agent.must('call:decline', { callId: call.id });
    expect((await sipp.done).passed).toBe(true);
  });

  it('refuses a commitment in the past and a step that does not exist, with typed errors', async () => {
    const sipp = runSipp({
      scenario: 'caller-answered-agent-hangs-up.xml',
      kamailio,
      service: '1001',
      caller: '+4930777003',
      recvTimeoutMs: 20_000,
    });
    const call = await agent.waitForCall((c) => c.state === 'ringing' && c.remoteNumber === '+4930777003');
    await agent.must('call:answer', { callId: call.id });
    await agent.waitForCall((c) => c.id === call.id && c.state === 'active');
    await expect(
      agent.command('checklist:record-commitment', {
        callId: call.id,
        commitment: { kind: 'due-date', due: Date.now() - 86_400_000 },
      }),
    ).resolves.toMatchObject({ ok: false, error: { code: 'commitment-in-past' } });
    await expect(
      agent.command('checklist:set-step', { callId: call.id, stepId: 'nope', checked: true }),
    ).resolves.toMatchObject({
      ok: false,
      error: { code: 'unknown-step' },
    });
    await agent.must('call:hang-up', { callId: call.id });
    expect((await sipp.done).passed).toBe(true);
  });

  it('holds new calls back during the wrap-up (486) until the agent finishes it', async () => {
    const strict = await startAgent(kamailio, { user: '1005', wrapUpHoldsCalls: true });
    try {
      const sipp = runSipp({
        scenario: 'caller-answered-then-bye.xml',
        kamailio,
        service: '1005',
        caller: '+4930777010',
        pauseMs: 200,
      });
      const call = await strict.waitForCall((c) => c.state === 'ringing' && c.remoteNumber === '+4930777010');
      await strict.must('call:answer', { callId: call.id });
      expect((await sipp.done).passed).toBe(true);
      await strict.waitForState(() => strict.core.workspace.view().status === 'wrap-up');

      const busy = await runSipp({ scenario: 'caller-declined.xml', kamailio, service: '1005', caller: '+4930777011' })
        .done;
      expect(busy.passed, formatSippResult(busy)).toBe(true);
      expect(parseSippTrace(busy.messages).some((m) => m.firstLine === 'SIP/2.0 486 Busy Here')).toBe(true);

      await strict.must('wrap-up:complete', { outcome: 'resolved' });
      const next = runSipp({ scenario: 'caller-declined.xml', kamailio, service: '1005', caller: '+4930777012' });
      const ringing = await strict.waitForCall((c) => c.state === 'ringing' && c.remoteNumber === '+4930777012');
      await strict.must('call:decline', { callId: ringing.id });
      expect((await next.done).passed).toBe(true);
    } finally {
      await strict.stop();
    }
  });
});
