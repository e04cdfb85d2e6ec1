/**
 * The media bridge's hop to the renderer, made of the IPC contract: each request
 * leaves as a `media:request` event and comes back as a `media:response` command with
 * the same `requestId`. Both hosts use it unchanged (Electron IPC, the web host's
 * WebSocket), so the bridge behaves the same in both.
 *
 * The handler (`bridged-media.ts`) keeps its own deadline per request; this channel
 * only pairs answers with questions and forgets what nobody waits for any more.
 */
import { randomUUID } from 'node:crypto';
import type { MediaRequest, MediaResponse } from '../../shared/media-protocol';
import type { Clock, TimerHandle } from '../clock';
import type { CoreLogger } from '../logger';
import type { MediaChannel } from './bridged-media';

export interface RendererMediaChannelOptions {
  /** Sends one `media:request` event to the renderer. */
  send: (message: { requestId: string; request: MediaRequest }) => void;
  clock: Clock;
  logger: CoreLogger;
  /**
   * How long an unanswered request is remembered. Longer than any handler deadline
   * (request timeout plus ICE gathering), so a late answer is still recognised.
   */
  forgetAfterMs: number;
}

interface Pending {
  resolve: (response: MediaResponse) => void;
  reject: (error: Error) => void;
  timer: TimerHandle;
}

export class RendererMediaChannel implements MediaChannel {
  private readonly pending = new Map<string, Pending>();
  /** False until a renderer engine has said it is there, and again after it went away. */
  private attached = false;

  constructor(private readonly options: RendererMediaChannelOptions) {}

  /** A renderer with a media engine is listening (its window loaded). */
  attach(): void {
    this.attached = true;
  }

  /**
   * The renderer went away (window closed or reloaded): every request in flight fails
   * now rather than at its deadline, so sip.js ends those calls promptly.
   */
  detach(reason: string): void {
    this.attached = false;
    for (const [requestId, entry] of [...this.pending]) {
      this.pending.delete(requestId);
      this.options.clock.clearTimeout(entry.timer);
      entry.reject(new Error(reason));
    }
  }

  get isAttached(): boolean {
    return this.attached;
  }

  request(request: MediaRequest): Promise<MediaResponse> {
    if (!this.attached) return Promise.reject(new Error('no window with an audio engine is open'));
    const requestId = randomUUID();
    return new Promise<MediaResponse>((resolve, reject) => {
      const timer = this.options.clock.setTimeout(() => {
        this.pending.delete(requestId);
        reject(new Error('the audio engine never answered'));
      }, this.options.forgetAfterMs);
      this.pending.set(requestId, { resolve, reject, timer });
      try {
        this.options.send({ requestId, request });
      } catch (error) {
        this.pending.delete(requestId);
        this.options.clock.clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /** The renderer's answer (already validated by the router); an unknown id is late or forged. */
  respond(requestId: string, response: MediaResponse): void {
    const entry = this.pending.get(requestId);
    if (!entry) {
      this.options.logger.warn(
        `A media answer for an unknown or expired request was ignored (${requestId.slice(0, 8)}…).`,
      );
      return;
    }
    this.pending.delete(requestId);
    this.options.clock.clearTimeout(entry.timer);
    entry.resolve(response);
  }

  /** Requests waiting for an answer (for tests and diagnostics). */
  get inFlight(): number {
    return this.pending.size;
  }
}
