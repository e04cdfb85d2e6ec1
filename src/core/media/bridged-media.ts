/**
 * Real audio's main-process half: a sip.js SessionDescriptionHandler whose work is
 * done by the renderer's WebRTC engine (`src/renderer/src/media/webrtc-media-engine.ts`)
 * over a {@link MediaChannel}. The SIP session stays in the main process; the
 * RTCPeerConnection, the microphone and the speaker stay in the renderer.
 *
 * The sip.js contract (docs/sipjs-pitfalls.md#s13) shapes this handler:
 * - the factory is synchronous, so the engine's peer connection is created lazily,
 *   with the first offer or answer;
 * - `hasDescription` and `sendDtmf` are synchronous, so they answer locally
 *   (`sendDtmf` only fires the request; the phone keeps SIP INFO as fallback);
 * - SDP modifiers are functions and cannot cross IPC: they are not supported;
 * - a request that fails or times out rejects with an Error that says what went
 *   wrong in words the agent can read; sip.js then answers 488 or ends the call.
 *
 * Hold: `options.hold === true` (set by the phone in
 * `sessionDescriptionHandlerOptionsReInvite`) asks the engine for `inactive`, never
 * `sendonly`: on hold the caller must not hear the agent's microphone
 * (docs/webrtc-audio.md#a3).
 */
import { randomUUID } from 'node:crypto';
import {
  SessionState,
  type BodyAndContentType,
  type Session,
  type SessionDescriptionHandler,
  type SessionDescriptionHandlerFactory,
  type SessionDescriptionHandlerOptions,
} from 'sip.js';
import {
  mediaResponseSchema,
  type IceServer,
  type MediaErrorCode,
  type MediaOp,
  type MediaRequest,
  type MediaResponse,
} from '../../shared/media-protocol';
import type { CoreLogger } from '../logger';

export type { IceServer, MediaEvent, MediaRequest, MediaResponse } from '../../shared/media-protocol';

/**
 * The hop to the renderer's media engine (IPC in Electron, the WebSocket in the web
 * host, `page.evaluate` in tests). Requests and responses are plain JSON. A channel
 * may reject (the renderer is gone); the handler turns that into a clear error.
 */
export interface MediaChannel {
  request(op: MediaRequest): Promise<MediaResponse>;
}

/** Settings for {@link createBridgedMediaFactory}; ICE settings come from the app's settings. */
export interface BridgedMediaOptions {
  /** STUN/TURN servers; empty means host candidates only. There is no public default (docs/webrtc-audio.md#a2). */
  iceServers: IceServer[];
  /** How long the engine waits for ICE gathering before it sends what it has. */
  iceGatheringTimeoutMs: number;
  /**
   * How long any request may take before the handler gives up. A get-description
   * may take `iceGatheringTimeoutMs` longer, since it waits for gathering.
   */
  requestTimeoutMs: number;
  logger: CoreLogger;
}

/** Options sip.js passes through to the handler; `hold` and `iceRestart` come from the phone's re-INVITE options. */
export interface BridgedMediaSdhOptions extends SessionDescriptionHandlerOptions {
  hold?: boolean;
  iceRestart?: boolean;
}

/**
 * What the phone can ask of a call's audio beyond sip.js's handler contract. The
 * signalling-only seam has none of it; the phone checks with {@link audioControlsOf}.
 */
export interface AudioControls {
  /** The engine's id for this call's peer connection: media reports name it. */
  readonly mediaSessionId: string;
  /** RFC 4733 key tones; rejects (code `dtmf-unavailable`…) so the phone can fall back to SIP INFO. */
  sendDtmfInBand(tones: string): Promise<void>;
  /** Mutes or unmutes the agent's microphone on this call. */
  setMuted(muted: boolean): Promise<void>;
}

/** The audio controls of a session's handler, when it has them (the bridged one does). */
export function audioControlsOf(handler: unknown): AudioControls | undefined {
  return handler instanceof BridgedSessionDescriptionHandler ? handler : undefined;
}

/** Why a media request failed; `code` tells programs, `message` tells the agent. */
export type MediaFailureCode = MediaErrorCode | 'timeout' | 'channel' | 'closed' | 'bad-response';

/** A media request that failed. Its message is meant for the agent's screen. */
export class MediaError extends Error {
  override name = 'MediaError';
  constructor(
    readonly code: MediaFailureCode,
    readonly op: MediaOp,
    message: string,
  ) {
    super(message);
  }
}

const AGENT_TEXT: Record<MediaFailureCode, string> = {
  microphone: 'The microphone could not be opened',
  'unknown-session': 'The audio engine has lost this call',
  negotiation: 'The audio could not be negotiated with the other side',
  'dtmf-unavailable': 'Key tones cannot be sent in the audio of this call',
  'bad-request': 'The audio engine refused a request',
  internal: 'The audio engine failed',
  timeout: 'The audio engine did not answer in time',
  channel: 'The audio engine cannot be reached',
  closed: 'The audio of this call is already closed',
  'bad-response': 'The audio engine gave an unreadable answer',
};

const OP_TEXT: Record<MediaOp, string> = {
  create: 'preparing the call audio',
  'get-description': 'creating the local audio description',
  'set-description': "applying the other side's audio description",
  rollback: 'rolling back a refused audio offer',
  'send-dtmf': 'sending key tones',
  'set-mute': 'muting the microphone',
  close: 'closing the call audio',
};

function failure(code: MediaFailureCode, op: MediaOp, detail?: string): MediaError {
  const base = `${AGENT_TEXT[code]} (${OP_TEXT[op]})`;
  return new MediaError(code, op, detail ? `${base}: ${detail}` : `${base}.`);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** True for `application/sdp`, with or without parameters. */
function isSdp(contentType: string): boolean {
  return contentType.split(';')[0]?.trim().toLowerCase() === 'application/sdp';
}

/**
 * One SIP session's media, done by the renderer engine. Requests for one session are
 * sent one after another, in the order sip.js made them.
 */
export class BridgedSessionDescriptionHandler implements SessionDescriptionHandler, AudioControls {
  /** The engine's id for this handler's peer connection (for mapping media events to calls). */
  readonly mediaSessionId = randomUUID();
  private closed = false;
  private created: Promise<void> | undefined;
  /** The offer applied ahead of the answer while the call rang ({@link prepareAnswer}), until sip.js applies it. */
  private prepared: Promise<string | undefined> | undefined;
  /** Tail of the request queue; never rejects. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly channel: MediaChannel,
    private readonly options: BridgedMediaOptions,
  ) {}

  get isClosed(): boolean {
    return this.closed;
  }

  getDescription(options?: BridgedMediaSdhOptions, modifiers?: unknown[]): Promise<BodyAndContentType> {
    const hold = options?.hold === true;
    const iceRestart = options?.iceRestart === true;
    return this.enqueue('get-description', async () => {
      this.refuseModifiers('get-description', modifiers);
      await this.ensureCreated('get-description');
      const response = await this.send(
        { op: 'get-description', sessionId: this.mediaSessionId, hold, ...(iceRestart ? { iceRestart } : {}) },
        this.options.requestTimeoutMs + this.options.iceGatheringTimeoutMs,
      );
      if (typeof response.sdp !== 'string' || !/^m=audio /m.test(response.sdp)) {
        throw failure('bad-response', 'get-description', 'the description has no audio');
      }
      return { body: response.sdp, contentType: 'application/sdp' };
    });
  }

  hasDescription(contentType: string): boolean {
    return isSdp(contentType);
  }

  /**
   * While the call rings: creates the engine's peer connection and applies the
   * caller's offer (the engine gives it the microphone, already open while ringing),
   * so Answer only has to create the answer and send the 200 OK. Nothing leaves the
   * machine: without a local description there is no ICE, no DTLS and no RTP
   * (docs/performance.md#answer). Never rejects; a failure leaves the work to sip.js.
   */
  prepareAnswer(offer: string): void {
    if (this.prepared || this.created || !/^m=audio /m.test(offer)) return;
    this.prepared = this.enqueue('set-description', async () => {
      try {
        await this.ensureCreated('set-description');
      } catch (error) {
        // No engine yet (no page attached): Answer tries afresh.
        this.created = undefined;
        throw error;
      }
      await this.send({ op: 'set-description', sessionId: this.mediaSessionId, sdp: offer, hold: false });
      return offer;
    }).catch(() => undefined);
  }

  setDescription(sdp: string, options?: BridgedMediaSdhOptions, modifiers?: unknown[]): Promise<void> {
    const hold = options?.hold === true;
    const prepared = this.prepared;
    this.prepared = undefined;
    return this.enqueue('set-description', async () => {
      // The same offer, already applied while the call rang: nothing left to do.
      if (prepared && !hold && !modifiers?.length && (await prepared) === sdp) return;
      this.refuseModifiers('set-description', modifiers);
      if (!/^m=audio /m.test(sdp)) throw failure('negotiation', 'set-description', 'the other side offers no audio');
      await this.ensureCreated('set-description');
      await this.send({ op: 'set-description', sessionId: this.mediaSessionId, sdp, hold });
    });
  }

  rollbackDescription(): Promise<void> {
    return this.enqueue('rollback', async () => {
      if (!this.created) return;
      await this.ensureCreated('rollback');
      await this.send({ op: 'rollback', sessionId: this.mediaSessionId });
    });
  }

  /**
   * Fires an RFC 4733 DTMF request and returns at once (sip.js wants a boolean now).
   * False when there is no audio to carry the tones; a failure later is only logged.
   */
  sendDtmf(tones: string, options?: { duration?: number; interToneGap?: number }): boolean {
    if (this.closed || !this.created) return false;
    const request: MediaRequest = {
      op: 'send-dtmf',
      sessionId: this.mediaSessionId,
      tones,
      ...(options?.duration !== undefined ? { durationMs: options.duration } : {}),
      ...(options?.interToneGap !== undefined ? { interToneGapMs: options.interToneGap } : {}),
    };
    this.enqueue('send-dtmf', () => this.send(request)).catch((error: unknown) => {
      this.options.logger.warn(`DTMF in the audio failed: ${describe(error)}`);
    });
    return true;
  }

  sendDtmfInBand(tones: string): Promise<void> {
    return this.enqueue('send-dtmf', async () => {
      if (!this.created) throw failure('dtmf-unavailable', 'send-dtmf', 'the call has no audio yet');
      await this.ensureCreated('send-dtmf');
      await this.send({ op: 'send-dtmf', sessionId: this.mediaSessionId, tones });
    });
  }

  setMuted(muted: boolean): Promise<void> {
    return this.enqueue('set-mute', async () => {
      // The phone only mutes connected calls, which have audio; without it there is nothing to mute.
      if (!this.created) return;
      await this.ensureCreated('set-mute');
      await this.send({ op: 'set-mute', sessionId: this.mediaSessionId, muted });
    });
  }

  /** Closes the engine's peer connection once any pending create has settled. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const created = this.created;
    if (!created) return;
    void created
      .catch(() => undefined)
      .then(() => this.send({ op: 'close', sessionId: this.mediaSessionId }))
      .catch((error: unknown) => {
        this.options.logger.warn(`Closing the call audio failed: ${describe(error)}`);
      });
  }

  private refuseModifiers(op: MediaOp, modifiers: unknown[] | undefined): void {
    // Modifiers are functions: they cannot cross to the renderer.
    if (modifiers && modifiers.length > 0) throw failure('bad-request', op, 'SDP modifiers are not supported');
  }

  /** Creates the engine's peer connection on first use; throws if the call was closed meanwhile. */
  private async ensureCreated(op: MediaOp): Promise<void> {
    this.created ??= this.send({
      op: 'create',
      sessionId: this.mediaSessionId,
      iceServers: this.options.iceServers,
      iceGatheringTimeoutMs: this.options.iceGatheringTimeoutMs,
    }).then(() => undefined);
    await this.created;
    if (this.closed) throw failure('closed', op);
  }

  /** Runs `task` after every earlier request of this session; rejects if the handler is closed. */
  private enqueue<T>(op: MediaOp, task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.closed) throw failure('closed', op);
      return task();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Sends one request with a deadline; resolves only with an ok response. */
  private send(
    request: MediaRequest,
    timeoutMs = this.options.requestTimeoutMs,
  ): Promise<Extract<MediaResponse, { ok: true }>> {
    const { op } = request;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(failure('timeout', op, `no answer after ${timeoutMs} ms`));
      }, timeoutMs);
      let pending: Promise<MediaResponse>;
      try {
        pending = this.channel.request(request);
      } catch (error) {
        pending = Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      pending.then(
        (response: unknown) => {
          clearTimeout(timer);
          const parsed = readResponse(response);
          if (!parsed) reject(failure('bad-response', op));
          else if (!parsed.ok) reject(failure(parsed.error.code, op, parsed.error.message));
          else resolve(parsed);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(failure('channel', op, describe(error)));
        },
      );
    });
  }
}

/** Checks a response's shape without trusting it (it comes from another process). */
function readResponse(value: unknown): MediaResponse | undefined {
  const parsed = mediaResponseSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/**
 * Builds the factory for `PhoneOptions.mediaFactory` (via `AppCoreOptions.createMediaFactory`):
 * every SIP session gets a handler bridged to the renderer's engine through `channel`.
 */
export function createBridgedMediaFactory(
  channel: MediaChannel,
  options: BridgedMediaOptions,
): SessionDescriptionHandlerFactory {
  if (!(options.requestTimeoutMs > 0)) throw new RangeError('requestTimeoutMs must be positive');
  if (!(options.iceGatheringTimeoutMs >= 0)) throw new RangeError('iceGatheringTimeoutMs must not be negative');
  // Handlers made ahead of the answer, handed to sip.js when it asks for the session's handler.
  const ready = new WeakMap<Session, BridgedSessionDescriptionHandler>();
  const factory: SessionDescriptionHandlerFactory = (session: Session) => {
    const handler = ready.get(session);
    ready.delete(session);
    return handler && !handler.isClosed ? handler : new BridgedSessionDescriptionHandler(channel, options);
  };
  const prepare: AnswerPreparer = (session, offer) => {
    if (ready.has(session)) return;
    const handler = new BridgedSessionDescriptionHandler(channel, options);
    ready.set(session, handler);
    handler.prepareAnswer(offer);
    // A call that ends unanswered closes its prepared audio (sip.js never saw this handler).
    session.stateChange.addListener((state) => {
      if (state === SessionState.Terminated && ready.get(session) === handler) {
        ready.delete(session);
        handler.close();
      }
    });
  };
  preparers.set(factory, prepare);
  return factory;
}

/** Prepares the answer to an incoming session's offer while it rings (see `prepareAnswer`). */
export type AnswerPreparer = (session: Session, offer: string) => void;

const preparers = new WeakMap<SessionDescriptionHandlerFactory, AnswerPreparer>();

/** The factory's answer preparer, when it has one (the bridged factory does; the signalling seam does not). */
export function answerPreparerOf(factory: SessionDescriptionHandlerFactory): AnswerPreparer | undefined {
  return preparers.get(factory);
}
