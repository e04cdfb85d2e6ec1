// @vitest-environment jsdom
/**
 * The engine's device handling, which Chromium's fake devices cannot exercise (they
 * cannot be unplugged or switched): a microphone that goes away mid-call, a device the
 * agent switches to, a speaker that disappears. The WebRTC objects are small fakes
 * behind the engine's seams (getUserMedia, createPeerConnection, enumerateDevices);
 * the negotiation itself runs in real Chromium in tests/e2e/audio*.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebRtcMediaEngine } from '../../../src/renderer/src/media/webrtc-media-engine';
import type { MediaEvent } from '../../../src/shared/media-protocol';

/** A microphone track: `unplug()` ends it the way the browser does (an `ended` event). */
class FakeTrack extends EventTarget {
  readonly kind = 'audio';
  enabled = true;
  readyState: 'live' | 'ended' = 'live';
  stopped = false;
  constructor(readonly label: string) {
    super();
  }
  clone(): FakeTrack {
    const copy = new FakeTrack(`${this.label} (clone)`);
    this.addEventListener('ended', () => {
      copy.readyState = 'ended';
    });
    return copy;
  }
  stop(): void {
    this.stopped = true;
    this.readyState = 'ended';
  }
  unplug(): void {
    this.readyState = 'ended';
    this.dispatchEvent(new Event('ended'));
  }
}

class FakeStream {
  constructor(private readonly tracks: FakeTrack[] = []) {}
  getAudioTracks(): FakeTrack[] {
    return this.tracks;
  }
  getTracks(): FakeTrack[] {
    return this.tracks;
  }
  addTrack(track: FakeTrack): void {
    this.tracks.push(track);
  }
  removeTrack(): void {}
  getTrackById(): undefined {
    return undefined;
  }
}

interface FakeTransceiver {
  direction: string;
  currentDirection: string | null;
  sender: { track: FakeTrack | null; replaceTrack(track: FakeTrack): Promise<void>; setStreams(): void; dtmf: null };
  receiver: { track: { kind: string } };
}

class FakePeerConnection extends EventTarget {
  signalingState = 'stable';
  iceGatheringState = 'complete';
  connectionState = 'new';
  iceConnectionState = 'new';
  localDescription: { type: string; sdp: string } | null = null;
  readonly transceivers: FakeTransceiver[] = [];
  getTransceivers(): FakeTransceiver[] {
    return this.transceivers;
  }
  addTransceiver(track: FakeTrack, init: { direction: string }): FakeTransceiver {
    const transceiver: FakeTransceiver = {
      direction: init.direction,
      currentDirection: null,
      sender: {
        track,
        async replaceTrack(next) {
          this.track = next;
        },
        setStreams() {},
        dtmf: null,
      },
      receiver: { track: { kind: 'audio' } },
    };
    this.transceivers.push(transceiver);
    return transceiver;
  }
  async createOffer(): Promise<{ type: string; sdp: string }> {
    return { type: 'offer', sdp: 'v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n' };
  }
  async setLocalDescription(description: { type: string; sdp: string }): Promise<void> {
    this.localDescription = description;
  }
  async getStats(): Promise<Map<string, unknown>> {
    return new Map();
  }
  close(): void {
    this.signalingState = 'closed';
  }
}

interface Harness {
  engine: WebRtcMediaEngine;
  events: MediaEvent[];
  /** Every getUserMedia call's audio constraints, and the track it gave. */
  opened: Array<{ constraints: MediaTrackConstraints; track: FakeTrack }>;
  peers: FakePeerConnection[];
  microphones: { available: boolean };
  outputs: string[];
}

function harness(options: { outputDeviceId?: string } = {}): Harness {
  const events: MediaEvent[] = [];
  const opened: Harness['opened'] = [];
  const peers: FakePeerConnection[] = [];
  const microphones = { available: true };
  const outputs = ['default', 'headset'];
  const engine = new WebRtcMediaEngine({
    onEvent: (event) => events.push(event),
    watchdog: { noAudioAfterMs: 0 },
    ...options,
    getUserMedia: async (constraints) => {
      if (!microphones.available) throw new DOMException('Requested device not found', 'NotFoundError');
      const track = new FakeTrack(`mic ${opened.length + 1}`);
      opened.push({ constraints: constraints.audio as MediaTrackConstraints, track });
      return new FakeStream([track]) as unknown as MediaStream;
    },
    createPeerConnection: () => {
      const pc = new FakePeerConnection();
      peers.push(pc);
      return pc as unknown as RTCPeerConnection;
    },
    enumerateDevices: async () =>
      outputs.map(
        (deviceId) =>
          ({ kind: 'audiooutput', deviceId, label: deviceId, groupId: '', toJSON: () => ({}) }) as MediaDeviceInfo,
      ),
  });
  return { engine, events, opened, peers, microphones, outputs };
}

/** Starts a call's audio (create, then the local offer), as the bridge does for an outgoing call. */
async function startCall(engine: WebRtcMediaEngine, sessionId: string): Promise<void> {
  expect(await engine.handle({ op: 'create', sessionId, iceServers: [], iceGatheringTimeoutMs: 50 })).toEqual({
    ok: true,
  });
  const offer = await engine.handle({ op: 'get-description', sessionId, hold: false });
  expect(offer).toMatchObject({ ok: true });
}

const flush = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
const sending = (pc: FakePeerConnection) => pc.transceivers[0]?.sender.track;
const sinks: string[] = [];

beforeEach(() => {
  (globalThis as unknown as { MediaStream: unknown }).MediaStream = FakeStream;
  sinks.length = 0;
  // jsdom's media elements cannot route audio: record where the engine sends it.
  Object.defineProperty(HTMLMediaElement.prototype, 'sinkId', { configurable: true, get: () => sinks.at(-1) ?? '' });
  (HTMLMediaElement.prototype as unknown as { setSinkId(id: string): Promise<void> }).setSinkId = async (
    id: string,
  ) => {
    sinks.push(id);
  };
});

afterEach(() => {
  delete (globalThis as unknown as { MediaStream?: unknown }).MediaStream;
  delete (HTMLMediaElement.prototype as unknown as { setSinkId?: unknown }).setSinkId;
});

describe('WebRtcMediaEngine devices', () => {
  it('keeps the call going on the default microphone when the headset is unplugged', async () => {
    const { engine, events, opened, peers } = harness();
    await startCall(engine, 's1');
    await startCall(engine, 's2');
    expect(opened).toHaveLength(1);
    const first = opened[0]!.track;
    expect(sending(peers[0]!)?.label).toBe('mic 1 (clone)');

    first.unplug();
    await flush();
    await flush();
    expect(opened).toHaveLength(2);
    // Both calls now send the new microphone, replaced in place (no re-INVITE).
    expect(sending(peers[0]!)?.label).toBe('mic 2 (clone)');
    expect(sending(peers[1]!)?.label).toBe('mic 2 (clone)');
    expect(events).toEqual([]);
  });

  it('tells the agent when no microphone is left', async () => {
    const { engine, events, microphones, opened } = harness();
    await startCall(engine, 's1');
    microphones.available = false;
    opened[0]!.track.unplug();
    await flush();
    await flush();
    expect(events).toEqual([
      expect.objectContaining({
        sessionId: 's1',
        kind: 'microphone-lost',
        message: expect.stringContaining('cannot hear you'),
      }),
    ]);
  });

  it('switches a live call to the microphone the agent chose, asking for it by id but not insisting', async () => {
    const { engine, opened, peers } = harness();
    await startCall(engine, 's1');
    await engine.useDevices({ microphoneId: 'mic-usb', speakerId: '' });
    expect(opened).toHaveLength(2);
    expect(opened[1]!.constraints).toMatchObject({ deviceId: { ideal: 'mic-usb' }, echoCancellation: true });
    expect(opened[0]!.track.stopped).toBe(true);
    expect(sending(peers[0]!)?.label).toBe('mic 2 (clone)');
    // The same choice again opens nothing new.
    await engine.useDevices({ microphoneId: 'mic-usb', speakerId: '' });
    expect(opened).toHaveLength(2);
  });

  it('plays calls on the chosen speaker, and on the default one while it is unplugged', async () => {
    const { engine, outputs } = harness();
    await startCall(engine, 's1');
    await engine.useDevices({ microphoneId: '', speakerId: 'headset' });
    expect(sinks.at(-1)).toBe('headset');
    outputs.splice(outputs.indexOf('headset'), 1);
    // What the engine's `devicechange` listener runs (jsdom has no mediaDevices to fire it).
    await (engine as unknown as { followSpeaker(): Promise<void> }).followSpeaker();
    expect(sinks.at(-1)).toBe('');
    outputs.push('headset');
    await (engine as unknown as { followSpeaker(): Promise<void> }).followSpeaker();
    expect(sinks.at(-1)).toBe('headset');
  });

  it('closes the microphone between calls only', async () => {
    const { engine, opened } = harness();
    await engine.prepare();
    await startCall(engine, 's1');
    engine.releaseMicrophone();
    await flush();
    expect(opened[0]!.track.stopped).toBe(false);
    await engine.handle({ op: 'close', sessionId: 's1' });
    engine.releaseMicrophone();
    await flush();
    expect(opened[0]!.track.stopped).toBe(true);
    // The next call opens it again.
    await startCall(engine, 's2');
    expect(opened).toHaveLength(2);
  });

  it('applies mute from the bridge to the call’s own track only', async () => {
    const { engine, peers } = harness();
    await startCall(engine, 's1');
    await startCall(engine, 's2');
    expect(await engine.handle({ op: 'set-mute', sessionId: 's1', muted: true })).toEqual({ ok: true });
    expect(sending(peers[0]!)?.enabled).toBe(false);
    expect(sending(peers[1]!)?.enabled).toBe(true);
    expect(await engine.handle({ op: 'set-mute', sessionId: 'gone', muted: true })).toMatchObject({
      ok: false,
      error: { code: 'unknown-session' },
    });
  });
});
