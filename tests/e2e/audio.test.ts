/**
 * Real audio end to end, all real except the IPC hop:
 * - the agent: the real AppCore in Node, registered to Kamailio, with the bridged
 *   media factory; each media request goes into a Chromium page running the
 *   WebRtcMediaEngine through `page.evaluate` (standing in for the IPC contract);
 * - the caller: a second Chromium process whose page runs a sip.js UserAgent with
 *   sip.js's own Web SessionDescriptionHandler, registered over ws:// to the same
 *   Kamailio, calling the agent (1001).
 * Each Chromium's fake microphone plays its own tone (agent 440 Hz, caller 1000 Hz).
 * Each side must hear the other's tone; on hold (`inactive`) the caller must hear
 * nothing; after resume the tone comes back.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBridgedMediaFactory, type MediaChannel } from '../../src/core/media/bridged-media';
import { silentLogger } from '../../src/core/logger';
import type { ConsentEntry } from '../../src/shared/contract';
import type { MediaRequest, MediaResponse } from '../../src/shared/media-protocol';
import { buildAudioPage, launchAudioChromium, makeAudioDir, servePage, writeToneWav } from '../support/audio/audio-bed';
import type { AudioTestGlobal, Measurement } from '../support/audio/page-api';
import { startAgent, type TestAgent } from '../support/agent';
import { startKamailio, type Kamailio } from '../support/kamailio';

const AGENT_HZ = 440;
const CALLER_HZ = 1_000;
/** Window of each measurement; the analyser's spectrum resolution is ~5.9 Hz. */
const WINDOW_MS = 1_200;
/** A tone is "heard" above this RMS level (the generated tone is −9 dBFS RMS). */
const HEARD_DB = -40;
/** On hold the caller hears digital silence; at least this far below the live level. */
const HOLD_DROP_DB = 40;
/** The agent engine's watchdog complains after this long without packets. */
const NO_AUDIO_AFTER_MS = 1_500;

let kamailio: Kamailio;
let agent: TestAgent;
let agentBrowser: Browser;
let callerBrowser: Browser;
let agentPage: Page;
let callerPage: Page;
let server: { url: string; close: () => Promise<void> };
let work: { dir: string; remove: () => void };
const pageErrors: string[] = [];
const mediaLog: string[] = [];

async function openPage(browser: Browser, name: string): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (error) => pageErrors.push(`${name}: ${error.message}`));
  await page.goto(server.url);
  await page.waitForFunction(() => 'audioTest' in globalThis);
  return page;
}

/** Forwards the core's media requests into the agent page's engine: the IPC hop's stand-in. */
const channel: MediaChannel = {
  async request(request: MediaRequest): Promise<MediaResponse> {
    const response = await agentPage.evaluate(
      (r) => (globalThis as unknown as AudioTestGlobal).audioTest.agent.handle(r),
      request,
    );
    mediaLog.push(`${request.op} → ${response.ok ? 'ok' : `${response.error.code}: ${response.error.message}`}`);
    return response;
  },
};

const measureAgent = (sessionId: string) =>
  agentPage.evaluate(([id, ms]) => (globalThis as unknown as AudioTestGlobal).audioTest.agent.measure(id, ms), [
    sessionId,
    WINDOW_MS,
  ] as const);
const measureCaller = () =>
  callerPage.evaluate((ms) => (globalThis as unknown as AudioTestGlobal).audioTest.caller.measure(ms), WINDOW_MS);

const show = (label: string, m: Measurement) =>
  `${label}: rms ${m.rmsDb.toFixed(1)} dBFS, peak ${m.peakHz?.toFixed(1) ?? '-'} Hz, stats level ${m.levelDb?.toFixed(1) ?? '-'} dB (peak-based), ` +
  `${m.packetsPerSecond.toFixed(1)} pkt/s over ${m.seconds.toFixed(2)} s`;

/** Polls until `probe` returns true (all waits here are bounded by a deadline, not fixed sleeps). */
async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}; media log: ${mediaLog.join(' | ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  work = makeAudioDir();
  const agentWav = `${work.dir}/agent-${AGENT_HZ}.wav`;
  const callerWav = `${work.dir}/caller-${CALLER_HZ}.wav`;
  writeToneWav(agentWav, AGENT_HZ);
  writeToneWav(callerWav, CALLER_HZ);
  await buildAudioPage(work.dir);
  server = await servePage(work.dir);
  kamailio = await startKamailio();
  [agentBrowser, callerBrowser] = await Promise.all([launchAudioChromium(agentWav), launchAudioChromium(callerWav)]);
  [agentPage, callerPage] = await Promise.all([openPage(agentBrowser, 'agent'), openPage(callerBrowser, 'caller')]);
  await agentPage.evaluate(
    (ms) => (globalThis as unknown as AudioTestGlobal).audioTest.agent.startEngine(ms),
    NO_AUDIO_AFTER_MS,
  );
  agent = await startAgent(kamailio, {
    createMediaFactory: () =>
      createBridgedMediaFactory(channel, {
        iceServers: [],
        iceGatheringTimeoutMs: 500,
        requestTimeoutMs: 5_000,
        logger: silentLogger,
      }),
  });
  await callerPage.evaluate(
    ([wsUrl, aor]) => (globalThis as unknown as AudioTestGlobal).audioTest.caller.register(wsUrl, aor),
    [kamailio.wsUrl, `sip:2001@${kamailio.domain}`] as const,
  );
});

afterAll(async () => {
  await callerPage
    ?.evaluate(() => (globalThis as unknown as AudioTestGlobal).audioTest.caller.stop())
    .catch(() => undefined);
  await agent?.stop();
  await Promise.all([agentBrowser?.close(), callerBrowser?.close()]);
  await server?.close();
  await kamailio?.stop();
  work?.remove();
});

describe('real audio between a WebRTC caller and the agent, through Kamailio', () => {
  it('carries both tones, silences the caller on hold, brings the tone back on resume, and notices missing audio', async () => {
    await callerPage.evaluate(
      (target) => (globalThis as unknown as AudioTestGlobal).audioTest.caller.call(target),
      `sip:1001@${kamailio.domain}`,
    );
    const ringing = await agent.waitForCall((c) => c.state === 'ringing');
    await agent.must('call:answer', { callId: ringing.id });
    await agent.waitForCall((c) => c.id === ringing.id && c.state === 'active');
    await until('the caller to be established', async () =>
      (await callerPage.evaluate(() => (globalThis as unknown as AudioTestGlobal).audioTest.caller.states())).includes(
        'Established',
      ),
    );
    const [sessionId] = await agentPage.evaluate(() =>
      (globalThis as unknown as AudioTestGlobal).audioTest.agent.sessionIds(),
    );
    expect(sessionId).toBeDefined();
    const id = sessionId!;
    expect(
      await agentPage.evaluate(() => (globalThis as unknown as AudioTestGlobal).audioTest.agent.audioElements()),
    ).toBe(1);

    // Audio flows both ways.
    await until('packets both ways', async () => {
      const a = await agentPage.evaluate(
        (s) => (globalThis as unknown as AudioTestGlobal).audioTest.agent.stats(s),
        id,
      );
      const c = await callerPage.evaluate(() => (globalThis as unknown as AudioTestGlobal).audioTest.caller.stats());
      return (a?.inbound?.packetsReceived ?? 0) > 25 && (c.inbound?.packetsReceived ?? 0) > 25;
    });
    const agentStats = await agentPage.evaluate(
      (s) => (globalThis as unknown as AudioTestGlobal).audioTest.agent.stats(s),
      id,
    );
    expect(agentStats?.connectionState).toBe('connected');
    expect(agentStats?.inbound?.codec).toBe('audio/opus');
    const [agentHears, callerHears] = await Promise.all([measureAgent(id), measureCaller()]);
    console.log(show('agent hears (active)', agentHears));
    console.log(show('caller hears (active)', callerHears));
    console.log(`ICE pair at the agent: ${agentStats?.candidatePair?.local} ↔ ${agentStats?.candidatePair?.remote}`);
    expect(agentHears.rmsDb).toBeGreaterThan(HEARD_DB);
    expect(agentHears.peakHz).toBeGreaterThan(CALLER_HZ - 15);
    expect(agentHears.peakHz).toBeLessThan(CALLER_HZ + 15);
    expect(callerHears.rmsDb).toBeGreaterThan(HEARD_DB);
    expect(callerHears.peakHz).toBeGreaterThan(AGENT_HZ - 15);
    expect(callerHears.peakHz).toBeLessThan(AGENT_HZ + 15);
    expect(callerHears.packetsPerSecond).toBeGreaterThan(30);

    // DTMF in band (RFC 4733): the engine's RTCDTMFSender takes the tones (telephone-event was negotiated).
    expect(await channel.request({ op: 'send-dtmf', sessionId: id, tones: '1#' })).toEqual({ ok: true });

    // Hold, with the caller's recorded agreement: the caller hears nothing of the agent.
    const consent = await agent.must<ConsentEntry>('call:record-consent', {
      callId: ringing.id,
      action: 'hold',
      answer: 'agreed',
    });
    await agent.must('call:hold', { callId: ringing.id, consentId: consent.id });
    await agent.waitForCall((c) => c.id === ringing.id && c.state === 'held');
    const held = await agentPage.evaluate(
      (s) => (globalThis as unknown as AudioTestGlobal).audioTest.agent.stats(s),
      id,
    );
    expect(held?.direction).toBe('inactive');
    expect(held?.currentDirection).toBe('inactive');
    // Nothing is sent on hold, not even key tones.
    expect(await channel.request({ op: 'send-dtmf', sessionId: id, tones: '1' })).toMatchObject({
      ok: false,
      error: { code: 'dtmf-unavailable' },
    });
    // Let the jitter buffer drain before listening.
    await until('the caller to stop receiving', async () => {
      const before =
        (await callerPage.evaluate(() => (globalThis as unknown as AudioTestGlobal).audioTest.caller.stats())).inbound
          ?.packetsReceived ?? 0;
      await new Promise((resolve) => setTimeout(resolve, 300));
      return (
        ((await callerPage.evaluate(() => (globalThis as unknown as AudioTestGlobal).audioTest.caller.stats())).inbound
          ?.packetsReceived ?? 0) === before
      );
    });
    const callerOnHold = await measureCaller();
    console.log(show('caller hears (held)', callerOnHold));
    expect(callerOnHold.packetsReceived).toBe(0);
    expect(callerOnHold.rmsDb).toBeLessThan(callerHears.rmsDb - HOLD_DROP_DB);
    expect(callerOnHold.rmsDb).toBeLessThan(-70);

    // Resume: the agent's tone is back.
    await agent.must('call:resume', { callId: ringing.id });
    await agent.waitForCall((c) => c.id === ringing.id && c.state === 'active');
    await until('the caller to receive again', async () => {
      const before =
        (await callerPage.evaluate(() => (globalThis as unknown as AudioTestGlobal).audioTest.caller.stats())).inbound
          ?.packetsReceived ?? 0;
      await new Promise((resolve) => setTimeout(resolve, 200));
      return (
        ((await callerPage.evaluate(() => (globalThis as unknown as AudioTestGlobal).audioTest.caller.stats())).inbound
          ?.packetsReceived ?? 0) >
        before + 5
      );
    });
    const callerResumed = await measureCaller();
    console.log(show('caller hears (resumed)', callerResumed));
    expect(callerResumed.rmsDb).toBeGreaterThan(HEARD_DB);
    expect(callerResumed.rmsDb).toBeGreaterThan(callerOnHold.rmsDb + HOLD_DROP_DB);
    expect(callerResumed.peakHz).toBeGreaterThan(AGENT_HZ - 15);
    expect(callerResumed.peakHz).toBeLessThan(AGENT_HZ + 15);
    expect(callerResumed.packetsPerSecond).toBeGreaterThan(30);

    // The watchdog: the caller stops sending without any SIP; the agent is told, then told it is back.
    expect(await agentPage.evaluate(() => (globalThis as unknown as AudioTestGlobal).audioTest.agent.events())).toEqual(
      [],
    );
    await callerPage.evaluate(() => (globalThis as unknown as AudioTestGlobal).audioTest.caller.pauseSending());
    await until('a no-audio notice', async () =>
      (await agentPage.evaluate(() => (globalThis as unknown as AudioTestGlobal).audioTest.agent.events())).some(
        (e) => e.kind === 'no-audio',
      ),
    );
    await callerPage.evaluate(() => (globalThis as unknown as AudioTestGlobal).audioTest.caller.resumeSending());
    await until('an audio-restored notice', async () =>
      (await agentPage.evaluate(() => (globalThis as unknown as AudioTestGlobal).audioTest.agent.events())).some(
        (e) => e.kind === 'audio-restored',
      ),
    );
    const events = await agentPage.evaluate(() => (globalThis as unknown as AudioTestGlobal).audioTest.agent.events());
    console.log(`media events: ${events.map((e) => `${e.kind}: ${e.message}`).join(' | ')}`);
    expect(events.map((e) => e.kind)).toEqual(['no-audio', 'audio-restored']);
    expect(events[0]?.sessionId).toBe(id);
    expect(events[0]?.message).toMatch(/no audio has arrived/);

    // Hang up: the caller's session ends and the engine closes the connection and its <audio>.
    await agent.must('call:hang-up', { callId: ringing.id });
    await until('the caller to see the BYE', async () =>
      (await callerPage.evaluate(() => (globalThis as unknown as AudioTestGlobal).audioTest.caller.states())).includes(
        'Terminated',
      ),
    );
    await until(
      'the engine to close the session',
      async () =>
        (await agentPage.evaluate(() => (globalThis as unknown as AudioTestGlobal).audioTest.agent.sessionIds()))
          .length === 0,
    );
    expect(
      await agentPage.evaluate(() => (globalThis as unknown as AudioTestGlobal).audioTest.agent.audioElements()),
    ).toBe(0);
    expect(mediaLog.filter((line) => !line.endsWith('→ ok'))).toEqual([
      expect.stringMatching(/^send-dtmf → dtmf-unavailable: /),
    ]);
    expect(mediaLog.map((line) => line.split(' ')[0])).toEqual([
      'create',
      'set-description',
      'get-description',
      'send-dtmf',
      'get-description',
      'set-description',
      'send-dtmf',
      'get-description',
      'set-description',
      'close',
    ]);
    expect(pageErrors).toEqual([]);
  });
});
