/**
 * The early screen pop (src/core/phone/early-invite.ts, docs/performance.md#early-pop):
 * the ringing call, with the caller's sanitised identity, is reported from the INVITE
 * frame before sip.js has sent 100 Trying or 180 Ringing; then sip.js's Invitation is
 * bound to it and it is answered as any call. A call sip.js then refuses, or that is
 * cancelled, ends through the call state machine like any other.
 *
 * Real SIPp → Kamailio → the agent's core; the order of events is read off the agent's
 * own WebSocket (a wrapper on `ws`'s send in this process), never off a clock.
 */
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallView } from '../../src/shared/contract';
import { startAgent, type TestAgent } from '../support/agent';
import { startKamailio, type Kamailio } from '../support/kamailio';
import { formatSippResult, runSipp } from '../support/sipp';

let kamailio: Kamailio;
let agent: TestAgent;
/** First line and Call-ID of every SIP message the agent handed to its WebSocket, in order. */
const sent: Array<{ firstLine: string; callId: string }> = [];
/** For each call id, how many messages had been sent when the call was first reported. */
const sentWhenShown = new Map<string, number>();
let restoreSend: (() => void) | undefined;

beforeAll(async () => {
  const proto = WebSocket.prototype as unknown as { send: (...args: unknown[]) => void };
  const original = proto.send;
  proto.send = function send(this: WebSocket, ...args: unknown[]) {
    const text = String(args[0]);
    sent.push({ firstLine: text.split('\r\n')[0] ?? '', callId: /^(?:Call-ID|i):\s*(\S+)/im.exec(text)?.[1] ?? '' });
    original.apply(this, args);
  };
  restoreSend = () => {
    proto.send = original;
  };
  kamailio = await startKamailio();
  agent = await startAgent(kamailio, { user: '1001' });
  agent.core.onEvent((channel, payload) => {
    if (channel !== 'phone:state') return;
    for (const call of payload.calls) if (!sentWhenShown.has(call.id)) sentWhenShown.set(call.id, sent.length);
  });
});

afterAll(async () => {
  await agent?.stop();
  await kamailio?.stop();
  restoreSend?.();
});

/** The responses the agent sent for the INVITE with this Call-ID, before and after the call was shown. */
function responsesAround(call: CallView, callId: string): { before: string[]; after: string[] } {
  const shownAt = sentWhenShown.get(call.id) ?? -1;
  const mine = (from: number, to: number) =>
    sent
      .slice(from, to)
      .filter((m) => m.callId === callId && m.firstLine.startsWith('SIP/2.0 '))
      .map((m) => m.firstLine);
  return { before: mine(0, shownAt), after: mine(shownAt, sent.length) };
}

const callIdOf = (firstLine: string) => sent.find((m) => m.firstLine === firstLine)?.callId;

describe('the early screen pop', () => {
  it('shows the ringing caller before 100 Trying and 180 Ringing are sent, then answers as usual', async () => {
    const sipp = runSipp({
      scenario: 'caller-answered-then-bye.xml',
      kamailio,
      service: '1001',
      caller: '+4930123456',
      displayName: 'Erika Mustermann',
      pauseMs: 500,
    });
    const ringing = await agent.waitForCall((c) => c.state === 'ringing' && c.remoteNumber === '+4930123456');
    // The very first report already carries the sanitised identity, as sip.js's parse gives it.
    const first = agent.states.flatMap((s) => s.calls).find((c) => c.id === ringing.id);
    expect(first).toMatchObject({ state: 'ringing', remoteName: 'Erika Mustermann' });
    expect(first?.allowed.answer).toBe(true);

    await agent.must('call:answer', { callId: ringing.id });
    await agent.waitForCall((c) => c.id === ringing.id && c.state === 'ended');
    const result = await sipp.done;
    expect(result.passed, formatSippResult(result)).toBe(true);

    const callId = sent.find((m) => m.firstLine.startsWith('SIP/2.0 180'))?.callId ?? '';
    const { before, after } = responsesAround(ringing, callId);
    expect(before).toEqual([]);
    expect(after.slice(0, 3)).toEqual(['SIP/2.0 100 Trying', 'SIP/2.0 180 Ringing', 'SIP/2.0 200 OK']);
    // Shown once: the early report and sip.js's Invitation are the same call.
    const ids = new Set(
      agent.states
        .flatMap((s) => s.calls)
        .filter((c) => c.remoteNumber === '+4930123456')
        .map((c) => c.id),
    );
    expect(ids.size).toBe(1);
  });

  it('withdraws a call sip.js refuses (an INVITE without Contact gets 400), as a failed call', async () => {
    const sipp = runSipp({
      scenario: 'caller-no-contact.xml',
      kamailio,
      service: '1001',
      caller: '+4930765432',
      displayName: 'No Contact',
    });
    const ended = await agent.waitForCall((c) => c.remoteNumber === '+4930765432' && c.state === 'ended');
    const result = await sipp.done;
    expect(result.passed, formatSippResult(result)).toBe(true);
    // It was shown from the frame, then ended by the state machine: failed, by the system.
    const shown = agent.states.flatMap((s) => s.calls).find((c) => c.id === ended.id && c.state === 'ringing');
    expect(shown).toBeDefined();
    expect(ended).toMatchObject({ endReason: 'failed', endedBy: 'system' });
    expect(ended.timeline.at(-1)?.detail).toMatch(/^withdrawn: /);
    // Nothing can be done with it any more.
    const answer = await agent.command('call:answer', { callId: ended.id });
    expect(answer.ok).toBe(false);
    expect(callIdOf('SIP/2.0 400 Missing Contact Header')).toBeDefined();
    expect(agent.core.phoneState().calls.filter((c) => c.state !== 'ended')).toEqual([]);
  });

  it('ends an early-shown call the caller cancels, and refuses to answer it afterwards', async () => {
    const sipp = runSipp({
      scenario: 'caller-cancels.xml',
      kamailio,
      service: '1001',
      caller: '+4930111222',
      displayName: 'Cancelling Caller',
      pauseMs: 200,
    });
    const ringing = await agent.waitForCall((c) => c.state === 'ringing' && c.remoteNumber === '+4930111222');
    const ended = await agent.waitForCall((c) => c.id === ringing.id && c.state === 'ended');
    expect(ended.endReason).toBe('caller-cancelled');
    const answer = await agent.command('call:answer', { callId: ringing.id });
    expect(answer.ok).toBe(false);
    const result = await sipp.done;
    expect(result.passed, formatSippResult(result)).toBe(true);
  });
});
