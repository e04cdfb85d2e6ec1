/**
 * Call control against real SIP: SIPp plays the caller (and the transfer target),
 * Kamailio routes, Calmline's core decides. Every flow asserts what SIPp received;
 * the consent gate is proven by SIPp receiving *no* re-INVITE or REFER: the caller
 * scenarios fail on any unexpected request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallView, ConsentEntry } from '../../src/shared/contract';
import { startAgent, type TestAgent } from '../support/agent';
import { startKamailio, type Kamailio } from '../support/kamailio';
import { createOffsetClock } from '../support/offset-clock';
import { formatSippResult, parseSippTrace, runSipp, startRegisteredUas, type SippResult } from '../support/sipp';

let kamailio: Kamailio;
let agent: TestAgent;
const clock = createOffsetClock();
let nextNumber = 4930100000;

beforeAll(async () => {
  kamailio = await startKamailio();
  agent = await startAgent(kamailio, { user: '1001', clock, phone: { consultHangupGraceMs: 300 } });
});

afterAll(async () => {
  await agent?.stop();
  await kamailio?.stop();
});

/** Starts a SIPp caller and waits until its call rings at the agent. */
async function ring(scenario: string, extra: Partial<Parameters<typeof runSipp>[0]> = {}) {
  const number = `+${(nextNumber += 1)}`;
  const sipp = runSipp({
    scenario,
    kamailio,
    service: '1001',
    caller: number,
    displayName: 'Test Caller',
    recvTimeoutMs: 20_000,
    ...extra,
  });
  const call = await agent.waitForCall((c) => c.state === 'ringing' && c.remoteNumber === number);
  return { sipp, call, number };
}

async function answered(scenario: string, extra: Partial<Parameters<typeof runSipp>[0]> = {}) {
  const rung = await ring(scenario, extra);
  await agent.must('call:answer', { callId: rung.call.id });
  await agent.waitForCall((c) => c.id === rung.call.id && c.state === 'active');
  return rung;
}

const consent = (callId: string, action: string, answer = 'agreed') =>
  agent.must<ConsentEntry>('call:record-consent', { callId, action, answer });

const callNow = (id: string): CallView => agent.core.phoneState().calls.find((c) => c.id === id)!;

const receivedRequests = (result: SippResult) =>
  parseSippTrace(result.messages)
    .filter((m) => m.direction === 'received' && !m.firstLine.startsWith('SIP/2.0') && !m.firstLine.startsWith('ACK '))
    .map((m) => m.firstLine.split(' ')[0]);

const receivedText = (result: SippResult, method: string) =>
  parseSippTrace(result.messages).find((m) => m.direction === 'received' && m.firstLine.startsWith(`${method} `))
    ?.text ?? '';

async function passed(sipp: ReturnType<typeof runSipp>): Promise<SippResult> {
  const result = await sipp.done;
  expect(result.passed, formatSippResult(result)).toBe(true);
  return result;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('hold and resume behind the consent gate', () => {
  it("holds with the caller's agreement (SIPp sees a=sendonly), resumes (a=sendrecv) and hangs up", async () => {
    const { sipp, call } = await answered('caller-held-and-resumed.xml');
    const agreed = await consent(call.id, 'hold');
    await agent.must('call:hold', { callId: call.id, consentId: agreed.id });
    expect(callNow(call.id).state).toBe('held');
    await agent.must('call:resume', { callId: call.id });
    expect(callNow(call.id).state).toBe('active');
    await agent.must('call:hang-up', { callId: call.id });
    const result = await passed(sipp);
    expect(receivedRequests(result)).toEqual(['INVITE', 'INVITE', 'BYE']);
    const ended = await agent.waitForCall((c) => c.id === call.id && c.state === 'ended');
    expect(ended.timeline.map((e) => e.kind)).toEqual(['offered', 'answered', 'held', 'resumed', 'ended']);
    expect(ended.consents).toMatchObject([{ action: 'hold', answer: 'agreed', usedAt: expect.any(Number) }]);
    expect(ended).toMatchObject({ endReason: 'local-hangup', endedBy: 'agent' });
  });

  it('refuses hold without consent, with a declined consent, or with a made-up id: nothing reaches SIPp', async () => {
    const { sipp, call } = await answered('caller-answered-agent-hangs-up.xml');
    await expect(agent.command('call:hold', { callId: call.id, consentId: 'made-up' })).resolves.toMatchObject({
      ok: false,
      error: { code: 'consent-required' },
    });
    await expect(agent.command('call:hold', { callId: call.id })).resolves.toMatchObject({
      ok: false,
      error: { code: 'invalid-payload' },
    });
    const declined = await consent(call.id, 'hold', 'declined');
    await expect(agent.command('call:hold', { callId: call.id, consentId: declined.id })).resolves.toMatchObject({
      ok: false,
      error: { code: 'consent-declined' },
    });
    // The window that proves it: a re-INVITE would arrive well within this time.
    await pause(1_000);
    expect(callNow(call.id).state).toBe('active');
    await agent.must('call:hang-up', { callId: call.id });
    const result = await passed(sipp);
    expect(receivedRequests(result)).toEqual(['BYE']);
    const ended = await agent.waitForCall((c) => c.id === call.id && c.state === 'ended');
    expect(ended.consents).toMatchObject([{ action: 'hold', answer: 'declined', usedAt: null }]);
  });

  it('refuses a consent given for another call or another action, a reused one and an expired one', async () => {
    const { sipp, call } = await answered('caller-held-and-resumed.xml');
    const other = await ring('caller-declined.xml');
    const forOtherCall = await consent(other.call.id, 'hold');
    await expect(agent.command('call:hold', { callId: call.id, consentId: forOtherCall.id })).resolves.toMatchObject({
      ok: false,
      error: { code: 'consent-mismatch' },
    });
    await agent.must('call:decline', { callId: other.call.id });
    await passed(other.sipp);

    const forTransfer = await consent(call.id, 'transfer');
    await expect(agent.command('call:hold', { callId: call.id, consentId: forTransfer.id })).resolves.toMatchObject({
      ok: false,
      error: { code: 'consent-mismatch' },
    });

    const stale = await consent(call.id, 'hold');
    clock.advance(3 * 60_000);
    await expect(agent.command('call:hold', { callId: call.id, consentId: stale.id })).resolves.toMatchObject({
      ok: false,
      error: { code: 'consent-expired' },
    });

    const fresh = await consent(call.id, 'hold');
    await agent.must('call:hold', { callId: call.id, consentId: fresh.id });
    await agent.must('call:resume', { callId: call.id });
    await expect(agent.command('call:hold', { callId: call.id, consentId: fresh.id })).resolves.toMatchObject({
      ok: false,
      error: { code: 'consent-used' },
    });
    await agent.must('call:hang-up', { callId: call.id });
    const result = await passed(sipp);
    // Exactly one hold and one resume went out, for the one valid consent.
    expect(receivedRequests(result)).toEqual(['INVITE', 'INVITE', 'BYE']);
  });

  it('sends no re-INVITE when the caller hangs up while the consent prompt is open', async () => {
    const { sipp, call } = await answered('caller-answered-then-bye.xml', { pauseMs: 300 });
    const agreed = await consent(call.id, 'hold');
    await agent.waitForCall((c) => c.id === call.id && c.state === 'ended');
    await expect(agent.command('call:hold', { callId: call.id, consentId: agreed.id })).resolves.toMatchObject({
      ok: false,
      error: { code: 'invalid-transition' },
    });
    const result = await passed(sipp);
    expect(receivedRequests(result)).toEqual([]);
  });

  it('recognises when the caller puts the agent on hold, and when they come back', async () => {
    const { sipp, call } = await answered('caller-holds-agent.xml', { pauseMs: 400 });
    await agent.waitForState((s) => s.calls.some((c) => c.id === call.id && c.remoteHold));
    await agent.waitForState((s) =>
      s.calls.some((c) => c.id === call.id && !c.remoteHold && c.timeline.some((e) => e.kind === 'remote-resumed')),
    );
    await agent.must('call:hang-up', { callId: call.id });
    await passed(sipp);
    const ended = await agent.waitForCall((c) => c.id === call.id && c.state === 'ended');
    expect(ended.timeline.map((e) => e.kind)).toEqual([
      'offered',
      'answered',
      'remote-held',
      'remote-resumed',
      'ended',
    ]);
  });
});

describe('transfers behind the consent gate', () => {
  it('blind transfer: the caller is held, gets REFER, reports 200 by NOTIFY, and the agent ends its leg', async () => {
    const { sipp, call } = await answered('caller-transferred.xml');
    await expect(
      agent.command('call:transfer', { callId: call.id, consentId: 'none', target: '2000', mode: 'blind' }),
    ).resolves.toMatchObject({ ok: false, error: { code: 'consent-required' } });
    const agreed = await consent(call.id, 'transfer');
    await agent.must('call:transfer', { callId: call.id, consentId: agreed.id, target: '2000', mode: 'blind' });
    const ended = await agent.waitForCall((c) => c.id === call.id && c.state === 'ended');
    expect(ended).toMatchObject({
      endReason: 'transferred',
      transfer: { kind: 'blind', status: 'succeeded', statusCode: 200 },
    });
    const result = await passed(sipp);
    expect(receivedRequests(result)).toEqual(['INVITE', 'REFER', 'BYE']);
    expect(receivedText(result, 'REFER')).toMatch(/^Refer-To:\s*<?sip:2000@/im);
  });

  it('blind transfer to a busy target: the agent is told (486) and gets the caller back', async () => {
    const { sipp, call } = await answered('caller-transfer-fails.xml');
    const agreed = await consent(call.id, 'transfer');
    await agent.must('call:transfer', { callId: call.id, consentId: agreed.id, target: '2000', mode: 'blind' });
    const back = await agent.waitForCall((c) => c.id === call.id && c.transfer?.status === 'failed');
    expect(back).toMatchObject({ state: 'held', transfer: { statusCode: 486 } });
    await agent.must('call:resume', { callId: call.id });
    await agent.must('call:hang-up', { callId: call.id });
    const result = await passed(sipp);
    expect(receivedRequests(result)).toEqual(['INVITE', 'REFER', 'INVITE', 'BYE']);
  });

  it('attended transfer: consult the target, then REFER with Replaces; the consult leg is closed', async () => {
    const target = await startRegisteredUas({ kamailio, service: '2000', recvTimeoutMs: 20_000 });
    const { sipp, call } = await answered('caller-transferred.xml');
    const agreed = await consent(call.id, 'transfer');
    await agent.must('call:transfer', { callId: call.id, consentId: agreed.id, target: '2000', mode: 'attended' });
    const consulting = await agent.waitForCall(
      (c) => c.id === call.id && c.transfer?.consultCallId !== null && c.state === 'held',
    );
    const consultId = consulting.transfer!.consultCallId!;
    await agent.waitForCall((c) => c.id === consultId && c.state === 'active');
    await agent.must('call:complete-transfer', { callId: call.id });
    const ended = await agent.waitForCall((c) => c.id === call.id && c.state === 'ended');
    expect(ended).toMatchObject({ endReason: 'transferred', transfer: { kind: 'attended', status: 'succeeded' } });
    await agent.waitForCall((c) => c.id === consultId && c.state === 'ended');
    const result = await passed(sipp);
    expect(receivedText(result, 'REFER')).toMatch(/^Refer-To:.*Replaces=/im);
    await passed(target);
  });

  it('escalation goes to the configured supervisor, behind the same gate', async () => {
    await agent.must('settings:save-call-policy', {
      defaultRegion: 'DE',
      escalationTarget: '3000',
      escalationMode: 'blind',
      consentTtlSeconds: 120,
    });
    const { sipp, call } = await answered('caller-transferred.xml');
    const holdConsent = await consent(call.id, 'hold');
    await expect(agent.command('call:escalate', { callId: call.id, consentId: holdConsent.id })).resolves.toMatchObject(
      {
        ok: false,
        error: { code: 'consent-mismatch' },
      },
    );
    const agreed = await consent(call.id, 'escalate');
    await agent.must('call:escalate', { callId: call.id, consentId: agreed.id });
    const ended = await agent.waitForCall((c) => c.id === call.id && c.state === 'ended');
    expect(ended.transfer).toMatchObject({ escalation: true, target: '3000', status: 'succeeded' });
    const result = await passed(sipp);
    expect(receivedText(result, 'REFER')).toMatch(/^Refer-To:\s*<?sip:3000@/im);
  });
});

describe('more calls', () => {
  it('places an outgoing call that the callee answers, and hangs it up', async () => {
    const callee = await startRegisteredUas({ kamailio, service: '2100', recvTimeoutMs: 20_000 });
    const { callId } = await agent.must<{ callId: string }>('call:dial', { target: '2100' });
    const active = await agent.waitForCall((c) => c.id === callId && c.state === 'active');
    expect(active).toMatchObject({ direction: 'outgoing', remoteNumber: '2100' });
    await agent.must('call:hang-up', { callId });
    await passed(callee);
  });

  it('reports an outgoing call to nobody as rejected with the SIP status', async () => {
    const { callId } = await agent.must<{ callId: string }>('call:dial', { target: 'sip:nobody@127.0.0.1' });
    const ended = await agent.waitForCall((c) => c.id === callId && c.state === 'ended');
    expect(ended.endReason).toBe('rejected');
    expect(ended.timeline.at(-1)?.detail).toBe('404');
  });

  it('shows a second caller as waiting; answering needs the first on hold, with consent', async () => {
    const first = await answered('caller-held-and-resumed.xml');
    const second = await ring('caller-answered-agent-hangs-up.xml');
    await expect(agent.command('call:answer', { callId: second.call.id })).resolves.toMatchObject({
      ok: false,
      error: { code: 'other-call-active' },
    });
    const agreed = await consent(first.call.id, 'hold');
    await agent.must('call:hold', { callId: first.call.id, consentId: agreed.id });
    await agent.must('call:answer', { callId: second.call.id });
    await agent.waitForCall((c) => c.id === second.call.id && c.state === 'active');
    await agent.must('call:hang-up', { callId: second.call.id });
    await agent.must('call:resume', { callId: first.call.id });
    await agent.must('call:hang-up', { callId: first.call.id });
    await passed(second.sipp);
    await passed(first.sipp);
  });

  it('sends DTMF as SIP INFO', async () => {
    const { sipp, call } = await answered('caller-receives-dtmf.xml');
    await agent.must('call:send-dtmf', { callId: call.id, tones: '5#1' });
    await agent.must('call:hang-up', { callId: call.id });
    const result = await passed(sipp);
    const infos = parseSippTrace(result.messages).filter(
      (m) => m.direction === 'received' && m.firstLine.startsWith('INFO '),
    );
    expect(infos.map((m) => /Signal=(.)/.exec(m.text)?.[1])).toEqual(['5', '#', '1']);
    expect(infos[0]!.text).toMatch(/Content-Type:\s*application\/dtmf-relay/i);
  });

  it('uses P-Asserted-Identity over From, and E.164 for a national number', async () => {
    const sipp = runSipp({
      scenario: 'caller-declined.xml',
      kamailio,
      service: '1001',
      caller: 'anonymous',
      displayName: 'Anonymous',
      extraHeaders: ['P-Asserted-Identity: "Erika Mustermann" <sip:030123456@127.0.0.1>'],
    });
    const call = await agent.waitForCall((c) => c.state === 'ringing' && c.remoteNumber === '+4930123456');
    expect(call.remoteName).toBe('Erika Mustermann');
    await agent.must('call:decline', { callId: call.id });
    await passed(sipp);
  });
});
