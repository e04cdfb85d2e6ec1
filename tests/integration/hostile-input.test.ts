/**
 * Hostile and malformed SIP from the network, sent raw over UDP through a real
 * Kamailio to the agent's phone. Each message gets the right answer (or rings with
 * a sanitised identity); afterwards the phone is still registered and a normal call
 * still works.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type TestAgent } from '../support/agent';
import { sendUdpRequest, sipToken, startKamailio, type Kamailio } from '../support/kamailio';
import { formatSippResult, runSipp, startRegisteredUas } from '../support/sipp';

let kamailio: Kamailio;
let agent: TestAgent;

beforeAll(async () => {
  kamailio = await startKamailio();
  agent = await startAgent(kamailio, { user: '1001', phone: { maxLiveCalls: 4 } });
});

afterAll(async () => {
  await agent?.stop();
  await kamailio?.stop();
});

interface RawInvite {
  method?: string;
  from?: string;
  headers?: string[];
}

/** A raw request to agent 1001 through Kamailio; returns every response it got. */
function send({ method = 'INVITE', from, headers = [] }: RawInvite, timeoutMs = 8_000) {
  const callId = `${sipToken()}@hostile.test`;
  return sendUdpRequest({
    port: kamailio.udpPort,
    timeoutMs,
    build: (localPort) =>
      [
        `${method} sip:1001@${kamailio.domain} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${localPort};branch=z9hG4bK${sipToken()};rport`,
        'Max-Forwards: 70',
        `From: ${from ?? `"Hostile Test" <sip:+15550000@127.0.0.1>`};tag=${sipToken(4)}`,
        `To: <sip:1001@${kamailio.domain}>`,
        `Call-ID: ${callId}`,
        `CSeq: 1 ${method}`,
        `Contact: <sip:hostile@127.0.0.1:${localPort}>`,
        ...headers,
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
  });
}

const finalStatus = (responses: Array<{ status: number }>) => responses.at(-1)?.status;

/** Waits for a ringing call whose number matches, declines it, returns it. */
async function declineRinging(number: string) {
  const call = await agent.waitForCall((c) => c.state === 'ringing' && c.remoteNumber === number);
  await agent.must('call:decline', { callId: call.id });
  return call;
}

describe('hostile input from the network', () => {
  it('rings with a sanitised name when the display name carries markup and a bidi override', async () => {
    const sent = send({ from: '"<script>alert(1)</script>\u202Eevil" <sip:+15550001@127.0.0.1>' });
    const call = await declineRinging('+15550001');
    expect(call.remoteName).toBe('<script>alert(1)</script> evil');
    expect(finalStatus(await sent)).toBe(486);
  });

  it('answers 400 to a display name with raw control characters instead of leaving it ringing', async () => {
    expect(finalStatus(await send({ from: '"bell\u0007\u0001name" <sip:+15550002@127.0.0.1>' }))).toBe(400);
  });

  it('answers 400 to a From user part with %-escapes that are not UTF-8, which sip.js silently drops', async () => {
    expect(finalStatus(await send({ from: '"Broken Escapes" <sip:%ff%fe@127.0.0.1>' }))).toBe(400);
  });

  it('answers 513 to an oversized request', async () => {
    expect(finalStatus(await send({ headers: [`X-Padding: ${'x'.repeat(40_000)}`] }))).toBe(513);
  });

  it('answers 405 to an unknown method', async () => {
    expect(finalStatus(await send({ method: 'FROBNICATE' }))).toBe(405);
  });

  it('keeps ringing when an INVITE asks for an Expires beyond the timer range', async () => {
    const sent = send({ from: '"Long Expires" <sip:+15550003@127.0.0.1>', headers: ['Expires: 2147484'] });
    const call = await agent.waitForCall((c) => c.state === 'ringing' && c.remoteNumber === '+15550003');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(agent.core.phoneState().calls.find((c) => c.id === call.id)?.state).toBe('ringing');
    await agent.must('call:decline', { callId: call.id });
    expect(finalStatus(await sent)).toBe(486);
  });

  it('offers at most four calls at once from a flood of INVITEs and answers the rest 486', async () => {
    const before = agent.states.length;
    let settled = 0;
    const flood = Array.from({ length: 10 }, (_, i) =>
      send({ from: `"Flood ${i}" <sip:+1555010${i}@127.0.0.1>` }, 15_000).finally(() => {
        settled += 1;
      }),
    );
    // The cap fills up first; then play the agent: decline whatever rings until every
    // flooding INVITE has its answer (late ones may ring once places free up).
    await agent.waitForState((s) => s.calls.filter((c) => c.state === 'ringing').length === 4);
    while (settled < flood.length) {
      for (const call of agent.core.phoneState().calls.filter((c) => c.state === 'ringing')) {
        await agent.command('call:decline', { callId: call.id });
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const statuses = (await Promise.all(flood)).map(finalStatus);
    expect(statuses).toEqual(Array(10).fill(486));
    const seen = agent.states.slice(before);
    const mostRingingAtOnce = Math.max(...seen.map((s) => s.calls.filter((c) => c.state === 'ringing').length));
    expect(mostRingingAtOnce).toBe(4);
    const offered = new Set(
      seen.flatMap((s) => s.calls.filter((c) => c.remoteName.startsWith('Flood')).map((c) => c.id)),
    );
    expect(offered.size).toBeLessThan(10);
  });

  it('is still registered afterwards, and a normal call still works', async () => {
    expect(agent.core.phoneState().registration.status).toBe('registered');
    const sipp = runSipp({
      scenario: 'caller-answered-then-bye.xml',
      kamailio,
      service: '1001',
      caller: '+4930123456',
      displayName: 'Erika Mustermann',
    });
    const call = await agent.waitForCall((c) => c.state === 'ringing' && c.remoteNumber === '+4930123456');
    await agent.must('call:answer', { callId: call.id });
    const result = await sipp.done;
    expect(result.passed, formatSippResult(result)).toBe(true);
  });
});

describe('a hostile callee', () => {
  it('survives a 180 whose CSeq makes sip.js throw, and the call still connects', async () => {
    const callee = await startRegisteredUas({
      kamailio,
      service: '2200',
      scenario: 'uas-bad-cseq-ringing.xml',
      recvTimeoutMs: 20_000,
    });
    const { callId } = await agent.must<{ callId: string }>('call:dial', { target: '2200' });
    await agent.waitForCall((c) => c.id === callId && c.state === 'active');
    expect(agent.core.phoneState().registration.status).toBe('registered');
    await agent.must('call:hang-up', { callId });
    const result = await callee.done;
    expect(result.passed, formatSippResult(result)).toBe(true);
  });

  it('ends an outgoing call whose final answer sip.js cannot read, with the reason, instead of waiting forever', async () => {
    const callee = await startRegisteredUas({
      kamailio,
      service: '2201',
      scenario: 'uas-bad-final.xml',
      recvTimeoutMs: 20_000,
    });
    const { callId } = await agent.must<{ callId: string }>('call:dial', { target: '2201' });
    const ended = await agent.waitForCall((c) => c.id === callId && c.state === 'ended');
    expect(ended).toMatchObject({ endReason: 'protocol-error', endedBy: 'system' });
    expect(ended.timeline.at(-1)?.detail).toBe('unreadable 486 answer to INVITE');
    const result = await callee.done;
    expect(result.passed, formatSippResult(result)).toBe(true);
    expect(agent.core.phoneState().registration.status).toBe('registered');
  });
});
