/**
 * Orphaned calls end: session timers (RFC 4028) against SIPp callers through a real
 * Kamailio, with intervals of seconds instead of the production half hour
 * (docs/sipjs-pitfalls.md#s29). A call whose BYE never comes ends by itself with a
 * clear cause, and the agent can take the next call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type TestAgent } from '../support/agent';
import { startKamailio, type Kamailio } from '../support/kamailio';
import { formatSippResult, parseSippTrace, runSipp, startRegisteredUas } from '../support/sipp';

let kamailio: Kamailio;
let agent: TestAgent;

beforeAll(async () => {
  kamailio = await startKamailio();
  // Our own interval (for callers that name none) is 2 s, so we refresh after 1 s.
  agent = await startAgent(kamailio, { user: '1001', phone: { sessionTimer: { intervalS: 2, minIntervalS: 1 } } });
});

afterAll(async () => {
  await agent?.stop();
  await kamailio?.stop();
});

function call(scenario: string, caller: string, sessionExpires?: number, pauseMs?: number) {
  return runSipp({
    scenario,
    kamailio,
    service: '1001',
    caller,
    displayName: 'Timer Test',
    keys: sessionExpires === undefined ? {} : { session_expires: String(sessionExpires) },
    ...(pauseMs === undefined ? {} : { pauseMs }),
    recvTimeoutMs: 20_000,
  });
}

describe('session timers', () => {
  it('ends an answered call whose caller never refreshes and never sends BYE, as "session expired"', async () => {
    const sipp = call('caller-never-refreshes.xml', '+4940666001', 3);
    const ringing = await agent.waitForCall((c) => c.state === 'ringing' && c.remoteNumber === '+4940666001');
    await agent.must('call:answer', { callId: ringing.id });
    const ended = await agent.waitForCall((c) => c.id === ringing.id && c.state === 'ended', 30_000);
    expect(ended).toMatchObject({ endReason: 'session-expired', endedBy: 'system' });
    expect(ended.timeline.at(-1)?.detail).toMatch(/no session refresh within 3 s/);
    const result = await sipp.done;
    expect(result.passed, formatSippResult(result)).toBe(true);
    const ok = parseSippTrace(result.messages).find((m) => m.firstLine.startsWith('SIP/2.0 200'));
    expect(ok?.text).toMatch(/^Session-Expires: 3;refresher=uac\r?$/m);
    expect(ok?.text).toMatch(/^Require: timer\r?$/m);
    // Nothing is left blocking the agent: the next caller can be answered.
    const next = runSipp({
      scenario: 'caller-answered-then-bye.xml',
      kamailio,
      service: '1001',
      caller: '+4940666009',
    });
    const second = await agent.waitForCall((c) => c.state === 'ringing' && c.remoteNumber === '+4940666009');
    await agent.must('call:answer', { callId: second.id });
    expect((await next.done).passed).toBe(true);
  });

  it('keeps a call up while the caller refreshes by UPDATE and by re-INVITE, until the caller hangs up', async () => {
    // Session-Expires 9 s: without a refresh the call would end 6 s after the last one.
    // The caller refreshes 3.5 s after the answer (UPDATE), then 3.5 s later (re-INVITE),
    // and hangs up 3.5 s after that: past both points where a missing refresh would
    // have ended it.
    const sipp = call('caller-refreshes-then-bye.xml', '+4940666002', 9, 3_500);
    const ringing = await agent.waitForCall((c) => c.state === 'ringing' && c.remoteNumber === '+4940666002');
    await agent.must('call:answer', { callId: ringing.id });
    const ended = await agent.waitForCall((c) => c.id === ringing.id && c.state === 'ended', 40_000);
    expect(ended.endReason).toBe('remote-hangup');
    const result = await sipp.done;
    expect(result.passed, formatSippResult(result)).toBe(true);
  });

  it('refreshes itself for a caller without timers, and ends the call when the refresh finds the dialog gone', async () => {
    const sipp = call('caller-forgets-the-call.xml', '+4940666003');
    const ringing = await agent.waitForCall((c) => c.state === 'ringing' && c.remoteNumber === '+4940666003');
    await agent.must('call:answer', { callId: ringing.id });
    const ended = await agent.waitForCall((c) => c.id === ringing.id && c.state === 'ended', 30_000);
    expect(ended).toMatchObject({ endReason: 'connection-lost', endedBy: 'system' });
    expect(ended.timeline.at(-1)?.detail).toBe('481');
    const result = await sipp.done;
    expect(result.passed, formatSippResult(result)).toBe(true);
    const ok = parseSippTrace(result.messages).find((m) => m.firstLine.startsWith('SIP/2.0 200'));
    expect(ok?.text).toMatch(/^Session-Expires: 2;refresher=uas\r?$/m);
    expect(ok?.text).not.toMatch(/^Require: timer/m);
    const refresh = parseSippTrace(result.messages).find(
      (m) => m.direction === 'received' && m.firstLine.startsWith('INVITE'),
    );
    expect(refresh?.text).toMatch(/^Session-Expires: 2;refresher=uac\r?$/m);
  });

  it('refreshes an outgoing call when the callee asks for a timer with us as refresher', async () => {
    const callee = await startRegisteredUas({
      kamailio,
      service: '2300',
      scenario: 'uas-session-timer.xml',
      keys: { session_expires: '2' },
      recvTimeoutMs: 20_000,
    });
    const { callId } = await agent.must<{ callId: string }>('call:dial', { target: '2300' });
    await agent.waitForCall((c) => c.id === callId && c.state === 'active');
    // The callee answers our refresh 481, which ends the call: proof the refresh went out.
    const ended = await agent.waitForCall((c) => c.id === callId && c.state === 'ended', 30_000);
    expect(ended).toMatchObject({ endReason: 'connection-lost' });
    expect(ended.timeline.at(-1)?.detail).toBe('481');
    const result = await callee.done;
    expect(result.passed, formatSippResult(result)).toBe(true);
  });

  it('ends a call as "connection lost" when its session expires while the PBX is unreachable', async () => {
    // Its own PBX, which this test takes away for good.
    const pbx = await startKamailio();
    const lonely = await startAgent(pbx, { user: '1002', phone: { sessionTimer: { intervalS: 2, minIntervalS: 1 } } });
    try {
      const sipp = runSipp({
        scenario: 'caller-never-refreshes.xml',
        kamailio: pbx,
        service: '1002',
        caller: '+4940666004',
        keys: { session_expires: '3' },
      });
      const ringing = await lonely.waitForCall((c) => c.state === 'ringing' && c.remoteNumber === '+4940666004');
      await lonely.must('call:answer', { callId: ringing.id });
      await lonely.waitForCall((c) => c.id === ringing.id && c.state === 'active');
      await pbx.stop();
      await lonely.waitForState((s) => s.registration.status === 'failed');
      const ended = await lonely.waitForCall((c) => c.id === ringing.id && c.state === 'ended', 30_000);
      expect(ended).toMatchObject({ endReason: 'connection-lost', endedBy: 'system' });
      expect(ended.timeline.at(-1)?.detail).toMatch(/no session refresh within 3 s/);
      await sipp.kill();
    } finally {
      await lonely.stop();
      await pbx.stop();
    }
  });
});
