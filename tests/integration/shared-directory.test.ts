/**
 * Two real app cores (agents 1001 and 1002) on one caller directory service (server/,
 * real PostgreSQL), with real SIP calls from SIPp through Kamailio:
 * - agent A flags a caller during a call; agent B's next call from that number shows the
 *   flag on ring;
 * - A's change reaches B's open card while B is on a call with that caller;
 * - the service stopped mid-shift: look-ups fall back to the cache, writes are queued
 *   (and survive an app restart), the card is told so, and after the restart each
 *   queued write lands exactly once;
 * - A finishes a call's wrap-up with an outcome and a commitment; B's next call from that
 *   number finds that call among the caller's last calls (no note text: not shared by default).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallerFlag, CallerRecord } from '../../src/shared/caller-record';
import type { CoreEventArgs } from '../../src/core/app-core';
import type { DirectoryStatusView } from '../../src/shared/contract';
import type { CallerView } from '../../src/shared/directory-api';
import { startAgent, type TestAgent } from '../support/agent';
import { startDirectory, type TestDirectory } from '../support/directory';
import { startKamailio, type Kamailio } from '../support/kamailio';
import { formatSippResult, runSipp } from '../support/sipp';

const CALLER = '+4940123456';
let kamailio: Kamailio;
let directory: TestDirectory;
let agentA: TestAgent;
let agentB: TestAgent;
const dirs: string[] = [];
const tokens: Record<string, string> = {};

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'calmline-shared-directory-'));
  dirs.push(dir);
  return dir;
}

async function startDesk(user: string, dir: string): Promise<TestAgent> {
  return startAgent(kamailio, {
    user,
    displayName: `Agent ${user}`,
    dataDir: dir,
    directory: { url: directory.url, token: tokens[user]!, client: { backoffMs: [100, 200, 400] } },
  });
}

const dirA = dataDir();

beforeAll(async () => {
  kamailio = await startKamailio();
  directory = await startDirectory();
  tokens['1001'] = await directory.issue('Agent 1001');
  tokens['1002'] = await directory.issue('Agent 1002');
  agentA = await startDesk('1001', dirA);
  agentB = await startDesk('1002', dataDir());
});

afterAll(async () => {
  await agentA?.stop();
  await agentB?.stop();
  await directory?.stop();
  await kamailio?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Resolves with the first event (already pushed or still to come) that `match` accepts. */
function waitForEvent<T>(
  agent: TestAgent,
  match: (event: CoreEventArgs) => T | undefined,
  timeoutMs = 15_000,
  from = 0,
): Promise<T> {
  return new Promise((resolve, reject) => {
    let seen = from;
    const check = (): boolean => {
      for (; seen < agent.events.length; seen += 1) {
        const found = match(agent.events[seen]!);
        if (found !== undefined) {
          resolve(found);
          return true;
        }
      }
      return false;
    };
    if (check()) return;
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`event not seen within ${timeoutMs} ms`));
    }, timeoutMs);
    const stop = agent.core.onEvent(() => {
      if (check()) {
        clearTimeout(timer);
        stop();
      }
    });
  });
}

const pushedFor = (callId: string, predicate: (record: CallerRecord | null) => boolean) => (event: CoreEventArgs) =>
  event[0] === 'callers:prefetched' && event[1].callId === callId && predicate(event[1].record)
    ? event[1].record
    : undefined;

const statusWhere = (predicate: (status: DirectoryStatusView) => boolean) => (event: CoreEventArgs) =>
  event[0] === 'directory:status' && predicate(event[1]) ? event[1] : undefined;

const activeKinds = (record: CallerRecord | null) =>
  (record?.flags ?? []).filter((flag) => flag.clearedAt === undefined).map((flag) => flag.kind);

describe('one caller directory for two desks', () => {
  it("A flags a caller during a call; B's next call from that number shows the flag on ring", async () => {
    const first = runSipp({
      scenario: 'caller-answered-then-bye.xml',
      kamailio,
      service: '1001',
      caller: CALLER,
      displayName: 'Max Mustermann',
      pauseMs: 1_000,
    });
    const callA = await agentA.waitForCall((c) => c.state === 'ringing' && c.remoteNumber === CALLER);
    await agentA.must('call:answer', { callId: callA.id });
    const flag = await agentA.must<CallerFlag>('callers:add-flag', {
      number: CALLER,
      kind: 'abusive-language',
      reason: 'Swore at the agent',
      callId: callA.id,
    });
    expect(flag.author).toBe('Agent 1001');
    const result = await first.done;
    expect(result.passed, formatSippResult(result)).toBe(true);
    // On the service, stamped with the agent.
    const { rows } = await directory.db.query('SELECT author, kind FROM flags WHERE id = $1', [flag.id]);
    expect(rows).toEqual([{ author: 'Agent 1001', kind: 'abusive-language' }]);

    const second = runSipp({
      scenario: 'caller-answered-agent-hangs-up.xml',
      kamailio,
      service: '1002',
      caller: CALLER,
      displayName: 'Max Mustermann',
    });
    const callB = await agentB.waitForCall((c) => c.state === 'ringing' && c.remoteNumber === CALLER);
    const onRing = await waitForEvent(
      agentB,
      pushedFor(callB.id, (record) => record !== null),
    );
    expect(activeKinds(onRing)).toEqual(['abusive-language']);
    expect(onRing?.flags[0]).toMatchObject({ id: flag.id, author: 'Agent 1001' });

    // B answers; while B talks to the caller, A records a threat on the same number.
    await agentB.must('call:answer', { callId: callB.id });
    await agentB.waitForCall((c) => c.id === callB.id && c.state === 'active');
    const changedAt = Date.now();
    await agentA.must('callers:record-incident', {
      number: CALLER,
      callId: callA.id,
      kind: 'legal-threat',
      whatWasSaid: 'I will take you to court',
      occurredAt: changedAt - 60_000,
    });
    const live = await waitForEvent(
      agentB,
      pushedFor(callB.id, (record) => activeKinds(record).includes('legal-threat')),
    );
    console.log(`A's change reached B's open card after ${Date.now() - changedAt} ms`);
    expect(live?.incidents[0]?.whatWasSaid).toBe('I will take you to court');
    await agentB.must('call:hang-up', { callId: callB.id });
    const ended = await second.done;
    expect(ended.passed, formatSippResult(ended)).toBe(true);
  });

  it('the service stopped mid-shift: look-ups fall back, writes queue (across an app restart), delivered once', async () => {
    // A knows the caller from before the outage.
    expect(activeKinds(await agentA.must<CallerRecord>('callers:lookup', { number: CALLER }))).toEqual([
      'abusive-language',
      'legal-threat',
    ]);
    await directory.pause();

    // A call rings during the outage: the card still gets the flags, from the cache.
    const during = runSipp({
      scenario: 'caller-answered-then-bye.xml',
      kamailio,
      service: '1001',
      caller: CALLER,
      pauseMs: 500,
    });
    const call = await agentA.waitForCall((c) => c.state === 'ringing' && c.remoteNumber === CALLER);
    const fallback = await waitForEvent(
      agentA,
      pushedFor(call.id, (record) => record !== null),
    );
    expect(activeKinds(fallback)).toEqual(['abusive-language', 'legal-threat']);
    await waitForEvent(
      agentA,
      statusWhere((status) => status.state === 'unreachable'),
    );
    expect(await agentA.must<DirectoryStatusView>('directory:get-status')).toMatchObject({ state: 'unreachable' });

    await agentA.must('call:answer', { callId: call.id });
    const queued = await agentA.must<CallerFlag>('callers:add-flag', {
      number: CALLER,
      kind: 'insults',
      reason: 'Called the agent names',
      callId: call.id,
    });
    await agentA.must('callers:set-preferred-address', { number: CALLER, text: 'Herr Mustermann' });
    expect(await agentA.must<DirectoryStatusView>('directory:get-status')).toEqual({ state: 'unreachable', queued: 2 });
    // Shown as made while queued.
    const shown = await agentA.must<CallerRecord>('callers:lookup', { number: CALLER });
    expect(activeKinds(shown)).toContain('insults');
    expect(shown.preferredAddress?.text).toBe('Herr Mustermann');
    const done = await during.done;
    expect(done.passed, formatSippResult(done)).toBe(true);

    // The app is closed and opened again while the service is still down: the queue is on disk.
    await agentA.stop();
    agentA = await startDesk('1001', dirA);
    expect((await agentA.must<DirectoryStatusView>('directory:get-status')).queued).toBe(2);

    const { rows: before } = await directory.db.query('SELECT count(*)::int AS n FROM flags WHERE id = $1', [
      queued.id,
    ]);
    expect(before).toEqual([{ n: 0 }]);

    await directory.resume();
    await waitForEvent(
      agentA,
      statusWhere((status) => status.state === 'online' && status.queued === 0),
      30_000,
    );

    const { rows: flags } = await directory.db.query('SELECT author, kind FROM flags WHERE id = $1', [queued.id]);
    expect(flags).toEqual([{ author: 'Agent 1001', kind: 'insults' }]);
    const { rows: audit } = await directory.db.query<{ action: string; n: number }>(
      `SELECT action, count(*)::int AS n FROM audit WHERE number = $1 AND action IN ('flag.add', 'address.set')
       GROUP BY action ORDER BY action`,
      [CALLER],
    );
    // address.set once; flag.add: the first call's flag, and the queued one, once each.
    expect(audit).toEqual([
      { action: 'address.set', n: 1 },
      { action: 'flag.add', n: 2 },
    ]);
    // B sees A's queued change now that it is delivered.
    const seenByB = await agentB.must<CallerRecord>('callers:lookup', { number: CALLER });
    expect(activeKinds(seenByB)).toContain('insults');
    expect(seenByB.preferredAddress).toMatchObject({ text: 'Herr Mustermann', author: 'Agent 1001' });
  });
  it("A finishes a wrap-up with an outcome and a commitment; B's next call from that number shows that last call", async () => {
    const first = runSipp({
      scenario: 'caller-answered-agent-hangs-up.xml',
      kamailio,
      service: '1001',
      caller: CALLER,
    });
    const callA = await agentA.waitForCall((c) => c.state === 'ringing' && c.remoteNumber === CALLER);
    await agentA.must('call:answer', { callId: callA.id });
    await agentA.waitForCall((c) => c.id === callA.id && c.state === 'active');
    const due = Date.now() + 2 * 24 * 60 * 60 * 1000;
    await agentA.must('checklist:record-commitment', {
      callId: callA.id,
      commitment: { kind: 'status-update', due, text: 'Call back with the refund status' },
    });
    await agentA.must('call:hang-up', { callId: callA.id });
    const ended = await first.done;
    expect(ended.passed, formatSippResult(ended)).toBe(true);
    await waitForEvent(agentA, (event) =>
      event[0] === 'workspace:state' && event[1].wrapUp?.callId === callA.id ? true : undefined,
    );
    const mark = agentA.events.length;
    await agentA.must('wrap-up:complete', { outcome: 'follow-up', note: 'Sounded tired; private to this desk' });
    // Queued through the outbox and delivered: the queue is empty again.
    await waitForEvent(
      agentA,
      statusWhere((status) => status.state === 'online' && status.queued === 0),
      15_000,
      mark,
    );

    const second = runSipp({
      scenario: 'caller-answered-agent-hangs-up.xml',
      kamailio,
      service: '1002',
      caller: CALLER,
    });
    const callB = await agentB.waitForCall((c) => c.state === 'ringing' && c.remoteNumber === CALLER);
    // B's look-up of the ringing caller, as the service answers it.
    const response = await fetch(`${directory.url}/v1/callers/${encodeURIComponent(CALLER)}`, {
      headers: { authorization: `Bearer ${tokens['1002']!}` },
    });
    expect(response.status).toBe(200);
    const { caller } = (await response.json()) as { caller: CallerView };
    expect(caller.calls[0]).toEqual({
      callId: callA.id,
      agent: 'Agent 1001',
      endedAt: expect.any(Number),
      outcome: 'follow-up',
      commitment: 'Call back with the refund status',
    });
    // The note text never left A's desk (the centre does not share note text).
    const { rows } = await directory.db.query('SELECT count(*)::int AS n FROM calls WHERE note IS NOT NULL');
    expect(rows).toEqual([{ n: 0 }]);
    const { rows: audit } = await directory.db.query(
      `SELECT count(*)::int AS n FROM audit WHERE action = 'call.record' AND subject_id = $1`,
      [callA.id],
    );
    expect(audit).toEqual([{ n: 1 }]);

    await agentB.must('call:answer', { callId: callB.id });
    await agentB.waitForCall((c) => c.id === callB.id && c.state === 'active');
    await agentB.must('call:hang-up', { callId: callB.id });
    const done = await second.done;
    expect(done.passed, formatSippResult(done)).toBe(true);
  });
});
