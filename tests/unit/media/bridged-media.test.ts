/**
 * The main-process half of real audio: a sip.js SessionDescriptionHandler that
 * delegates every offer, answer, hold, DTMF and close to the renderer's engine over
 * a MediaChannel. Here the channel is a fake that records requests and answers as
 * told.
 */
import type { Session } from 'sip.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  BridgedSessionDescriptionHandler,
  createBridgedMediaFactory,
  MediaError,
  type BridgedMediaOptions,
  type MediaChannel,
  type MediaRequest,
  type MediaResponse,
} from '../../../src/core/media/bridged-media';
import type { CoreLogger } from '../../../src/core/logger';

const SDP = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=sendrecv\r\n';

type Answer = (request: MediaRequest) => MediaResponse | Promise<MediaResponse>;

/** A channel that records every request and answers with `answer` (default: ok, with SDP for get-description). */
function fakeChannel(answer?: Answer) {
  const requests: MediaRequest[] = [];
  const channel: MediaChannel = {
    request: vi.fn(async (request: MediaRequest): Promise<MediaResponse> => {
      requests.push(request);
      if (answer) return await answer(request);
      return request.op === 'get-description' ? { ok: true, sdp: SDP } : { ok: true };
    }),
  };
  return { channel, requests };
}

function testLogger(): CoreLogger & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    warnings,
    debug: () => undefined,
    info: () => undefined,
    warn: (m) => warnings.push(m),
    error: (m) => warnings.push(m),
  };
}

function makeHandler(channel: MediaChannel, overrides: Partial<BridgedMediaOptions> = {}) {
  const logger = testLogger();
  const factory = createBridgedMediaFactory(channel, {
    iceServers: [],
    iceGatheringTimeoutMs: 300,
    requestTimeoutMs: 1_000,
    logger,
    ...overrides,
  });
  const handler = factory({} as Session) as BridgedSessionDescriptionHandler;
  return { handler, logger };
}

/** Lets queued promise callbacks run. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

afterEach(() => {
  vi.useRealTimers();
});

describe('createBridgedMediaFactory', () => {
  it('makes one handler per call, each with its own media session id', () => {
    const { channel } = fakeChannel();
    const factory = createBridgedMediaFactory(channel, {
      iceServers: [],
      iceGatheringTimeoutMs: 0,
      requestTimeoutMs: 10,
      logger: testLogger(),
    });
    const a = factory({} as Session) as BridgedSessionDescriptionHandler;
    const b = factory({} as Session) as BridgedSessionDescriptionHandler;
    expect(a).toBeInstanceOf(BridgedSessionDescriptionHandler);
    expect(a.mediaSessionId).not.toBe(b.mediaSessionId);
    // The factory is synchronous and lazy: nothing is sent until the first offer or answer.
    expect(channel.request).not.toHaveBeenCalled();
  });

  it('refuses nonsense timeouts', () => {
    const { channel } = fakeChannel();
    const base = { iceServers: [], iceGatheringTimeoutMs: 0, requestTimeoutMs: 10, logger: testLogger() };
    expect(() => createBridgedMediaFactory(channel, { ...base, requestTimeoutMs: 0 })).toThrow(RangeError);
    expect(() => createBridgedMediaFactory(channel, { ...base, iceGatheringTimeoutMs: -1 })).toThrow(RangeError);
  });
});

describe('BridgedSessionDescriptionHandler', () => {
  it('answers hasDescription locally, for application/sdp only', () => {
    const { channel } = fakeChannel();
    const { handler } = makeHandler(channel);
    expect(handler.hasDescription('application/sdp')).toBe(true);
    expect(handler.hasDescription('Application/SDP; charset=utf-8')).toBe(true);
    expect(handler.hasDescription('multipart/mixed')).toBe(false);
    expect(handler.hasDescription('text/plain')).toBe(false);
    expect(channel.request).not.toHaveBeenCalled();
  });

  it('answers an incoming offer: create once (with the ICE settings), set, then get', async () => {
    const { channel, requests } = fakeChannel();
    const iceServers = [{ urls: 'turn:turn.example.com:3478', username: 'u', credential: 'p' }];
    const { handler } = makeHandler(channel, { iceServers, iceGatheringTimeoutMs: 250 });
    await handler.setDescription(SDP, {});
    const answer = await handler.getDescription({});
    expect(answer).toEqual({ body: SDP, contentType: 'application/sdp' });
    const id = handler.mediaSessionId;
    expect(requests).toEqual([
      { op: 'create', sessionId: id, iceServers, iceGatheringTimeoutMs: 250 },
      { op: 'set-description', sessionId: id, sdp: SDP, hold: false },
      { op: 'get-description', sessionId: id, hold: false },
    ]);
  });

  it('passes hold through to the engine in offers and answers (the engine makes it inactive)', async () => {
    const { channel, requests } = fakeChannel();
    const { handler } = makeHandler(channel);
    await handler.getDescription({ hold: true } as never);
    await handler.setDescription(SDP, { hold: true } as never);
    await handler.getDescription({ hold: false } as never);
    expect(requests.filter((r) => r.op !== 'create')).toEqual([
      { op: 'get-description', sessionId: handler.mediaSessionId, hold: true },
      { op: 'set-description', sessionId: handler.mediaSessionId, sdp: SDP, hold: true },
      { op: 'get-description', sessionId: handler.mediaSessionId, hold: false },
    ]);
  });

  it('sends the requests of one call one after another, in order', async () => {
    const order: string[] = [];
    let releaseSet: () => void = () => undefined;
    const { channel } = fakeChannel(async (request) => {
      order.push(`start ${request.op}`);
      if (request.op === 'set-description') await new Promise<void>((resolve) => (releaseSet = resolve));
      order.push(`end ${request.op}`);
      return request.op === 'get-description' ? { ok: true, sdp: SDP } : { ok: true };
    });
    const { handler } = makeHandler(channel);
    const set = handler.setDescription(SDP);
    const get = handler.getDescription();
    await flush();
    expect(order).toEqual(['start create', 'end create', 'start set-description']);
    releaseSet();
    await Promise.all([set, get]);
    expect(order).toEqual([
      'start create',
      'end create',
      'start set-description',
      'end set-description',
      'start get-description',
      'end get-description',
    ]);
  });

  it('rejects with a clear error when the engine does not answer in time', async () => {
    vi.useFakeTimers();
    const { channel } = fakeChannel(() => new Promise<MediaResponse>(() => undefined));
    const { handler } = makeHandler(channel, { requestTimeoutMs: 2_000 });
    const pending = handler.setDescription(SDP);
    const outcome = expect(pending).rejects.toMatchObject({
      name: 'MediaError',
      code: 'timeout',
      op: 'create',
      message: 'The audio engine did not answer in time (preparing the call audio): no answer after 2000 ms',
    });
    await vi.advanceTimersByTimeAsync(2_000);
    await outcome;
  });

  it('gives get-description the ICE gathering time on top of the request timeout', async () => {
    vi.useFakeTimers();
    const { channel } = fakeChannel((request) =>
      request.op === 'get-description' ? new Promise<MediaResponse>(() => undefined) : { ok: true },
    );
    const { handler } = makeHandler(channel, { requestTimeoutMs: 1_000, iceGatheringTimeoutMs: 500 });
    let settled: unknown;
    handler.getDescription().then(
      () => (settled = 'resolved'),
      (error: unknown) => (settled = error),
    );
    await vi.advanceTimersByTimeAsync(1_400);
    expect(settled).toBeUndefined();
    await vi.advanceTimersByTimeAsync(200);
    expect(settled).toBeInstanceOf(MediaError);
    expect((settled as MediaError).code).toBe('timeout');
    expect((settled as MediaError).message).toContain('no answer after 1500 ms');
  });

  it("turns the engine's failures into messages for the agent", async () => {
    const { channel } = fakeChannel((request) =>
      request.op === 'create'
        ? { ok: false, error: { code: 'microphone', message: 'NotAllowedError: Permission denied' } }
        : { ok: true },
    );
    const { handler } = makeHandler(channel);
    await expect(handler.getDescription()).rejects.toMatchObject({
      code: 'microphone',
      message: 'The microphone could not be opened (preparing the call audio): NotAllowedError: Permission denied',
    });
  });

  it('reports a negotiation failure from set-description', async () => {
    const { channel } = fakeChannel((request) =>
      request.op === 'set-description'
        ? {
            ok: false,
            error: { code: 'negotiation', message: 'Could not apply: InvalidAccessError: no DTLS fingerprint' },
          }
        : { ok: true },
    );
    const { handler } = makeHandler(channel);
    const error = await handler.setDescription(SDP).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MediaError);
    expect((error as Error).message).toBe(
      "The audio could not be negotiated with the other side (applying the other side's audio description): Could not apply: InvalidAccessError: no DTLS fingerprint",
    );
  });

  it('rejects when the channel itself fails (renderer gone)', async () => {
    const { channel } = fakeChannel(() => Promise.reject(new Error('window closed')));
    const { handler } = makeHandler(channel);
    await expect(handler.getDescription()).rejects.toMatchObject({
      code: 'channel',
      message: 'The audio engine cannot be reached (preparing the call audio): window closed',
    });
  });

  it('rejects when the channel throws synchronously', async () => {
    const channel: MediaChannel = {
      request: () => {
        throw new Error('not connected');
      },
    };
    const { handler } = makeHandler(channel);
    await expect(handler.getDescription()).rejects.toMatchObject({ code: 'channel' });
  });

  it('rejects malformed answers and descriptions without audio', async () => {
    const garbage = fakeChannel(() => ({ ok: 'yes' }) as unknown as MediaResponse);
    await expect(makeHandler(garbage.channel).handler.getDescription()).rejects.toMatchObject({ code: 'bad-response' });

    const noSdp = fakeChannel(() => ({ ok: true }));
    await expect(makeHandler(noSdp.channel).handler.getDescription()).rejects.toMatchObject({
      code: 'bad-response',
      op: 'get-description',
    });

    const video = fakeChannel((r) =>
      r.op === 'get-description' ? { ok: true, sdp: 'v=0\r\nm=video 9 RTP/AVP 96\r\n' } : { ok: true },
    );
    await expect(makeHandler(video.channel).handler.getDescription()).rejects.toMatchObject({ code: 'bad-response' });
  });

  it('refuses a remote description without audio before asking the engine', async () => {
    const { channel, requests } = fakeChannel();
    const { handler } = makeHandler(channel);
    await expect(handler.setDescription('v=0\r\nm=video 9 RTP/AVP 96\r\n')).rejects.toMatchObject({
      code: 'negotiation',
    });
    expect(requests).toEqual([]);
  });

  it('refuses SDP modifiers (functions cannot cross to the renderer)', async () => {
    const { channel, requests } = fakeChannel();
    const { handler } = makeHandler(channel);
    const modifier = (d: RTCSessionDescriptionInitLike) => Promise.resolve(d);
    await expect(handler.getDescription({}, [modifier])).rejects.toMatchObject({ code: 'bad-request' });
    expect(requests).toEqual([]);
  });

  it('keeps working after a failed request', async () => {
    let fail = true;
    const { channel } = fakeChannel((request) => {
      if (request.op === 'set-description' && fail) {
        fail = false;
        return { ok: false, error: { code: 'negotiation', message: 'bad offer' } };
      }
      return request.op === 'get-description' ? { ok: true, sdp: SDP } : { ok: true };
    });
    const { handler } = makeHandler(channel);
    await expect(handler.setDescription(SDP)).rejects.toThrow('bad offer');
    await expect(handler.getDescription()).resolves.toMatchObject({ body: SDP });
  });

  describe('sendDtmf', () => {
    it('returns false while there is no media yet (the phone then uses SIP INFO)', () => {
      const { channel } = fakeChannel();
      const { handler } = makeHandler(channel);
      expect(handler.sendDtmf('1')).toBe(false);
      expect(channel.request).not.toHaveBeenCalled();
    });

    it('fires an RFC 4733 request and returns true at once', async () => {
      const { channel, requests } = fakeChannel();
      const { handler } = makeHandler(channel);
      await handler.getDescription();
      expect(handler.sendDtmf('12#', { duration: 120, interToneGap: 80 })).toBe(true);
      await flush();
      expect(requests.at(-1)).toEqual({
        op: 'send-dtmf',
        sessionId: handler.mediaSessionId,
        tones: '12#',
        durationMs: 120,
        interToneGapMs: 80,
      });
      expect(handler.sendDtmf('5')).toBe(true);
      await flush();
      expect(requests.at(-1)).toEqual({ op: 'send-dtmf', sessionId: handler.mediaSessionId, tones: '5' });
    });

    it('logs a DTMF failure instead of throwing', async () => {
      const { channel } = fakeChannel((request) =>
        request.op === 'send-dtmf'
          ? { ok: false, error: { code: 'dtmf-unavailable', message: 'no telephone-event' } }
          : request.op === 'get-description'
            ? { ok: true, sdp: SDP }
            : { ok: true },
      );
      const { handler, logger } = makeHandler(channel);
      await handler.getDescription();
      expect(handler.sendDtmf('9')).toBe(true);
      await flush();
      expect(logger.warnings).toEqual([
        'DTMF in the audio failed: Key tones cannot be sent in the audio of this call (sending key tones): no telephone-event',
      ]);
    });
  });

  describe('rollbackDescription', () => {
    it('asks nothing of the engine before any media exists', async () => {
      const { channel } = fakeChannel();
      const { handler } = makeHandler(channel);
      await handler.rollbackDescription();
      expect(channel.request).not.toHaveBeenCalled();
    });

    it('rolls back a refused offer in the engine', async () => {
      const { channel, requests } = fakeChannel();
      const { handler } = makeHandler(channel);
      await handler.getDescription({ hold: true } as never);
      await handler.rollbackDescription();
      expect(requests.at(-1)).toEqual({ op: 'rollback', sessionId: handler.mediaSessionId });
    });
  });

  describe('close', () => {
    it('closes the engine session once, and refuses later requests', async () => {
      const { channel, requests } = fakeChannel();
      const { handler } = makeHandler(channel);
      await handler.getDescription();
      handler.close();
      handler.close();
      await flush();
      expect(requests.filter((r) => r.op === 'close')).toEqual([{ op: 'close', sessionId: handler.mediaSessionId }]);
      expect(handler.isClosed).toBe(true);
      await expect(handler.getDescription()).rejects.toMatchObject({
        code: 'closed',
        message: 'The audio of this call is already closed (creating the local audio description).',
      });
      expect(handler.sendDtmf('1')).toBe(false);
    });

    it('sends nothing when no media was ever created', async () => {
      const { channel } = fakeChannel();
      const { handler } = makeHandler(channel);
      handler.close();
      await flush();
      expect(channel.request).not.toHaveBeenCalled();
    });

    it('waits for a pending create, so the engine never keeps an orphan connection', async () => {
      let releaseCreate: () => void = () => undefined;
      const { channel, requests } = fakeChannel(async (request) => {
        if (request.op === 'create') await new Promise<void>((resolve) => (releaseCreate = resolve));
        return { ok: true };
      });
      const { handler } = makeHandler(channel);
      const pending = handler.setDescription(SDP);
      await flush();
      handler.close();
      await flush();
      expect(requests.map((r) => r.op)).toEqual(['create']);
      releaseCreate();
      await expect(pending).rejects.toMatchObject({ code: 'closed' });
      await flush();
      expect(requests.map((r) => r.op)).toEqual(['create', 'close']);
    });

    it('logs a failed close', async () => {
      const { channel } = fakeChannel((request) =>
        request.op === 'close' ? Promise.reject(new Error('gone')) : { ok: true },
      );
      const { handler, logger } = makeHandler(channel);
      await handler.setDescription(SDP);
      handler.close();
      await flush();
      await flush();
      expect(logger.warnings).toEqual([
        'Closing the call audio failed: The audio engine cannot be reached (closing the call audio): gone',
      ]);
    });
  });
});

describe('audio controls for the phone', () => {
  it('asks the engine for an ICE restart only when the options say so', async () => {
    const { channel, requests } = fakeChannel();
    const { handler } = makeHandler(channel);
    await handler.getDescription({ hold: false, iceRestart: true } as never);
    await handler.getDescription({ hold: true } as never);
    const descriptions = requests.filter((r) => r.op === 'get-description');
    expect(descriptions).toEqual([
      { op: 'get-description', sessionId: handler.mediaSessionId, hold: false, iceRestart: true },
      { op: 'get-description', sessionId: handler.mediaSessionId, hold: true },
    ]);
  });

  it('mutes through the engine once the call has audio, and does nothing before', async () => {
    const { channel, requests } = fakeChannel();
    const { handler } = makeHandler(channel);
    await handler.setMuted(true);
    expect(requests).toEqual([]);
    await handler.setDescription(SDP);
    await handler.setMuted(true);
    expect(requests.at(-1)).toEqual({ op: 'set-mute', sessionId: handler.mediaSessionId, muted: true });
  });

  it('reports a failed mute, so the view never says muted while the caller still hears the agent', async () => {
    const { channel } = fakeChannel((request) =>
      request.op === 'set-mute' ? { ok: false, error: { code: 'internal', message: 'track gone' } } : { ok: true },
    );
    const { handler } = makeHandler(channel);
    await handler.setDescription(SDP);
    await expect(handler.setMuted(true)).rejects.toMatchObject({ code: 'internal', op: 'set-mute' });
  });

  it('sends in-band DTMF and rejects when the call cannot carry it, so the phone falls back to SIP INFO', async () => {
    const { channel, requests } = fakeChannel((request) =>
      request.op === 'send-dtmf' && request.tones === '9'
        ? { ok: false, error: { code: 'dtmf-unavailable', message: 'no telephone-event' } }
        : request.op === 'get-description'
          ? { ok: true, sdp: SDP }
          : { ok: true },
    );
    const { handler } = makeHandler(channel);
    await expect(handler.sendDtmfInBand('1')).rejects.toMatchObject({ code: 'dtmf-unavailable' });
    expect(requests).toEqual([]);
    await handler.setDescription(SDP);
    await handler.sendDtmfInBand('12#');
    expect(requests.at(-1)).toEqual({ op: 'send-dtmf', sessionId: handler.mediaSessionId, tones: '12#' });
    await expect(handler.sendDtmfInBand('9')).rejects.toMatchObject({ code: 'dtmf-unavailable' });
  });

  it('is found by audioControlsOf; the signalling-only handler is not', async () => {
    const { audioControlsOf } = await import('../../../src/core/media/bridged-media');
    const { createSignallingMediaFactory } = await import('../../../src/core/phone/signalling-media');
    const { handler } = makeHandler(fakeChannel().channel);
    expect(audioControlsOf(handler)).toBe(handler);
    expect(audioControlsOf(createSignallingMediaFactory()({} as Session, {}))).toBeUndefined();
    expect(audioControlsOf(undefined)).toBeUndefined();
  });
});

/** The shape sip.js hands to modifiers (kept local: the node test project has no DOM types). */
interface RTCSessionDescriptionInitLike {
  sdp?: string;
  type: string;
}
