/**
 * Interop (issue #7, item 5): the agent's WebRTC audio reaches a caller on plain RTP, the way a
 * call-centre PBX bridges WebRTC to its trunks and desk phones.
 * - the agent: the real AppCore in Node, registered over ws:// to Kamailio, with the bridged media
 *   factory driving the WebRtcMediaEngine in Debian's Chromium (as in audio.test.ts); its fake
 *   microphone plays 440 Hz;
 * - the PBX: Kamailio with its rtpengine module, and a user-space rtpengine (Debian's
 *   rtpengine-daemon) that turns the agent's ICE + DTLS-SRTP + rtcp-mux into plain RTP/AVP and back
 *   (tests/support/kamailio.ts `rtpengine` option, tests/support/rtpengine.ts);
 * - the caller: SIPp over UDP (tests/sipp/caller-plain-rtp.xml) offering only PCMU on RTP/AVP and
 *   sending a 1000 Hz PCMU tone with play_pcap_audio. What reaches the caller is recorded by a
 *   Node UDP socket on the caller's announced RTP port and decoded there
 *   (tests/support/audio/rtp-listener.ts explains why SIPp cannot report it itself).
 *
 * Asserted: the agent hears the caller's tone (level, frequency) and the caller hears the agent's
 * (level, frequency, packet rate), both through rtpengine's ports; the agent gets WebRTC SDP and
 * the caller plain-RTP SDP (SIPp checks its side); on hold (consent recorded first) no agent audio
 * reaches the caller, and after resume it does again; hang-up ends the call everywhere, rtpengine
 * included. The agent takes the SDP exactly as Debian's rtpengine 10.5 writes it: with no BUNDLE
 * group, which a `max-bundle` peer connection would refuse (the engine uses `balanced`).
 *
 * Loopback only, no network namespace: as in audio.test.ts, Chromium with
 * --allow-loopback-in-peer-connection pairs 127.0.0.1 with rtpengine's 127.0.0.1 candidate.
 */
import type { Browser, Page } from 'playwright-core';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBridgedMediaFactory, type MediaChannel } from '../../src/core/media/bridged-media';
import { silentLogger } from '../../src/core/logger';
import type { ConsentEntry } from '../../src/shared/contract';
import type { MediaRequest, MediaResponse } from '../../src/shared/media-protocol';
import { buildAudioPage, launchAudioChromium, makeAudioDir, servePage, writeToneWav } from '../support/audio/audio-bed';
import type { AudioTestGlobal, Measurement } from '../support/audio/page-api';
import { writePcmuTonePcap } from '../support/audio/pcmu';
import { listenForRtp, type RtpListener, type RtpWindow } from '../support/audio/rtp-listener';
import { startAgent, type TestAgent } from '../support/agent';
import { startKamailio, type Kamailio } from '../support/kamailio';
import { startRtpEngine, type RtpEngine } from '../support/rtpengine';
import { formatSippResult, runSipp, type SippRun } from '../support/sipp';

const AGENT_HZ = 440;
const CALLER_HZ = 1_000;
/** Each listening window. */
const WINDOW_MS = 1_200;
/** Frequency tolerance: the browser's analyser bins are 5.9 Hz wide, the Node DFT's 1 Hz. */
const HZ_TOLERANCE = 15;
/** A tone is "heard" above this RMS level (both generated tones are about −9 dBFS RMS). */
const HEARD_DB = -40;
/** On hold the caller gets no agent audio: at least this far below the live level. */
const HOLD_DROP_DB = 40;
/** PCMU at 20 ms is 50 packets/s; well below that means audio is missing. */
const MIN_PACKET_RATE = 30;

let rtpengine: RtpEngine;
let kamailio: Kamailio;
let agent: TestAgent;
let agentBrowser: Browser;
let agentPage: Page;
let server: { url: string; close: () => Promise<void> };
let work: { dir: string; remove: () => void };
let callerVoice: string;
const sipps: SippRun[] = [];
const ears: RtpListener[] = [];
const cleanups: (() => Promise<void>)[] = [];
const pageErrors: string[] = [];
const mediaLog: string[] = [];
/** Every SDP the engine was given (set-description), in order. */
const remoteSdps: string[] = [];

/** Forwards the core's media requests into the agent page's engine: the IPC hop's stand-in. */
const channel: MediaChannel = {
  async request(request: MediaRequest): Promise<MediaResponse> {
    if (request.op === 'set-description') remoteSdps.push(request.sdp);
    const response = await agentPage.evaluate(
      (r) => (globalThis as unknown as AudioTestGlobal).audioTest.agent.handle(r),
      request,
    );
    mediaLog.push(`${request.op} → ${response.ok ? 'ok' : `${response.error.code}: ${response.error.message}`}`);
    return response;
  },
};

const mediaFactory = () =>
  createBridgedMediaFactory(channel, {
    iceServers: [],
    iceGatheringTimeoutMs: 500,
    requestTimeoutMs: 5_000,
    logger: silentLogger,
  });
const engineSessions = () =>
  agentPage.evaluate(() => (globalThis as unknown as AudioTestGlobal).audioTest.agent.sessionIds());
const agentStats = (sessionId: string) =>
  agentPage.evaluate((s) => (globalThis as unknown as AudioTestGlobal).audioTest.agent.stats(s), sessionId);
const measureAgent = (sessionId: string) =>
  agentPage.evaluate(([id, ms]) => (globalThis as unknown as AudioTestGlobal).audioTest.agent.measure(id, ms), [
    sessionId,
    WINDOW_MS,
  ] as const);

const showAgent = (label: string, m: Measurement) =>
  `${label}: rms ${m.rmsDb.toFixed(1)} dBFS, peak ${m.peakHz?.toFixed(1) ?? '-'} Hz, stats level ${m.levelDb?.toFixed(1) ?? '-'} dB, ` +
  `${m.packetsPerSecond.toFixed(1)} pkt/s over ${m.seconds.toFixed(2)} s`;
const showCaller = (label: string, m: RtpWindow) =>
  `${label}: rms ${m.rmsDb.toFixed(1)} dBFS, peak ${m.peakHz?.toFixed(1) ?? '-'} Hz, ${m.packets} RTP packets ` +
  `(${m.packetsPerSecond.toFixed(1)} pkt/s, PT ${m.payloadTypes.join(',') || '-'}) over ${m.seconds.toFixed(2)} s from ${m.senders.join(', ') || '-'}`;

/** Polls until `probe` returns true (bounded by a deadline, not a fixed sleep). */
async function until(what: string, probe: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out waiting for ${what}; media log: ${mediaLog.join(' | ')}\n--- rtpengine:\n${rtpengine.logs().slice(-6_000)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** True if `address` ("ip:port") is one of rtpengine's media ports. */
function relayedByRtpengine(address: string | undefined): boolean {
  const port = Number(address?.split(':').pop());
  return port >= rtpengine.mediaPortMin && port <= rtpengine.mediaPortMax;
}

/** A SIPp caller on plain RTP calling `user`, and a socket on its RTP port to hear what it gets. */
async function plainRtpCaller(via: Kamailio, user: string): Promise<{ sipp: SippRun; ear: RtpListener }> {
  const sipp = runSipp({
    scenario: 'caller-plain-rtp.xml',
    kamailio: via,
    service: user,
    keys: { pcap: callerVoice },
    recvTimeoutMs: 30_000,
    timeoutMs: 60_000,
  });
  sipps.push(sipp);
  // The port on the caller's m=audio line, from which SIPp also sends (see the scenario). Nothing
  // reaches it before the agent answers, so binding it after SIPp starts is not a race.
  const ear = await listenForRtp(sipp.mediaPort + 1);
  ears.push(ear);
  return { sipp, ear };
}

beforeAll(async () => {
  work = makeAudioDir();
  const agentWav = join(work.dir, `agent-${AGENT_HZ}.wav`);
  writeToneWav(agentWav, AGENT_HZ);
  // Longer than any call here: SIPp plays it once, in real time.
  callerVoice = join(work.dir, `caller-${CALLER_HZ}-pcmu.pcap`);
  writePcmuTonePcap(callerVoice, { frequencyHz: CALLER_HZ, seconds: 60 });
  await buildAudioPage(work.dir);
  server = await servePage(work.dir);
  // rtpengine first: Kamailio's module checks it at startup.
  rtpengine = await startRtpEngine();
  kamailio = await startKamailio({ rtpengine: { ngSocket: rtpengine.ngSocket } });
  agentBrowser = await launchAudioChromium(agentWav);
  agentPage = await agentBrowser.newPage();
  agentPage.on('pageerror', (error) => pageErrors.push(error.message));
  await agentPage.goto(server.url);
  await agentPage.waitForFunction(() => 'audioTest' in globalThis);
  await agentPage.evaluate(() => (globalThis as unknown as AudioTestGlobal).audioTest.agent.startEngine(1_500));
  agent = await startAgent(kamailio, { createMediaFactory: mediaFactory });
});

afterAll(async () => {
  await Promise.all(sipps.map((run) => run.kill()));
  await Promise.all(ears.map((ear) => ear.close()));
  for (const cleanup of cleanups.reverse()) await cleanup();
  await agent?.stop();
  await agentBrowser?.close();
  await server?.close();
  await kamailio?.stop();
  await rtpengine?.stop();
  work?.remove();
});

describe('interop: a plain-RTP caller and the WebRTC agent through Kamailio + rtpengine', () => {
  it('carries PCMU both ways through rtpengine, silences the caller on hold, resumes, and hangs up cleanly', async () => {
    const { sipp, ear } = await plainRtpCaller(kamailio, '1001');
    const ringing = await agent.waitForCall((c) => c.state === 'ringing');
    await agent.must('call:answer', { callId: ringing.id });
    await agent.waitForCall((c) => c.id === ringing.id && c.state === 'active');
    const [id] = await engineSessions();
    if (!id) throw new Error(`the engine has no session; media log: ${mediaLog.join(' | ')}`);

    // The agent was offered WebRTC by rtpengine: its ICE candidate, DTLS-SRTP, rtcp-mux, and the
    // caller's only codec, PCMU (no transcoding).
    const offer = remoteSdps[0] ?? '';
    expect(offer).toMatch(/^m=audio \d+ (UDP\/TLS\/)?RTP\/SAVPF 0 101\r?$/m);
    expect(offer).toMatch(/^a=fingerprint:sha-256 /m);
    expect(offer).toMatch(/^a=ice-ufrag:/m);
    expect(offer).toMatch(/^a=rtcp-mux\r?$/m);
    // rtpengine 10.5 strips the BUNDLE group; the engine must take the SDP as it is.
    expect(offer).not.toMatch(/^a=group:BUNDLE/m);
    expect(offer).not.toMatch(/^a=crypto:/m);
    const candidatePorts = [...offer.matchAll(/^a=candidate:\S+ 1 UDP \d+ 127\.0\.0\.1 (\d+) typ host/gim)].map(
      (m) => `127.0.0.1:${m[1]}`,
    );
    expect(candidatePorts.length).toBeGreaterThan(0);
    expect(candidatePorts.every(relayedByRtpengine)).toBe(true);

    // Audio flows both ways, through rtpengine. (SIPp ending here means it could not play: its
    // play_pcap_audio needs a raw socket, i.e. root or CAP_NET_RAW; its output says why.)
    let sippEnded = false;
    void sipp.done.then(() => (sippEnded = true));
    await until('packets both ways', async () => {
      if (sippEnded) throw new Error(`SIPp ended during the call:\n${formatSippResult(await sipp.done)}`);
      return ((await agentStats(id))?.inbound?.packetsReceived ?? 0) > 25 && ear.count() > 25;
    });
    const live = await agentStats(id);
    console.log(
      `agent's ICE pair: ${live?.candidatePair?.local} ↔ ${live?.candidatePair?.remote}; rtpengine media ports ${rtpengine.mediaPortMin}-${rtpengine.mediaPortMax}`,
    );
    expect(live?.connectionState).toBe('connected');
    expect(live?.inbound?.codec).toBe('audio/PCMU');
    expect(relayedByRtpengine(live?.candidatePair?.remote)).toBe(true);
    expect(await rtpengine.calls()).toHaveLength(1);

    const [agentHears, callerHears] = await Promise.all([measureAgent(id), ear.listen(WINDOW_MS)]);
    console.log(showAgent('agent hears (active)', agentHears));
    console.log(showCaller('caller hears (active)', callerHears));
    expect(agentHears.rmsDb).toBeGreaterThan(HEARD_DB);
    expect(agentHears.peakHz).toBeGreaterThan(CALLER_HZ - HZ_TOLERANCE);
    expect(agentHears.peakHz).toBeLessThan(CALLER_HZ + HZ_TOLERANCE);
    expect(agentHears.packetsPerSecond).toBeGreaterThan(MIN_PACKET_RATE);
    expect(callerHears.rmsDb).toBeGreaterThan(HEARD_DB);
    expect(callerHears.peakHz).toBeGreaterThan(AGENT_HZ - HZ_TOLERANCE);
    expect(callerHears.peakHz).toBeLessThan(AGENT_HZ + HZ_TOLERANCE);
    expect(callerHears.packetsPerSecond).toBeGreaterThan(MIN_PACKET_RATE);
    expect(callerHears.payloadTypes).toEqual([0]);
    expect(callerHears.senders).toHaveLength(1);
    expect(relayedByRtpengine(callerHears.senders[0])).toBe(true);

    // Hold, with the caller's recorded agreement: no agent audio reaches the caller.
    const consent = await agent.must<ConsentEntry>('call:record-consent', {
      callId: ringing.id,
      action: 'hold',
      answer: 'agreed',
    });
    await agent.must('call:hold', { callId: ringing.id, consentId: consent.id });
    await agent.waitForCall((c) => c.id === ringing.id && c.state === 'held');
    expect((await agentStats(id))?.currentDirection).toBe('inactive');
    // Packets already on their way may still land: wait until 300 ms pass without one.
    await until('the caller to stop receiving', () => performance.now() - (ear.lastPacketAt() ?? 0) > 300);
    const callerOnHold = await ear.listen(WINDOW_MS);
    console.log(showCaller('caller hears (held)', callerOnHold));
    expect(callerOnHold.packets).toBe(0);
    expect(callerOnHold.rmsDb).toBeLessThan(callerHears.rmsDb - HOLD_DROP_DB);

    // Resume: the agent's voice is back at the caller, and the caller's at the agent.
    await agent.must('call:resume', { callId: ringing.id });
    await agent.waitForCall((c) => c.id === ringing.id && c.state === 'active');
    const beforeResume = ear.count();
    await until('the caller to receive again', () => ear.count() > beforeResume + 10);
    const [agentResumed, callerResumed] = await Promise.all([measureAgent(id), ear.listen(WINDOW_MS)]);
    console.log(showAgent('agent hears (resumed)', agentResumed));
    console.log(showCaller('caller hears (resumed)', callerResumed));
    expect(callerResumed.rmsDb).toBeGreaterThan(HEARD_DB);
    expect(callerResumed.rmsDb).toBeGreaterThan(callerOnHold.rmsDb + HOLD_DROP_DB);
    expect(callerResumed.peakHz).toBeGreaterThan(AGENT_HZ - HZ_TOLERANCE);
    expect(callerResumed.peakHz).toBeLessThan(AGENT_HZ + HZ_TOLERANCE);
    expect(callerResumed.packetsPerSecond).toBeGreaterThan(MIN_PACKET_RATE);
    expect(agentResumed.rmsDb).toBeGreaterThan(HEARD_DB);
    expect(agentResumed.peakHz).toBeGreaterThan(CALLER_HZ - HZ_TOLERANCE);
    expect(agentResumed.peakHz).toBeLessThan(CALLER_HZ + HZ_TOLERANCE);

    // Hang up: SIPp gets the BYE and passes all its SDP checks; the engine and rtpengine let go.
    await agent.must('call:hang-up', { callId: ringing.id });
    const result = await sipp.done;
    expect(result.passed, formatSippResult(result)).toBe(true);
    await until('the engine to close the session', async () => (await engineSessions()).length === 0);
    expect(
      await agentPage.evaluate(() => (globalThis as unknown as AudioTestGlobal).audioTest.agent.audioElements()),
    ).toBe(0);
    await until('rtpengine to delete the call', async () => (await rtpengine.calls()).length === 0);
    expect(mediaLog.filter((line) => !line.endsWith('→ ok'))).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
