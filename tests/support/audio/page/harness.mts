/**
 * The audio e2e test page (bundled with esbuild at test start). One page plays one
 * role:
 * - the agent's renderer: a WebRtcMediaEngine that answers the bridge requests the
 *   test forwards from the core in Node (standing in for the IPC hop);
 * - the caller: a sip.js UserAgent with sip.js's own Web SessionDescriptionHandler,
 *   registered over ws:// to Kamailio, calling the agent.
 * Each role can listen to what it receives (level and frequency) and read its stats.
 */
import { Inviter, Registerer, SessionState, UserAgent, Web, type Invitation, type Session } from 'sip.js';
import type { MediaEvent, MediaResponse } from '../../../../src/shared/media-protocol';
import {
  audioWindow,
  WebRtcMediaEngine,
  type AudioWindow,
  type MediaStatsSnapshot,
} from '../../../../src/renderer/src/media/webrtc-media-engine';
import { listen, type Heard } from './measure.mjs';

/** Tone tests turn audio processing off: it eats steady sines (docs/webrtc-audio.md#a5). */
const NO_PROCESSING: MediaTrackConstraints = {
  echoCancellation: false,
  noiseSuppression: false,
  autoGainControl: false,
};

/** What a window of listening found: the ear (analyser) and the wire (stats, by report timestamps). */
export interface Measurement extends Heard, AudioWindow {}

// ── Agent role ───────────────────────────────────────────────────────────────

let engine: WebRtcMediaEngine | undefined;
const mediaEvents: MediaEvent[] = [];

function requireEngine(): WebRtcMediaEngine {
  if (!engine) throw new Error('startEngine() first');
  return engine;
}

async function measureWith(
  stream: MediaStream | undefined,
  readStats: () => Promise<MediaStatsSnapshot | undefined>,
  windowMs: number,
): Promise<Measurement> {
  if (!stream) throw new Error('no remote stream');
  const before = await readStats();
  const heard = await listen(stream, windowMs);
  const after = await readStats();
  if (!before || !after) throw new Error('no stats');
  return { ...heard, ...audioWindow(before, after) };
}

const agent = {
  async startEngine(noAudioAfterMs: number): Promise<void> {
    engine = new WebRtcMediaEngine({
      audioConstraints: NO_PROCESSING,
      watchdog: { intervalMs: 250, noAudioAfterMs },
      onEvent: (event) => mediaEvents.push(event),
    });
    await engine.prepare();
  },
  handle: (request: unknown): Promise<MediaResponse> => requireEngine().handle(request),
  sessionIds: (): string[] => requireEngine().sessionIds(),
  stats: (sessionId: string) => requireEngine().stats(sessionId),
  events: (): MediaEvent[] => [...mediaEvents],
  audioElements: (): number => document.querySelectorAll('audio[data-media-session]').length,
  measure(sessionId: string, windowMs: number): Promise<Measurement> {
    const e = requireEngine();
    return measureWith(e.remoteStream(sessionId), () => e.stats(sessionId), windowMs);
  },
};

// ── Caller role ──────────────────────────────────────────────────────────────

let userAgent: UserAgent | undefined;
let session: Session | undefined;
const sessionStates: string[] = [];
let pausedTrack: MediaStreamTrack | null = null;
/** Wall-clock stamps (performance.timeOrigin + now) for the Answer → first audio bench. */
const stamps = { acceptedAt: 0, firstAudioAt: 0 };
const wallClock = () => performance.timeOrigin + performance.now();

/**
 * Stamps the first audio packet of the current call: Chromium keeps a remote track
 * muted until its first RTP packet arrives, then fires `unmute`.
 */
function watchFirstAudio(next: Session): void {
  const pc = (next.sessionDescriptionHandler as Web.SessionDescriptionHandler | undefined)?.peerConnection;
  const track = pc?.getReceivers().find((receiver) => receiver.track.kind === 'audio')?.track;
  if (!track || watchedTracks.has(track)) return;
  watchedTracks.add(track);
  if (!track.muted) {
    stamps.firstAudioAt ||= wallClock();
    return;
  }
  track.addEventListener(
    'unmute',
    () => {
      if (session === next) stamps.firstAudioAt ||= wallClock();
    },
    { once: true },
  );
}
const watchedTracks = new WeakSet<MediaStreamTrack>();

function callerSdh(): Web.SessionDescriptionHandler {
  const sdh = session?.sessionDescriptionHandler;
  if (!(sdh instanceof Web.SessionDescriptionHandler)) throw new Error('the call has no media yet');
  return sdh;
}

function callerPeerConnection(): RTCPeerConnection {
  const pc = callerSdh().peerConnection;
  if (!pc) throw new Error('peer connection closed');
  return pc;
}

/** Reads the caller's stats in the same shape the engine gives (only the fields the test uses). */
async function callerStats(): Promise<MediaStatsSnapshot> {
  const pc = callerPeerConnection();
  const report = await pc.getStats();
  let timestamp = 0;
  let inbound: MediaStatsSnapshot['inbound'] = null;
  let outbound: MediaStatsSnapshot['outbound'] = null;
  report.forEach((entry: Record<string, unknown>) => {
    timestamp = Math.max(timestamp, Number(entry.timestamp ?? 0));
    if (entry.type === 'inbound-rtp' && entry.kind === 'audio') {
      inbound = {
        packetsReceived: Number(entry.packetsReceived ?? 0),
        bytesReceived: Number(entry.bytesReceived ?? 0),
        packetsLost: Number(entry.packetsLost ?? 0),
        jitter: Number(entry.jitter ?? 0),
        totalAudioEnergy: Number(entry.totalAudioEnergy ?? 0),
        totalSamplesDuration: Number(entry.totalSamplesDuration ?? 0),
        audioLevel: Number(entry.audioLevel ?? 0),
        lastPacketReceivedTimestamp:
          typeof entry.lastPacketReceivedTimestamp === 'number' ? entry.lastPacketReceivedTimestamp : null,
        codec: null,
      };
    } else if (entry.type === 'outbound-rtp' && entry.kind === 'audio') {
      outbound = { packetsSent: Number(entry.packetsSent ?? 0), bytesSent: Number(entry.bytesSent ?? 0) };
    }
  });
  const transceiver = pc.getTransceivers()[0];
  return {
    sessionId: 'caller',
    timestamp,
    connectionState: pc.connectionState,
    iceConnectionState: pc.iceConnectionState,
    signalingState: pc.signalingState,
    direction: transceiver?.direction ?? null,
    currentDirection: transceiver?.currentDirection ?? null,
    inbound,
    outbound,
    candidatePair: null,
  };
}

/**
 * Takes `next` as this page's call: logs its states, plays its far end through an
 * <audio> element once established (docs/webrtc-audio.md#a4), and follows a REFER the way a phone
 * does for a blind transfer (accept, then INVITE the Refer-To target).
 */
function adopt(next: Session, label: string): void {
  session = next;
  stamps.firstAudioAt = 0;
  next.delegate = {
    onRefer: (referral) => {
      sessionStates.push('refer');
      void referral.accept().then(() => {
        const inviter = referral.makeInviter({
          sessionDescriptionHandlerOptions: { constraints: { audio: NO_PROCESSING, video: false } },
        });
        adopt(inviter, 'transferred:');
        void inviter
          .invite()
          .catch((error: unknown) => sessionStates.push(`transferred invite failed: ${String(error)}`));
      });
    },
  };
  next.stateChange.addListener((state) => {
    sessionStates.push(`${label}${state}`);
    if (state === SessionState.Establishing || state === SessionState.Established) watchFirstAudio(next);
    if (state === SessionState.Established && session === next) {
      const audio = document.createElement('audio');
      audio.autoplay = true;
      audio.srcObject = callerSdh().remoteMediaStream;
      document.body.append(audio);
      void audio.play().catch(() => undefined);
    }
  });
}

const caller = {
  /** Registers `aor`; with `answerIncoming` the page answers every call it gets (a transfer target). */
  async register(wsUrl: string, aor: string, answerIncoming = false): Promise<void> {
    const uri = UserAgent.makeURI(aor);
    if (!uri) throw new Error(`bad AOR ${aor}`);
    userAgent = new UserAgent({
      uri,
      displayName: 'WebRTC Caller',
      transportOptions: { server: wsUrl },
      // No public STUN and a short gathering timeout (docs/webrtc-audio.md#a2).
      sessionDescriptionHandlerFactoryOptions: {
        peerConnectionConfiguration: { iceServers: [] },
        iceGatheringTimeout: 500,
      },
      logBuiltinEnabled: false,
      delegate: {
        onInvite: (invitation: Invitation) => {
          if (!answerIncoming) {
            void invitation.reject().catch(() => undefined);
            return;
          }
          adopt(invitation, 'incoming:');
          stamps.acceptedAt = wallClock();
          void invitation
            .accept({ sessionDescriptionHandlerOptions: { constraints: { audio: NO_PROCESSING, video: false } } })
            .catch((error: unknown) => sessionStates.push(`accept failed: ${String(error)}`));
        },
      },
    });
    await userAgent.start();
    const registerer = new Registerer(userAgent);
    await new Promise<void>((resolve, reject) => {
      registerer.stateChange.addListener((state) => {
        if (state === 'Registered') resolve();
      });
      registerer
        .register({ requestDelegate: { onReject: (r) => reject(new Error(`REGISTER ${r.message.statusCode}`)) } })
        .catch(reject);
    });
  },
  call(target: string): void {
    if (!userAgent) throw new Error('register() first');
    const uri = UserAgent.makeURI(target);
    if (!uri) throw new Error(`bad target ${target}`);
    const inviter = new Inviter(userAgent, uri, {
      sessionDescriptionHandlerOptions: { constraints: { audio: NO_PROCESSING, video: false } },
    });
    adopt(inviter, '');
    void inviter.invite().catch((error: unknown) => sessionStates.push(`invite failed: ${String(error)}`));
  },
  states: (): string[] => [...sessionStates],
  /** When this page last accepted a call, and when the current call's first audio packet arrived (0: not yet). */
  stamps: () => ({ ...stamps, clockOffsetMs: wallClock() - Date.now() }),
  /** Ends the current call (BYE, or CANCEL while it still rings). */
  async hangUp(): Promise<void> {
    const current = session;
    if (!current) return;
    if (current.state === SessionState.Established) await current.bye();
    else if (current instanceof Inviter && current.state === SessionState.Establishing) await current.cancel();
  },
  stats: (): Promise<MediaStatsSnapshot> => callerStats(),
  measure: (windowMs: number): Promise<Measurement> =>
    measureWith(callerSdh().remoteMediaStream, callerStats, windowMs),
  /** Stops sending (no packets) without renegotiating, so the far end's watchdog has something to notice. */
  async pauseSending(): Promise<void> {
    const sender = callerPeerConnection().getSenders()[0];
    if (!sender) throw new Error('no sender');
    pausedTrack = sender.track;
    await sender.replaceTrack(null);
  },
  async resumeSending(): Promise<void> {
    const sender = callerPeerConnection().getSenders()[0];
    if (!sender) throw new Error('no sender');
    await sender.replaceTrack(pausedTrack);
  },
  async stop(): Promise<void> {
    await userAgent?.stop();
  },
};

declare global {
  interface Window {
    audioTest: { agent: typeof agent; caller: typeof caller };
  }
}

window.audioTest = { agent, caller };
