/**
 * Valid SIP that trunks and PBXs send, through a real Kamailio from SIPp to the
 * agent's phone: a `tel:` caller, a multipart (SIP-I) offer, a late offer, an
 * unknown `Require`, a CSeq out of range (docs/sipjs-pitfalls.md#s25 to #s27).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type TestAgent } from '../support/agent';
import { sendUdpRequest, sipToken, startKamailio, type Kamailio } from '../support/kamailio';
import { formatSippResult, parseSippTrace, runSipp } from '../support/sipp';

let kamailio: Kamailio;
let agent: TestAgent;

beforeAll(async () => {
  kamailio = await startKamailio();
  agent = await startAgent(kamailio, {
    user: '1001',
    displayName: 'Agent Smith',
    dataDir: mkdtempSync(join(tmpdir(), 'calmline-sip-interop-')),
  });
});

afterAll(async () => {
  await agent?.stop();
  await kamailio?.stop();
});

/** The call's history record once its end has been filed (the recorder writes it just after the end). */
async function recordOf(callId: string, number: string): Promise<Record<string, unknown> | undefined> {
  for (;;) {
    const records = await agent.must<Array<Record<string, unknown>>>('history:calls-for-caller', { number });
    const record = records.find((r) => r.callId === callId);
    if (record?.endedAt !== undefined) return record;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const flow = (messages: string) =>
  parseSippTrace(messages).map((m) => `${m.direction === 'sent' ? '->' : '<-'} ${m.firstLine.split(' SIP/')[0]}`);

/** Runs a caller scenario; the agent answers; the caller hangs up; returns the SIPp result and the ended call. */
async function answeredCall(scenario: string, caller: string) {
  const sipp = runSipp({ scenario, kamailio, service: '1001', caller, displayName: 'Erika Mustermann', pauseMs: 800 });
  const ringing = await agent.waitForCall((c) => c.state === 'ringing' && c.remoteName === 'Erika Mustermann');
  await agent.must('call:answer', { callId: ringing.id });
  const ended = await agent.waitForCall((c) => c.id === ringing.id && c.state === 'ended');
  const result = await sipp.done;
  expect(result.passed, formatSippResult(result)).toBe(true);
  return { result, ringing, ended };
}

describe('valid SIP that sip.js mishandles by itself', () => {
  it('offers a tel: caller with their number, looks them up by it, and answers with the tel: URI intact', async () => {
    await agent.must('callers:add-flag', {
      number: '+4930123456',
      kind: 'abusive-language',
      reason: 'Swore at the agent last week',
    });
    const { result, ringing, ended } = await answeredCall('caller-tel-from.xml', '+49-30-123456');
    expect(ringing.remoteNumber).toBe('+4930123456');
    const prefetched = agent.events.find(
      ([channel, payload]) => channel === 'callers:prefetched' && payload.callId === ringing.id,
    );
    expect(prefetched?.[1]).toMatchObject({ number: '+4930123456', record: { flags: [{ kind: 'abusive-language' }] } });
    expect(ended.endReason).toBe('remote-hangup');
    expect(await recordOf(ringing.id, '+4930123456')).toMatchObject({ endReason: 'remote-hangup' });
    const ok = parseSippTrace(result.messages).find(
      (m) => m.direction === 'received' && m.firstLine.startsWith('SIP/2.0 200'),
    );
    expect(ok?.text).toMatch(/^From: "Erika Mustermann" <tel:\+49-30-123456>;tag=/m);
    expect(ok?.text).not.toContain('calmline-tel.invalid');
  });

  it('takes the SDP part of a multipart (SIP-I) INVITE as the offer: the call works to the end', async () => {
    const { result, ended } = await answeredCall('caller-multipart-sdp.xml', '+4940555001');
    expect(ended.endReason).toBe('remote-hangup');
    expect(flow(result.messages)).not.toContain('<- BYE');
  });

  it('connects a late offer (INVITE without SDP, the answer in the ACK) and keeps it up until the caller hangs up', async () => {
    const { result, ended } = await answeredCall('caller-late-offer.xml', '+4940555002');
    expect(ended.endReason).toBe('remote-hangup');
    expect(flow(result.messages)).not.toContain('<- BYE');
  });

  it('ends a late offer whose answer is unusable with BYE 488, recorded as a media failure, not a hang-up', async () => {
    const sipp = runSipp({
      scenario: 'caller-late-offer-bad-answer.xml',
      kamailio,
      service: '1001',
      caller: '+4940555005',
      displayName: 'Video Only',
    });
    const ringing = await agent.waitForCall((c) => c.state === 'ringing' && c.remoteNumber === '+4940555005');
    await agent.must('call:answer', { callId: ringing.id });
    const ended = await agent.waitForCall((c) => c.id === ringing.id && c.state === 'ended');
    expect(ended).toMatchObject({ endReason: 'media-failed', endedBy: 'system' });
    const result = await sipp.done;
    expect(result.passed, formatSippResult(result)).toBe(true);
    const bye = parseSippTrace(result.messages).find(
      (m) => m.direction === 'received' && m.firstLine.startsWith('BYE'),
    );
    expect(bye?.text).toMatch(/^Reason: SIP ?;cause=488/m);
    expect(await recordOf(ringing.id, '+4940555005')).toMatchObject({ endReason: 'media-failed', endDetail: '488' });
  });

  it('declines with 486 Busy Here by default and with 603 Decline when the agent rejects the call everywhere', async () => {
    for (const [response, status] of [
      [undefined, 486],
      ['decline', 603],
    ] as const) {
      const caller = `+494055501${status}`;
      const sipp = runSipp({ scenario: 'caller-declined.xml', kamailio, service: '1001', caller });
      const ringing = await agent.waitForCall((c) => c.state === 'ringing' && c.remoteNumber === caller);
      await agent.must('call:decline', { callId: ringing.id, ...(response ? { response } : {}) });
      const ended = await agent.waitForCall((c) => c.id === ringing.id && c.state === 'ended');
      expect(ended).toMatchObject({ endReason: 'declined', endedBy: 'agent' });
      const result = await sipp.done;
      expect(result.passed, formatSippResult(result)).toBe(true);
      const final = parseSippTrace(result.messages).find((m) => /^SIP\/2\.0 [3-6]\d\d/.test(m.firstLine));
      expect(final?.firstLine).toMatch(new RegExp(`^SIP/2\\.0 ${status} `));
      expect(await recordOf(ringing.id, caller)).toMatchObject({ endReason: 'declined', endDetail: String(status) });
    }
  });

  it('refuses an INVITE that requires an unknown extension with 420 and Unsupported, before it rings', async () => {
    const before = agent.states.length;
    const result = await runSipp({
      scenario: 'caller-bad-extension.xml',
      kamailio,
      service: '1001',
      caller: '+4940555003',
    }).done;
    expect(result.passed, formatSippResult(result)).toBe(true);
    const refusal = parseSippTrace(result.messages).find((m) => m.firstLine.startsWith('SIP/2.0 420'));
    expect(refusal?.text).toMatch(/^Unsupported: x-calmline-unknown\r?$/m);
    expect(
      agent.states
        .slice(before)
        .flatMap((s) => s.calls)
        .some((c) => c.remoteNumber === '+4940555003'),
    ).toBe(false);
  });

  it('refuses an INVITE whose CSeq is beyond 2^31-1 with 400, before it rings', async () => {
    // SIPp keeps CSeq in a signed 32-bit int and cannot match the answer to such an
    // INVITE, so this one goes raw over UDP through the same Kamailio.
    const before = agent.states.length;
    const responses = await sendUdpRequest({
      port: kamailio.udpPort,
      timeoutMs: 8_000,
      build: (localPort) =>
        [
          `INVITE sip:1001@${kamailio.domain} SIP/2.0`,
          `Via: SIP/2.0/UDP 127.0.0.1:${localPort};branch=z9hG4bK${sipToken()};rport`,
          'Max-Forwards: 70',
          `From: "Huge CSeq" <sip:+4940555004@127.0.0.1>;tag=${sipToken(4)}`,
          `To: <sip:1001@${kamailio.domain}>`,
          `Call-ID: ${sipToken()}@interop.test`,
          'CSeq: 2147483648 INVITE',
          `Contact: <sip:caller@127.0.0.1:${localPort}>`,
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n'),
    });
    expect(responses.at(-1)?.status).toBe(400);
    expect(responses.at(-1)?.text).toMatch(/^SIP\/2\.0 400 CSeq Out of Range/);
    expect(
      agent.states
        .slice(before)
        .flatMap((s) => s.calls)
        .some((c) => c.remoteNumber === '+4940555004'),
    ).toBe(false);
  });

  it('refuses a session interval below 90 s with 422 and Min-SE (RFC 4028), before it rings', async () => {
    const before = agent.states.length;
    const responses = await sendUdpRequest({
      port: kamailio.udpPort,
      timeoutMs: 8_000,
      build: (localPort) =>
        [
          `INVITE sip:1001@${kamailio.domain} SIP/2.0`,
          `Via: SIP/2.0/UDP 127.0.0.1:${localPort};branch=z9hG4bK${sipToken()};rport`,
          'Max-Forwards: 70',
          `From: "Short Timer" <sip:+4940555006@127.0.0.1>;tag=${sipToken(4)}`,
          `To: <sip:1001@${kamailio.domain}>`,
          `Call-ID: ${sipToken()}@interop.test`,
          'CSeq: 1 INVITE',
          `Contact: <sip:caller@127.0.0.1:${localPort}>`,
          'Supported: timer',
          'Session-Expires: 30',
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n'),
    });
    expect(responses.at(-1)?.status).toBe(422);
    expect(responses.at(-1)?.text).toMatch(/^Min-SE: 90\r?$/m);
    expect(
      agent.states
        .slice(before)
        .flatMap((s) => s.calls)
        .some((c) => c.remoteNumber === '+4940555006'),
    ).toBe(false);
  });
});
