/**
 * Agent data through the contract with real calls: a call is filed in the history,
 * its note autosaves to disk (the "saved" status only once it is there), a flag set
 * on the caller greets the next agent, search finds the note, export writes the
 * record, and the SIP password appears in no file and no event.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallerRecord } from '../../src/shared/caller-record';
import type { NoteSaveStatusView } from '../../src/shared/contract';
import { startAgent, type TestAgent } from '../support/agent';
import { startKamailio, type Kamailio } from '../support/kamailio';
import { formatSippResult, runSipp } from '../support/sipp';

const PASSWORD = 'Very-Secret-Passw0rd!';
let kamailio: Kamailio;
let agent: TestAgent;
let dataDir: string;

beforeAll(async () => {
  kamailio = await startKamailio({ auth: { users: { '1001': PASSWORD } } });
  dataDir = mkdtempSync(join(tmpdir(), 'calmline-agent-data-'));
  agent = await startAgent(kamailio, { user: '1001', password: PASSWORD, displayName: 'Agent Smith', dataDir });
});

afterAll(async () => {
  await agent?.stop();
  await kamailio?.stop();
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile());
}

describe('agent data with real calls', () => {
  let callId = '';

  it('files the call, autosaves the note and says "saved" only once it is on disk', async () => {
    const sipp = runSipp({
      scenario: 'caller-answered-then-bye.xml',
      kamailio,
      service: '1001',
      caller: '+4930123456',
      displayName: 'Erika Mustermann',
      pauseMs: 1_500,
    });
    const call = await agent.waitForCall((c) => c.state === 'ringing' && c.remoteNumber === '+4930123456');
    callId = call.id;
    await agent.must('call:answer', { callId });
    const first = await agent.must<NoteSaveStatusView>('notes:edit', {
      callId,
      text: 'Invoice 4711 charged twice; customer very upset',
    });
    expect(first.state).not.toBe('saved');
    await agent.waitForState(() =>
      agent.events.some(
        ([channel, payload]) => channel === 'notes:status' && payload.callId === callId && payload.state === 'saved',
      ),
    );
    const onDisk = filesUnder(join(dataDir, 'agent-data'))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    expect(onDisk).toContain('Invoice 4711 charged twice');
    await agent.waitForCall((c) => c.id === callId && c.state === 'ended');
    const result = await sipp.done;
    expect(result.passed, formatSippResult(result)).toBe(true);
    const stored = await agent.must<{ text: string }>('notes:get', { callId });
    expect(stored.text).toBe('Invoice 4711 charged twice; customer very upset');
  });

  it('flags the caller so the next agent is warned, and finds the call by words in its note', async () => {
    await agent.must('callers:add-flag', {
      number: '+4930123456',
      kind: 'abusive-language',
      reason: 'Swore repeatedly at the agent',
      callId,
    });
    const record = await agent.must<CallerRecord>('callers:lookup', { number: '+4930123456' });
    expect(record.flags).toMatchObject([
      { kind: 'abusive-language', reason: 'Swore repeatedly at the agent', author: 'Agent Smith', callId },
    ]);
    const search = await agent.must<{ hits: Array<{ callId: string }> }>('history:search', { text: 'invoice charged' });
    expect(search.hits.map((h) => h.callId)).toContain(callId);
    const calls = await agent.must<Array<{ callId: string; endedAt?: number }>>('history:calls-for-caller', {
      number: '+4930123456',
    });
    expect(calls[0]).toMatchObject({ callId, endedAt: expect.any(Number) });
  });

  it("exports the caller's record with the threat incident as Markdown and JSON", async () => {
    await agent.must('callers:record-incident', {
      number: '+4930123456',
      callId,
      kind: 'legal-threat',
      whatWasSaid: 'I will see you in court',
      occurredAt: Date.now(),
    });
    const paths = await agent.must<{ markdownPath: string; jsonPath: string }>('callers:export-record', {
      number: '+4930123456',
    });
    const markdown = readFileSync(paths.markdownPath, 'utf8');
    expect(markdown).toContain('I will see you in court');
    expect(JSON.parse(readFileSync(paths.jsonPath, 'utf8'))).toBeTruthy();
  });

  it('never writes the SIP password to a file, nor sends it in any command answer or event', async () => {
    // Save the account through the contract, as the settings form does; the phone re-registers with it.
    const saved = await agent.command('settings:save-account', {
      wsUrl: kamailio.wsUrl,
      sipUri: `sip:1001@${kamailio.domain}`,
      displayName: 'Agent Smith',
      password: PASSWORD,
    });
    expect(JSON.stringify(saved)).not.toContain(PASSWORD);
    await agent.waitForState((s) => s.registration.status === 'registered');
    expect(filesUnder(dataDir).some((file) => file.endsWith('settings.json'))).toBe(true);
    for (const file of filesUnder(dataDir)) {
      expect(readFileSync(file).includes(Buffer.from(PASSWORD)), file).toBe(false);
    }
    expect(JSON.stringify(agent.events)).not.toContain(PASSWORD);
    const account = await agent.command('settings:get-account');
    expect(account).toMatchObject({ ok: true, value: { hasPassword: true } });
    expect(JSON.stringify(account)).not.toContain(PASSWORD);
  });

  it('keeps the privacy retention period IT or the agent sets, and refuses nonsense', async () => {
    await expect(agent.command('settings:save-retention', { retentionDays: 30 })).resolves.toMatchObject({ ok: true });
    await expect(agent.command('settings:get-retention')).resolves.toEqual({ ok: true, value: { retentionDays: 30 } });
    await expect(agent.command('settings:save-retention', { retentionDays: 0 })).resolves.toMatchObject({
      ok: false,
      error: { code: 'invalid-payload' },
    });
    // The call of this test run is recent, so a 30-day sweep keeps it.
    const calls = await agent.must<unknown[]>('history:calls-for-caller', { number: '+4930123456' });
    expect(calls).toHaveLength(1);
  });
});
