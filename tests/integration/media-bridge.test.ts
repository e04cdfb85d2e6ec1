/**
 * The media bridge inside the real phone, against real SIP: SIPp calls through
 * Kamailio, and every SDP the phone sends comes from a fake renderer engine behind
 * the bridge (a MediaChannel that records requests and answers with a plain PCMU
 * description). What is checked here is the phone's use of the bridge: answering
 * through it, mute and DTMF through the engine with SIP INFO as the fallback, engine
 * reports landing on the right call, and a failed microphone refusing the call
 * cleanly. Real WebRTC is in tests/e2e/audio*.test.ts.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger';
import { createBridgedMediaFactory, type MediaChannel } from '../../src/core/media/bridged-media';
import type { MediaRequest, MediaResponse } from '../../src/shared/media-protocol';
import { startAgent, type TestAgent } from '../support/agent';
import { startKamailio, type Kamailio } from '../support/kamailio';
import { formatSippResult, parseSippTrace, runSipp, type SippResult } from '../support/sipp';

let kamailio: Kamailio;
let agent: TestAgent;
let nextNumber = 4930300000;

/** What the fake engine does with each request; tests change it. */
let answerWith: (request: MediaRequest) => MediaResponse | undefined = () => undefined;
const requests: MediaRequest[] = [];

const plainSdp = (hold: boolean) =>
  [
    'v=0',
    'o=- 1 1 IN IP4 127.0.0.1',
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    'm=audio 40000 RTP/AVP 0 101',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:101 telephone-event/8000',
    hold ? 'a=inactive' : 'a=sendrecv',
    '',
  ].join('\r\n');

const fakeEngine: MediaChannel = {
  request: async (request) => {
    requests.push(request);
    const special = answerWith(request);
    if (special) return special;
    return request.op === 'get-description' ? { ok: true, sdp: plainSdp(request.hold) } : { ok: true };
  },
};

beforeAll(async () => {
  kamailio = await startKamailio();
  agent = await startAgent(kamailio, {
    user: '1001',
    createMediaFactory: () =>
      createBridgedMediaFactory(fakeEngine, {
        iceServers: [],
        iceGatheringTimeoutMs: 100,
        requestTimeoutMs: 2_000,
        logger: silentLogger,
      }),
  });
});

afterAll(async () => {
  await agent?.stop();
  await kamailio?.stop();
});

beforeEach(() => {
  requests.length = 0;
  answerWith = () => undefined;
});

async function ring(scenario: string) {
  const number = `+${(nextNumber += 1)}`;
  const sipp = runSipp({
    scenario,
    kamailio,
    service: '1001',
    caller: number,
    displayName: 'Test Caller',
    recvTimeoutMs: 20_000,
  });
  const call = await agent.waitForCall((c) => c.state === 'ringing' && c.remoteNumber === number);
  return { sipp, call };
}

async function answered(scenario: string) {
  const rung = await ring(scenario);
  await agent.must('call:answer', { callId: rung.call.id });
  await agent.waitForCall((c) => c.id === rung.call.id && c.state === 'active');
  return rung;
}

async function passed(sipp: ReturnType<typeof runSipp>): Promise<SippResult> {
  const result = await sipp.done;
  expect(result.passed, formatSippResult(result)).toBe(true);
  return result;
}

const sessionOf = () => requests.find((request) => request.op === 'create')?.sessionId ?? '';

describe('the phone with the media bridge', () => {
  it('answers with the engine’s description; mute and key tones go to the engine, not into SIP', async () => {
    const { sipp, call } = await answered('caller-answered-agent-hangs-up.xml');
    expect(requests.map((request) => request.op)).toEqual(['create', 'set-description', 'get-description']);
    const sessionId = sessionOf();
    expect(requests[1]).toMatchObject({ op: 'set-description', hold: false, sdp: expect.stringContaining('m=audio') });

    await agent.must('call:set-mute', { callId: call.id, muted: true });
    expect(requests.at(-1)).toEqual({ op: 'set-mute', sessionId, muted: true });
    expect(agent.core.phoneState().calls.find((c) => c.id === call.id)?.muted).toBe(true);

    // In the audio (RFC 4733): the scenario fails on any INFO it did not expect.
    await agent.must('call:send-dtmf', { callId: call.id, tones: '5#1' });
    expect(requests.at(-1)).toEqual({ op: 'send-dtmf', sessionId, tones: '5#1' });

    await agent.must('call:hang-up', { callId: call.id });
    await passed(sipp);
    await expect.poll(() => requests.at(-1)).toEqual({ op: 'close', sessionId });
  });

  it('sends key tones as SIP INFO when the call cannot carry telephone-events', async () => {
    answerWith = (request) =>
      request.op === 'send-dtmf'
        ? { ok: false, error: { code: 'dtmf-unavailable', message: 'no telephone-event' } }
        : undefined;
    const { sipp, call } = await answered('caller-receives-dtmf.xml');
    await agent.must('call:send-dtmf', { callId: call.id, tones: '5#1' });
    await agent.must('call:hang-up', { callId: call.id });
    const result = await passed(sipp);
    const infos = parseSippTrace(result.messages).filter(
      (m) => m.direction === 'received' && m.firstLine.startsWith('INFO '),
    );
    expect(infos.map((m) => /Signal=(.)/.exec(m.text)?.[1])).toEqual(['5', '#', '1']);
  });

  it('refuses to show "muted" when the engine could not mute', async () => {
    answerWith = (request) =>
      request.op === 'set-mute' ? { ok: false, error: { code: 'internal', message: 'the track is gone' } } : undefined;
    const { sipp, call } = await answered('caller-answered-agent-hangs-up.xml');
    const refused = await agent.command('call:set-mute', { callId: call.id, muted: true });
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'media-error', message: expect.stringContaining('the track is gone') },
    });
    expect(agent.core.phoneState().calls.find((c) => c.id === call.id)?.muted).toBe(false);
    await agent.must('call:hang-up', { callId: call.id });
    await passed(sipp);
  });

  it('puts the engine’s reports on the call they are about, and ignores stale ones', async () => {
    const { sipp, call } = await answered('caller-answered-agent-hangs-up.xml');
    const sessionId = sessionOf();
    const report = { sessionId, message: 'engine text', connectionState: 'connected' };
    await agent.must('media:report', { ...report, kind: 'no-audio' });
    expect(agent.core.phoneState().calls.find((c) => c.id === call.id)?.mediaProblem).toMatchObject({
      kind: 'no-audio',
      message: 'engine text',
    });
    await agent.must('media:report', { ...report, kind: 'audio-restored' });
    expect(agent.core.phoneState().calls.find((c) => c.id === call.id)?.mediaProblem).toBeNull();
    await agent.must('media:report', { ...report, sessionId: 'not-a-session', kind: 'connection-failed' });
    expect(agent.core.phoneState().calls.find((c) => c.id === call.id)?.mediaProblem).toBeNull();
    await agent.must('call:hang-up', { callId: call.id });
    await passed(sipp);
  });

  it('reconnects the audio with an ICE restart in a re-INVITE', async () => {
    const { sipp, call } = await answered('caller-reinvited-then-bye.xml');
    await agent.must('media:report', {
      sessionId: sessionOf(),
      kind: 'connection-failed',
      message: 'ICE failed',
      connectionState: 'failed',
    });
    await agent.must('call:reconnect-audio', { callId: call.id });
    expect(requests.filter((request) => request.op === 'get-description').at(-1)).toMatchObject({
      hold: false,
      iceRestart: true,
    });
    expect(agent.core.phoneState().calls.find((c) => c.id === call.id)).toMatchObject({
      state: 'active',
      mediaProblem: null,
    });
    await agent.must('call:hang-up', { callId: call.id });
    await passed(sipp);
  });

  it('no microphone: Answer says so, and the caller is not left ringing', async () => {
    answerWith = (request) =>
      request.op === 'set-description'
        ? { ok: false, error: { code: 'microphone', message: 'NotAllowedError: Permission denied' } }
        : undefined;
    const { sipp, call } = await ring('caller-media-refused.xml');
    const refused = await agent.command('call:answer', { callId: call.id });
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'media-error', message: expect.stringMatching(/^The microphone could not be opened/) },
    });
    // Ended by the system, with the reason in the timeline: not the caller giving up.
    const ended = await agent.waitForCall((c) => c.id === call.id && c.state === 'ended');
    expect(ended).toMatchObject({ endReason: 'failed', endedBy: 'system', answeredAt: null });
    expect(ended.timeline.at(-1)).toMatchObject({ kind: 'ended', detail: 'answer-failed' });
    // SIPp receives 480 (sip.js's own rejection) and nothing else.
    await passed(sipp);
  });
});
