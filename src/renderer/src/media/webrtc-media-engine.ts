/**
 * Real audio's renderer half: answers the media bridge's requests
 * (`src/shared/media-protocol.ts`) with WebRTC. One RTCPeerConnection per SIP
 * session (per `sessionId`), one shared microphone stream acquired early, the far
 * end's audio played through an <audio> element, DTMF through RTCDTMFSender, and a
 * watchdog that notices when a call should carry audio but none arrives.
 *
 * The main process's `BridgedSessionDescriptionHandler` sends the requests; this
 * class never sees SIP. No React here: the app (or a test page) owns one engine.
 *
 * Traps of docs/webrtc-audio.md this class handles:
 * - A2: ICE servers and the gathering timeout come with each `create` (settings);
 * - A3: hold is `inactive`, so the held caller gets no packets from the microphone;
 * - A4: remote audio plays through an <audio> element, not a WebAudio graph alone;
 * - A5: audio processing is configurable (tone tests turn it off);
 * - A6: `stats()` returns the report's own timestamp for windowed measurements;
 * - A7: the watchdog raises `no-audio` because WebRTC raises nothing by itself;
 * - A8: `prepare()` acquires the microphone before the first call needs it.
 */
import '../zod-setup';
import {
  mediaRequestSchema,
  type IceServer,
  type MediaErrorCode,
  type MediaEvent,
  type MediaRequest,
  type MediaResponse,
} from '../../../shared/media-protocol';

/** Microphone processing the app uses in calls (tests turn it off: docs/webrtc-audio.md#a5). */
export const DEFAULT_AUDIO_CONSTRAINTS: MediaTrackConstraints = {
  echoCancellation: true,
  noiseSuppression: true,
  autoGainControl: true,
};

/** Watchdog defaults: check every second, complain after 4 s without a packet. */
export const DEFAULT_WATCHDOG = { intervalMs: 1_000, noAudioAfterMs: 4_000 } as const;

export interface WebRtcMediaEngineOptions {
  /** getUserMedia audio constraints; default {@link DEFAULT_AUDIO_CONSTRAINTS}. */
  audioConstraints?: MediaTrackConstraints;
  /** Media notices for the agent (no audio, connection failed, microphone lost). */
  onEvent?: (event: MediaEvent) => void;
  /** Watchdog timing; `noAudioAfterMs: 0` turns the watchdog off. */
  watchdog?: { intervalMs?: number; noAudioAfterMs?: number };
  /** Where the hidden <audio> elements go; default `document.body`. */
  audioContainer?: HTMLElement;
  /** Speaker device for `setSinkId`, where supported; '' or absent: the system default. */
  outputDeviceId?: string;
  /** Microphone to ask for first; '' or absent: the system default. */
  inputDeviceId?: string;
  /** Lists the devices (for noticing an unplugged speaker); default `navigator.mediaDevices.enumerateDevices`. */
  enumerateDevices?: () => Promise<MediaDeviceInfo[]>;
  /** Seams for unit tests; default the browser's. */
  getUserMedia?: (constraints: MediaStreamConstraints) => Promise<MediaStream>;
  createPeerConnection?: (configuration: RTCConfiguration) => RTCPeerConnection;
  now?: () => number;
}

/** One session's receive and send counters, read from getStats. */
export interface MediaStatsSnapshot {
  sessionId: string;
  /** The stats report's timestamp (ms): measure windows with this, not with sleeps (docs/webrtc-audio.md#a6). */
  timestamp: number;
  connectionState: RTCPeerConnectionState;
  iceConnectionState: RTCIceConnectionState;
  signalingState: RTCSignalingState;
  /** What the engine asked for (`inactive` while held). */
  direction: RTCRtpTransceiverDirection | null;
  /** What the last offer/answer negotiated. */
  currentDirection: RTCRtpTransceiverDirection | null;
  inbound: {
    packetsReceived: number;
    bytesReceived: number;
    packetsLost: number;
    jitter: number;
    /** Sum of level² × duration over played samples (level 0..1). */
    totalAudioEnergy: number;
    totalSamplesDuration: number;
    audioLevel: number;
    lastPacketReceivedTimestamp: number | null;
    codec: string | null;
  } | null;
  outbound: { packetsSent: number; bytesSent: number } | null;
  /** Addresses of the nominated ICE candidate pair, when there is one. */
  candidatePair: { local: string; remote: string } | null;
}

/** What the far end sent between two snapshots of the same session. */
export interface AudioWindow {
  /** Length of the window by the reports' timestamps. */
  seconds: number;
  packetsReceived: number;
  packetsPerSecond: number;
  /**
   * Mean received level in dBFS over the samples played in the window, or null
   * when nothing was played (no packets: silence).
   */
  levelDb: number | null;
}

/** Compares two snapshots of one session (see {@link WebRtcMediaEngine.stats}). */
export function audioWindow(before: MediaStatsSnapshot, after: MediaStatsSnapshot): AudioWindow {
  const seconds = Math.max(0, (after.timestamp - before.timestamp) / 1000);
  const packetsReceived = (after.inbound?.packetsReceived ?? 0) - (before.inbound?.packetsReceived ?? 0);
  const energy = (after.inbound?.totalAudioEnergy ?? 0) - (before.inbound?.totalAudioEnergy ?? 0);
  const duration = (after.inbound?.totalSamplesDuration ?? 0) - (before.inbound?.totalSamplesDuration ?? 0);
  const levelDb = duration > 0.01 && energy > 0 ? 10 * Math.log10(energy / duration) : null;
  return { seconds, packetsReceived, packetsPerSecond: seconds > 0 ? packetsReceived / seconds : 0, levelDb };
}

class EngineFailure extends Error {
  constructor(
    readonly code: MediaErrorCode,
    message: string,
  ) {
    super(message);
  }
}

interface MediaSession {
  id: string;
  pc: RTCPeerConnection;
  iceGatheringTimeoutMs: number;
  /** The agent asked for hold: keep `inactive` in every offer and answer. */
  hold: boolean;
  muted: boolean;
  transceiver: RTCRtpTransceiver | undefined;
  /** This session's clone of the microphone track (so mute is per call). */
  localTrack: MediaStreamTrack | undefined;
  localStream: MediaStream | undefined;
  remoteStream: MediaStream;
  audio: HTMLAudioElement;
  /** Requests for this session run one after another. */
  queue: Promise<unknown>;
  /** Settles when the key tones in flight have been sent (hold waits for it). */
  dtmfDone: Promise<void> | undefined;
  watch: { packets: number; progressAt: number; silent: boolean; failed: boolean; busy: boolean };
}

function describe(error: unknown): string {
  if (error instanceof DOMException || error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** The WebRTC media engine: create it once per window, hand it every bridge request. */
export class WebRtcMediaEngine {
  private readonly sessions = new Map<string, MediaSession>();
  private microphone: Promise<MediaStream> | undefined;
  private watchdogTimer: ReturnType<typeof setInterval> | undefined;
  private readonly constraints: MediaTrackConstraints;
  private readonly intervalMs: number;
  private readonly noAudioAfterMs: number;
  private readonly now: () => number;
  private inputDeviceId: string;
  private outputDeviceId: string;
  private readonly onDeviceChange = () => void this.followSpeaker();

  constructor(private readonly options: WebRtcMediaEngineOptions = {}) {
    this.constraints = options.audioConstraints ?? DEFAULT_AUDIO_CONSTRAINTS;
    this.inputDeviceId = options.inputDeviceId ?? '';
    this.outputDeviceId = options.outputDeviceId ?? '';
    globalThis.navigator?.mediaDevices?.addEventListener?.('devicechange', this.onDeviceChange);
    this.intervalMs = options.watchdog?.intervalMs ?? DEFAULT_WATCHDOG.intervalMs;
    this.noAudioAfterMs = options.watchdog?.noAudioAfterMs ?? DEFAULT_WATCHDOG.noAudioAfterMs;
    this.now = options.now ?? (() => performance.now());
  }

  /** Opens the microphone now, so the first call does not wait for it (docs/webrtc-audio.md#a8). */
  async prepare(): Promise<void> {
    await this.microphoneStream();
  }

  /** Answers one bridge request. Never throws: failures come back as `{ ok: false }`. */
  async handle(input: unknown): Promise<MediaResponse> {
    const parsed = mediaRequestSchema.safeParse(input);
    if (!parsed.success)
      return { ok: false, error: { code: 'bad-request', message: 'The media request is malformed.' } };
    const request = parsed.data;
    try {
      if (request.op === 'create') {
        this.create(request.sessionId, request.iceServers, request.iceGatheringTimeoutMs);
        return { ok: true };
      }
      if (request.op === 'close') {
        this.close(request.sessionId);
        return { ok: true };
      }
      const session = this.sessions.get(request.sessionId);
      if (!session) throw new EngineFailure('unknown-session', 'There is no audio for this call (already closed?).');
      const run = session.queue.then(() => this.run(session, request));
      session.queue = run.catch(() => undefined);
      return await run;
    } catch (error) {
      if (error instanceof EngineFailure) return { ok: false, error: { code: error.code, message: error.message } };
      return { ok: false, error: { code: 'internal', message: describe(error) } };
    }
  }

  /** Current counters of one session, or undefined when it does not exist. */
  async stats(sessionId: string): Promise<MediaStatsSnapshot | undefined> {
    const session = this.sessions.get(sessionId);
    return session ? await this.snapshot(session) : undefined;
  }

  /** The far end's audio of a session (what its <audio> element plays). */
  remoteStream(sessionId: string): MediaStream | undefined {
    return this.sessions.get(sessionId)?.remoteStream;
  }

  /** Ids of the open sessions, oldest first. */
  sessionIds(): string[] {
    return [...this.sessions.keys()];
  }

  /** Mutes the microphone of one call; the connection keeps running. */
  setMuted(sessionId: string, muted: boolean): void {
    const session = this.sessions.get(sessionId);
    if (!session) return;
    session.muted = muted;
    if (session.localTrack) session.localTrack.enabled = !muted;
  }

  /**
   * Switches devices for every call, at once: the far end's audio moves to the new
   * speaker, and each call's microphone track is replaced in place (no re-INVITE).
   * '' means the system default.
   */
  async useDevices(devices: { microphoneId: string; speakerId: string }): Promise<void> {
    if (devices.speakerId !== this.outputDeviceId) {
      this.outputDeviceId = devices.speakerId;
      await this.followSpeaker();
    }
    if (devices.microphoneId !== this.inputDeviceId) {
      this.inputDeviceId = devices.microphoneId;
      await this.reopenMicrophone();
    }
  }

  /**
   * Closes the microphone while no call has audio, so the OS stops showing it as in
   * use between calls. The next `prepare()` or call opens it again.
   */
  releaseMicrophone(): void {
    if (this.sessions.size > 0) return;
    const microphone = this.microphone;
    this.microphone = undefined;
    void microphone?.then((stream) => stream.getTracks().forEach((track) => track.stop())).catch(() => undefined);
  }

  /** Closes every session and releases the microphone. */
  dispose(): void {
    globalThis.navigator?.mediaDevices?.removeEventListener?.('devicechange', this.onDeviceChange);
    for (const id of [...this.sessions.keys()]) this.close(id);
    const microphone = this.microphone;
    this.microphone = undefined;
    void microphone?.then((stream) => stream.getTracks().forEach((track) => track.stop())).catch(() => undefined);
  }

  // ── Operations ─────────────────────────────────────────────────────────────

  private create(id: string, iceServers: IceServer[], iceGatheringTimeoutMs: number): void {
    if (this.sessions.has(id)) throw new EngineFailure('bad-request', 'This call already has audio.');
    // `balanced`, not `max-bundle`: with one audio line they negotiate the same, but
    // max-bundle makes Chromium refuse any SDP without a=group:BUNDLE, and media relays
    // strip it (Debian's rtpengine 10.5 does; tests/e2e/audio-interop.test.ts).
    const configuration: RTCConfiguration = { iceServers, bundlePolicy: 'balanced', rtcpMuxPolicy: 'require' };
    const pc = this.options.createPeerConnection?.(configuration) ?? new RTCPeerConnection(configuration);
    const audio = document.createElement('audio');
    audio.autoplay = true;
    audio.hidden = true;
    audio.dataset.mediaSession = id;
    const remoteStream = new MediaStream();
    audio.srcObject = remoteStream;
    if (this.outputDeviceId) void this.routeAudio(audio, this.outputDeviceId);
    (this.options.audioContainer ?? document.body).append(audio);
    const session: MediaSession = {
      id,
      pc,
      iceGatheringTimeoutMs,
      hold: false,
      muted: false,
      transceiver: undefined,
      localTrack: undefined,
      localStream: undefined,
      remoteStream,
      audio,
      queue: Promise.resolve(),
      dtmfDone: undefined,
      watch: { packets: 0, progressAt: this.now(), silent: false, failed: false, busy: false },
    };
    pc.addEventListener('track', (event) => {
      if (event.track.kind !== 'audio') return;
      for (const old of remoteStream.getAudioTracks()) if (old !== event.track) remoteStream.removeTrack(old);
      if (!remoteStream.getTrackById(event.track.id)) remoteStream.addTrack(event.track);
      // The element must play, or WebRTC delivers silence (docs/webrtc-audio.md#a4).
      void audio.play().catch(() => undefined);
    });
    pc.addEventListener('connectionstatechange', () => {
      if (pc.connectionState === 'failed' && !session.watch.failed && this.sessions.get(id) === session) {
        session.watch.failed = true;
        this.emit(
          session,
          'connection-failed',
          'The audio connection to the other side failed: the call has no sound.',
        );
      }
    });
    this.sessions.set(id, session);
    this.startWatchdog();
  }

  private async run(
    session: MediaSession,
    request: Exclude<MediaRequest, { op: 'create' | 'close' }>,
  ): Promise<MediaResponse> {
    switch (request.op) {
      case 'get-description':
        return { ok: true, sdp: await this.getDescription(session, request.hold, request.iceRestart === true) };
      case 'set-description':
        await this.setDescription(session, request.sdp, request.hold);
        return { ok: true };
      case 'rollback':
        await this.rollback(session);
        return { ok: true };
      case 'send-dtmf':
        this.sendDtmf(session, request.tones, request.durationMs, request.interToneGapMs);
        return { ok: true };
      case 'set-mute':
        this.setMuted(session.id, request.muted);
        return { ok: true };
    }
  }

  /** Offer (stable) or answer (after a remote offer), with ICE gathered: sip.js has no trickle ICE. */
  private async getDescription(session: MediaSession, hold: boolean, iceRestart = false): Promise<string> {
    const { pc } = session;
    session.hold = hold;
    try {
      // A local offer the far end never answered (e.g. a refused re-INVITE) is stale.
      if (pc.signalingState === 'have-local-offer') await pc.setLocalDescription({ type: 'rollback' });
      const answering = pc.signalingState === 'have-remote-offer';
      await this.attachMicrophone(session);
      await this.finishDtmf(session);
      this.applyDirection(session);
      const description = answering ? await pc.createAnswer() : await pc.createOffer({ iceRestart });
      await pc.setLocalDescription(description);
    } catch (error) {
      throw this.negotiationFailure('create the local audio description', error);
    }
    await this.iceGathered(session);
    const sdp = pc.localDescription?.sdp;
    if (!sdp) throw new EngineFailure('negotiation', 'The local audio description is empty.');
    return sdp;
  }

  private async setDescription(session: MediaSession, sdp: string, hold: boolean): Promise<void> {
    const { pc } = session;
    session.hold = hold;
    try {
      if (pc.signalingState === 'have-remote-offer') await pc.setRemoteDescription({ type: 'rollback' });
      const type: RTCSdpType = pc.signalingState === 'have-local-offer' ? 'answer' : 'offer';
      await pc.setRemoteDescription({ type, sdp });
      if (type === 'offer') {
        // The offer created the transceiver: give it our microphone and direction before the answer.
        await this.attachMicrophone(session);
        await this.finishDtmf(session);
        this.applyDirection(session);
      }
    } catch (error) {
      throw this.negotiationFailure("apply the other side's audio description", error);
    }
    // A new negotiation: the watchdog's patience starts again.
    session.watch.progressAt = this.now();
  }

  private async rollback(session: MediaSession): Promise<void> {
    const { pc } = session;
    if (pc.signalingState === 'stable' || pc.signalingState === 'closed') return;
    try {
      if (pc.signalingState === 'have-local-offer') await pc.setLocalDescription({ type: 'rollback' });
      else await pc.setRemoteDescription({ type: 'rollback' });
    } catch (error) {
      throw this.negotiationFailure('roll back the audio offer', error);
    }
  }

  private sendDtmf(session: MediaSession, tones: string, durationMs = 100, interToneGapMs = 70): void {
    const dtmf = session.transceiver?.sender.dtmf;
    if (!dtmf || !dtmf.canInsertDTMF) {
      throw new EngineFailure(
        'dtmf-unavailable',
        'This call cannot carry key tones in its audio (no telephone-event).',
      );
    }
    try {
      dtmf.insertDTMF(tones, durationMs, interToneGapMs);
    } catch (error) {
      throw new EngineFailure('dtmf-unavailable', describe(error));
    }
    // Chromium's receiver keeps playing a telephone-event whose end packets never came:
    // a hold that cuts a tone short leaves the caller hearing it after resume. So hold
    // waits for the tones in flight (measured in the audio e2e test).
    const budgetMs = dtmf.toneBuffer.length * (durationMs + interToneGapMs) + 200;
    session.dtmfDone = new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        dtmf.removeEventListener('tonechange', onTone);
        resolve();
      };
      const onTone = (event: RTCDTMFToneChangeEvent) => {
        if (event.tone === '') done();
      };
      const timer = setTimeout(done, budgetMs);
      dtmf.addEventListener('tonechange', onTone);
    });
  }

  /** Before going `inactive`, lets the key tones in flight end properly (bounded by their length). */
  private async finishDtmf(session: MediaSession): Promise<void> {
    if (!session.hold || !session.dtmfDone) return;
    await session.dtmfDone;
    session.dtmfDone = undefined;
  }

  private close(id: string): void {
    const session = this.sessions.get(id);
    if (!session) return;
    this.sessions.delete(id);
    session.localTrack?.stop();
    session.pc.close();
    session.audio.pause();
    session.audio.srcObject = null;
    session.audio.remove();
    if (this.sessions.size === 0) this.stopWatchdog();
  }

  // ── Helpers ────────────────────────────────────────────────────────────────

  /** Hold is `inactive` (docs/webrtc-audio.md#a3), never `sendonly`: the held caller hears nothing of the agent. */
  private applyDirection(session: MediaSession): void {
    const transceiver = session.transceiver;
    if (!transceiver || transceiver.currentDirection === 'stopped') return;
    const wanted: RTCRtpTransceiverDirection = session.hold ? 'inactive' : 'sendrecv';
    if (transceiver.direction !== wanted) transceiver.direction = wanted;
  }

  /** Puts this session's clone of the microphone on its audio transceiver (creating it for an offer). */
  private async attachMicrophone(session: MediaSession, replace = false): Promise<void> {
    const { pc } = session;
    const transceiver =
      session.transceiver ??
      pc.getTransceivers().find((t) => t.receiver.track.kind === 'audio' && t.currentDirection !== 'stopped');
    if (
      !replace &&
      session.localTrack &&
      session.localTrack.readyState === 'live' &&
      transceiver?.sender.track === session.localTrack
    ) {
      session.transceiver = transceiver;
      return;
    }
    const stream = await this.microphoneStream();
    const source = stream.getAudioTracks()[0];
    if (!source) throw new EngineFailure('microphone', 'The microphone gives no audio track.');
    session.localTrack?.stop();
    const track = source.clone();
    track.enabled = !session.muted;
    session.localTrack = track;
    session.localStream = new MediaStream([track]);
    if (transceiver) {
      await transceiver.sender.replaceTrack(track);
      transceiver.sender.setStreams?.(session.localStream);
      session.transceiver = transceiver;
    } else {
      session.transceiver = pc.addTransceiver(track, { direction: 'sendrecv', streams: [session.localStream] });
    }
  }

  private microphoneStream(): Promise<MediaStream> {
    const cached = this.microphone;
    if (cached) return cached;
    const getUserMedia =
      this.options.getUserMedia ??
      ((constraints: MediaStreamConstraints) => navigator.mediaDevices.getUserMedia(constraints));
    // `ideal`, not `exact`: a chosen headset that is not plugged in gives the default
    // microphone rather than no call audio at all.
    const audio: MediaTrackConstraints = this.inputDeviceId
      ? { ...this.constraints, deviceId: { ideal: this.inputDeviceId } }
      : this.constraints;
    const acquiring = getUserMedia({ audio, video: false }).then(
      (stream) => {
        const track = stream.getAudioTracks()[0];
        track?.addEventListener('ended', () => {
          if (this.microphone !== acquiring) return;
          // Unplugged: the calls go on with whatever microphone is left (the default).
          void this.reopenMicrophone().catch(() => {
            for (const session of this.sessions.values()) {
              this.emit(session, 'microphone-lost', 'The microphone stopped working: the other side cannot hear you.');
            }
          });
        });
        return stream;
      },
      (error: unknown) => {
        if (this.microphone === acquiring) this.microphone = undefined;
        throw new EngineFailure('microphone', describe(error));
      },
    );
    this.microphone = acquiring;
    return acquiring;
  }

  /**
   * Opens the microphone again (another device, or the default after an unplug) and
   * puts it on every call in place. Rejects when no microphone can be opened.
   */
  private async reopenMicrophone(): Promise<void> {
    const old = this.microphone;
    this.microphone = undefined;
    void old?.then((stream) => stream.getTracks().forEach((track) => track.stop())).catch(() => undefined);
    await this.microphoneStream();
    for (const session of this.sessions.values()) {
      if (session.localTrack) await this.attachMicrophone(session, true);
    }
  }

  /** Plays every call on the chosen speaker, or on the default while that one is unplugged. */
  private async followSpeaker(): Promise<void> {
    let target = this.outputDeviceId;
    if (target) {
      const list = this.options.enumerateDevices ?? (() => navigator.mediaDevices.enumerateDevices());
      const devices = await list().catch(() => [] as MediaDeviceInfo[]);
      if (!devices.some((device) => device.kind === 'audiooutput' && device.deviceId === target)) target = '';
    }
    await Promise.all([...this.sessions.values()].map((session) => this.routeAudio(session.audio, target)));
  }

  private async routeAudio(audio: HTMLAudioElement, deviceId: string): Promise<void> {
    if (!('setSinkId' in audio) || audio.sinkId === deviceId) return;
    await audio.setSinkId(deviceId).catch(() => audio.setSinkId('').catch(() => undefined));
  }

  /** Resolves when ICE gathering is complete or the session's timeout passed (then with what is there). */
  private iceGathered(session: MediaSession): Promise<void> {
    const { pc } = session;
    if (pc.iceGatheringState === 'complete') return Promise.resolve();
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        pc.removeEventListener('icegatheringstatechange', check);
        resolve();
      };
      const check = () => {
        if (pc.iceGatheringState === 'complete' || pc.signalingState === 'closed') finish();
      };
      const timer = setTimeout(finish, session.iceGatheringTimeoutMs);
      pc.addEventListener('icegatheringstatechange', check);
    });
  }

  private negotiationFailure(what: string, error: unknown): EngineFailure {
    if (error instanceof EngineFailure) return error;
    return new EngineFailure('negotiation', `Could not ${what}: ${describe(error)}`);
  }

  private emit(session: MediaSession, kind: MediaEvent['kind'], message: string): void {
    try {
      this.options.onEvent?.({ sessionId: session.id, kind, message, connectionState: session.pc.connectionState });
    } catch {
      // A listener's failure must not stop the engine.
    }
  }

  private async snapshot(session: MediaSession): Promise<MediaStatsSnapshot> {
    const { pc } = session;
    const report = await pc.getStats();
    let timestamp = 0;
    let inbound: MediaStatsSnapshot['inbound'] = null;
    let outbound: MediaStatsSnapshot['outbound'] = null;
    let candidatePair: MediaStatsSnapshot['candidatePair'] = null;
    const byId = new Map<string, Record<string, unknown>>();
    report.forEach((entry: Record<string, unknown>) => byId.set(String(entry.id), entry));
    const num = (value: unknown) => (typeof value === 'number' ? value : 0);
    const address = (id: unknown) => {
      const candidate = byId.get(String(id));
      return candidate ? `${String(candidate.address ?? candidate.ip ?? '?')}:${String(candidate.port ?? '?')}` : '?';
    };
    for (const entry of byId.values()) {
      timestamp = Math.max(timestamp, num(entry.timestamp));
      if (entry.type === 'inbound-rtp' && entry.kind === 'audio') {
        const codec = byId.get(String(entry.codecId));
        inbound = {
          packetsReceived: num(entry.packetsReceived),
          bytesReceived: num(entry.bytesReceived),
          packetsLost: num(entry.packetsLost),
          jitter: num(entry.jitter),
          totalAudioEnergy: num(entry.totalAudioEnergy),
          totalSamplesDuration: num(entry.totalSamplesDuration),
          audioLevel: num(entry.audioLevel),
          lastPacketReceivedTimestamp:
            typeof entry.lastPacketReceivedTimestamp === 'number' ? entry.lastPacketReceivedTimestamp : null,
          codec: typeof codec?.mimeType === 'string' ? codec.mimeType : null,
        };
      } else if (entry.type === 'outbound-rtp' && entry.kind === 'audio') {
        outbound = { packetsSent: num(entry.packetsSent), bytesSent: num(entry.bytesSent) };
      } else if (entry.type === 'candidate-pair' && entry.nominated === true && entry.state === 'succeeded') {
        candidatePair = { local: address(entry.localCandidateId), remote: address(entry.remoteCandidateId) };
      }
    }
    return {
      sessionId: session.id,
      timestamp: timestamp || this.now(),
      connectionState: pc.connectionState,
      iceConnectionState: pc.iceConnectionState,
      signalingState: pc.signalingState,
      direction: session.transceiver?.direction ?? null,
      currentDirection: session.transceiver?.currentDirection ?? null,
      inbound,
      outbound,
      candidatePair,
    };
  }

  // ── Watchdog (docs/webrtc-audio.md#a7) ─────────────────────────────────────

  private startWatchdog(): void {
    if (this.watchdogTimer !== undefined || this.noAudioAfterMs <= 0) return;
    this.watchdogTimer = setInterval(() => {
      for (const session of this.sessions.values()) void this.watch(session);
    }, this.intervalMs);
  }

  private stopWatchdog(): void {
    if (this.watchdogTimer !== undefined) clearInterval(this.watchdogTimer);
    this.watchdogTimer = undefined;
  }

  /**
   * `no-audio` when both descriptions are applied, the negotiated direction says the
   * far end sends, and no packet arrived for `noAudioAfterMs`; `audio-restored` once
   * packets flow again. Whatever ICE says: it may sit in `new` forever.
   */
  private async watch(session: MediaSession): Promise<void> {
    const { watch, pc } = session;
    if (watch.busy) return;
    watch.busy = true;
    try {
      const now = this.now();
      const current = session.transceiver?.currentDirection;
      const expectsAudio = pc.signalingState === 'stable' && (current === 'sendrecv' || current === 'recvonly');
      const stats = await this.snapshot(session);
      if (this.sessions.get(session.id) !== session) return;
      const packets = stats.inbound?.packetsReceived ?? 0;
      if (!expectsAudio) {
        // Held (either side), or a negotiation in progress: silence is expected.
        watch.packets = packets;
        watch.progressAt = now;
        return;
      }
      if (packets > watch.packets) {
        watch.packets = packets;
        watch.progressAt = now;
        if (watch.silent) {
          watch.silent = false;
          this.emit(session, 'audio-restored', 'Audio from the other side is back.');
        }
        return;
      }
      if (!watch.silent && now - watch.progressAt >= this.noAudioAfterMs) {
        watch.silent = true;
        const seconds = Number((this.noAudioAfterMs / 1000).toFixed(1));
        this.emit(
          session,
          'no-audio',
          `The call is connected but no audio has arrived for ${seconds} s (connection: ${pc.connectionState}). Check the network or call back.`,
        );
      }
    } catch {
      // Stats of a closing connection: the next round decides.
    } finally {
      watch.busy = false;
    }
  }
}
