/**
 * The walking skeleton's signalling path with real parts: SIPp (the caller) →
 * Kamailio (UDP in, WebSocket out) → Calmline's core in Node.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type TestAgent } from '../support/agent';
import { startKamailio, type Kamailio } from '../support/kamailio';
import { formatSippResult, parseSippTrace, runSipp } from '../support/sipp';

let kamailio: Kamailio;
let agent: TestAgent;

beforeAll(async () => {
  kamailio = await startKamailio();
  agent = await startAgent(kamailio, { user: '1001' });
});

afterAll(async () => {
  await agent?.stop();
  await kamailio?.stop();
});

const received = (messages: string) =>
  parseSippTrace(messages)
    .filter((m) => m.direction === 'received')
    .map((m) => m.firstLine);
const sent = (messages: string) =>
  parseSippTrace(messages)
    .filter((m) => m.direction === 'sent')
    .map((m) => m.firstLine.split(' ')[0]);

describe('an incoming call through Kamailio', () => {
  it('registers the agent with the registrar', () => {
    expect(agent.core.phoneState().registration).toEqual({
      status: 'registered',
      aor: `sip:1001@${kamailio.domain}`,
    });
  });

  it("shows the caller, is answered by the agent, and ends on the caller's BYE", async () => {
    const sipp = runSipp({
      scenario: 'caller-answered-then-bye.xml',
      kamailio,
      service: '1001',
      caller: '+4930123456',
      displayName: 'Erika Mustermann',
      pauseMs: 1_000,
    });
    const ringing = await agent.waitForCall((c) => c.state === 'ringing' && c.remoteNumber === '+4930123456');
    expect(ringing).toMatchObject({ direction: 'incoming', remoteName: 'Erika Mustermann', answeredAt: null });

    await expect(agent.command('call:answer', { callId: ringing.id })).resolves.toEqual({ ok: true, value: undefined });
    const active = await agent.waitForCall((c) => c.id === ringing.id && c.state === 'active');
    expect(active.answeredAt).toBeGreaterThanOrEqual(active.offeredAt);

    const ended = await agent.waitForCall((c) => c.id === ringing.id && c.state === 'ended');
    expect(ended.endReason).toBe('remote-hangup');

    const result = await sipp.done;
    expect(result.passed, formatSippResult(result)).toBe(true);
    expect(received(result.messages)).toContain('SIP/2.0 200 OK');
    expect(sent(result.messages)).toEqual(expect.arrayContaining(['INVITE', 'ACK', 'BYE']));
    // The renderer saw the call ring, go active and end, in that order.
    const seen = agent.states.flatMap((s) => s.calls.filter((c) => c.id === ringing.id).map((c) => c.state));
    expect([...new Set(seen)]).toEqual(['ringing', 'active', 'ended']);
  });

  it('declines a call: the caller gets 486 Busy Here', async () => {
    const sipp = runSipp({
      scenario: 'caller-declined.xml',
      kamailio,
      service: '1001',
      caller: '+4940555000',
      displayName: 'Max Muster',
    });
    const ringing = await agent.waitForCall((c) => c.state === 'ringing' && c.remoteNumber === '+4940555000');
    await expect(agent.command('call:decline', { callId: ringing.id })).resolves.toMatchObject({ ok: true });
    const ended = await agent.waitForCall((c) => c.id === ringing.id && c.state === 'ended');
    expect(ended.endReason).toBe('declined');
    const result = await sipp.done;
    expect(result.passed, formatSippResult(result)).toBe(true);
    expect(received(result.messages)).toContain('SIP/2.0 486 Busy Here');
  });

  it('ends a ringing call the caller cancels, and refuses to answer it afterwards', async () => {
    const sipp = runSipp({
      scenario: 'caller-cancels.xml',
      kamailio,
      service: '1001',
      caller: '+4969777000',
      displayName: 'Cancelling Caller',
      pauseMs: 1_000,
    });
    const ringing = await agent.waitForCall((c) => c.state === 'ringing' && c.remoteNumber === '+4969777000');
    const ended = await agent.waitForCall((c) => c.id === ringing.id && c.state === 'ended');
    expect(ended.endReason).toBe('caller-cancelled');
    const result = await sipp.done;
    expect(result.passed, formatSippResult(result)).toBe(true);
    expect(received(result.messages)).toContain('SIP/2.0 487 Request Terminated');
    await expect(agent.command('call:answer', { callId: ringing.id })).resolves.toMatchObject({
      ok: false,
      error: { code: 'invalid-transition' },
    });
  });

  it('hangs up an answered call: the caller receives BYE', async () => {
    const sipp = runSipp({
      scenario: 'caller-answered-agent-hangs-up.xml',
      kamailio,
      service: '1001',
      caller: '+4989111222',
      displayName: 'Waiting Caller',
    });
    const ringing = await agent.waitForCall((c) => c.state === 'ringing' && c.remoteNumber === '+4989111222');
    await agent.command('call:answer', { callId: ringing.id });
    await agent.waitForCall((c) => c.id === ringing.id && c.state === 'active');
    await expect(agent.command('call:hang-up', { callId: ringing.id })).resolves.toMatchObject({ ok: true });
    const ended = await agent.waitForCall((c) => c.id === ringing.id && c.state === 'ended');
    expect(ended.endReason).toBe('local-hangup');
    const result = await sipp.done;
    expect(result.passed, formatSippResult(result)).toBe(true);
    expect(received(result.messages).some((line) => line.startsWith('BYE '))).toBe(true);
  });

  it('shows a hostile display name as sanitised text', async () => {
    const hostile = `<img src=x onerror=alert(1)>\u202Eevil${'W'.repeat(10_000)}`;
    const sipp = runSipp({
      scenario: 'caller-cancels.xml',
      kamailio,
      service: '1001',
      caller: '+4911100000',
      displayName: hostile,
      pauseMs: 1_000,
    });
    const ringing = await agent.waitForCall((c) => c.state === 'ringing' && c.remoteNumber === '+4911100000');
    expect(ringing.remoteName.startsWith('<img src=x onerror=alert(1)> evil')).toBe(true);
    expect([...ringing.remoteName].some((ch) => ch === '\u202E' || ch.charCodeAt(0) < 0x20)).toBe(false);
    expect([...ringing.remoteName].length).toBeLessThanOrEqual(64);
    await sipp.done;
  });

  it('refuses commands for unknown calls and malformed payloads without touching the phone', async () => {
    await expect(agent.command('call:answer', { callId: 'no-such-call' })).resolves.toMatchObject({
      ok: false,
      error: { code: 'call-not-found' },
    });
    await expect(agent.command('call:answer', { id: 'x' })).resolves.toMatchObject({
      ok: false,
      error: { code: 'invalid-payload' },
    });
    expect(agent.core.phoneState().registration.status).toBe('registered');
  });
});
