/**
 * SIP over WebSocket (RFC 7118) for sip.js, on the `ws` package instead of the
 * browser's WebSocket global.
 *
 * Why our own transport (docs/sipjs-pitfalls.md#s1 and docs/sipjs-pitfalls.md#s21):
 * - sip.js's Web transport rethrows any exception from the UserAgent's message
 *   handler inside the socket listener; in Node that kills the process or leaves the
 *   socket deaf. Here every inbound message is handled in a try/catch and dropped
 *   with a log line when sip.js cannot cope with it.
 * - `ws` lets us cap message size (`maxPayload`), set a connect timeout, and detect a
 *   dead connection with WebSocket ping/pong, none of which the global offers.
 *
 * The state machine follows sip.js's Transport contract (its api/transport.ts):
 * Disconnected → Connecting → Connected → Disconnecting → Disconnected, callbacks
 * never re-enter connect()/disconnect() synchronously.
 */
import { type Transport as SipTransport, TransportState } from 'sip.js';
import type { Core, Emitter } from 'sip.js';
import WebSocket from 'ws';
import type { InboundVerdict, ParsedMessage } from './inbound-guard';

/** Options passed through sip.js's `transportOptions`. */
export interface WsTransportOptions {
  /** ws:// or wss:// URL of the SIP server's WebSocket listener. */
  server: string;
  /** Give up a connection attempt after this many milliseconds. */
  connectTimeoutMs?: number;
  /**
   * Largest WebSocket frame accepted; a bigger one closes the socket. Keep it well
   * above the SIP limit of inbound-guard.ts so one oversized message is refused
   * with 513 instead of costing the agent the connection.
   */
  maxMessageBytes?: number;
  /** Send a WebSocket ping this often; a missing pong by the next ping closes the socket. */
  keepAliveIntervalMs?: number;
  /** Called when a message was dropped because sip.js threw on it (for tests and logs). */
  onMessageDropped?: (error: unknown, message: string) => void;
  /** Sees every inbound message first (see inbound-guard.ts); default passes everything on. */
  inspect?: (message: string) => InboundVerdict;
  /** Undoes on the way out what `inspect` rewrote on the way in (see sip-compliance.ts). */
  rewriteOutbound?: (message: string) => string;
}

const DEFAULTS = {
  connectTimeoutMs: 5_000,
  maxMessageBytes: 1024 * 1024,
  keepAliveIntervalMs: 15_000,
};

/** Minimal emitter satisfying sip.js's `Emitter<TransportState>`. */
class StateEmitter implements Emitter<TransportState> {
  private listeners = new Set<(state: TransportState) => void>();
  addListener(listener: (state: TransportState) => void, options?: { once?: boolean }): void {
    if (options?.once) {
      const once = (state: TransportState) => {
        this.listeners.delete(once);
        listener(state);
      };
      this.listeners.add(once);
    } else {
      this.listeners.add(listener);
    }
  }
  removeListener(listener: (state: TransportState) => void): void {
    this.listeners.delete(listener);
  }
  on(listener: (state: TransportState) => void): void {
    this.addListener(listener);
  }
  off(listener: (state: TransportState) => void): void {
    this.removeListener(listener);
  }
  once(listener: (state: TransportState) => void): void {
    this.addListener(listener, { once: true });
  }
  emit(state: TransportState): void {
    for (const listener of [...this.listeners]) listener(state);
  }
}

/** A sip.js Transport over the `ws` package; pass the class as `transportConstructor`. */
export class WsTransport implements SipTransport {
  onConnect: (() => void) | undefined;
  onDisconnect: ((error?: Error) => void) | undefined;
  onMessage: ((message: string) => void) | undefined;
  /**
   * Takes a message `inspect` has already parsed, instead of `onMessage` with its text
   * (which sip.js would parse again). The phone sets it (inbound-delivery.ts).
   */
  deliverParsed: ((message: ParsedMessage) => void) | undefined;

  readonly protocol: string;
  private readonly options: Required<Omit<WsTransportOptions, 'onMessageDropped' | 'inspect' | 'rewriteOutbound'>> &
    Pick<WsTransportOptions, 'onMessageDropped' | 'inspect' | 'rewriteOutbound'>;
  private readonly emitter = new StateEmitter();
  private _state = TransportState.Disconnected;
  private socket: WebSocket | undefined;
  private connecting: { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } | undefined;
  private disconnecting: { promise: Promise<void>; resolve: () => void } | undefined;
  private connectTimer: ReturnType<typeof setTimeout> | undefined;
  private keepAliveTimer: ReturnType<typeof setInterval> | undefined;
  private awaitingPong = false;

  constructor(
    private readonly logger: Core.Logger,
    options: WsTransportOptions,
  ) {
    if (!options || typeof options.server !== 'string' || !/^wss?:\/\//i.test(options.server)) {
      throw new Error('WsTransport needs a ws:// or wss:// server URL');
    }
    this.options = { ...DEFAULTS, ...options };
    this.protocol = options.server.toLowerCase().startsWith('wss:') ? 'WSS' : 'WS';
  }

  get state(): TransportState {
    return this._state;
  }

  get stateChange(): Emitter<TransportState> {
    return this.emitter;
  }

  get server(): string {
    return this.options.server;
  }

  isConnected(): boolean {
    return this._state === TransportState.Connected;
  }

  connect(): Promise<void> {
    if (this._state === TransportState.Connected) return Promise.resolve();
    if (this._state === TransportState.Connecting && this.connecting) return this.connecting.promise;

    let resolve!: () => void;
    let reject!: (e: Error) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.connecting = { promise, resolve, reject };
    this.transition(TransportState.Connecting);

    let socket: WebSocket;
    try {
      socket = new WebSocket(this.options.server, 'sip', {
        maxPayload: this.options.maxMessageBytes,
        handshakeTimeout: this.options.connectTimeoutMs,
        perMessageDeflate: false,
      });
    } catch (error) {
      this.transition(TransportState.Disconnected, asError(error, 'WebSocket could not be created'));
      return promise;
    }
    this.socket = socket;
    this.connectTimer = setTimeout(() => {
      if (this.socket === socket && this._state === TransportState.Connecting) {
        socket.terminate();
      }
    }, this.options.connectTimeoutMs);

    socket.on('open', () => {
      if (socket !== this.socket) return;
      if (socket.protocol !== 'sip') {
        // RFC 7118 §4.1: a server that did not agree to the "sip" subprotocol is not a SIP server.
        socket.close(1002, 'sip subprotocol required');
        return;
      }
      this.transition(TransportState.Connected);
    });
    socket.on('message', (data, isBinary) => this.handleFrame(socket, data, isBinary));
    socket.on('pong', () => {
      this.awaitingPong = false;
    });
    socket.on('error', (error) => {
      if (socket !== this.socket) return;
      this.logger.warn(`WebSocket error: ${error.message}`);
      this.lastError = error;
    });
    socket.on('close', (code, reason) => {
      if (socket !== this.socket) return;
      this.socket = undefined;
      const wanted = this._state === TransportState.Disconnecting;
      const detail = this.lastError?.message ?? (reason.toString() || `code ${code}`);
      this.lastError = undefined;
      this.transition(
        TransportState.Disconnected,
        wanted ? undefined : new Error(`WebSocket to ${this.options.server} closed: ${detail}`),
      );
    });
    return promise;
  }

  private lastError: Error | undefined;

  disconnect(): Promise<void> {
    if (this._state === TransportState.Disconnected) return Promise.resolve();
    if (this._state === TransportState.Disconnecting && this.disconnecting) return this.disconnecting.promise;
    let resolve!: () => void;
    const promise = new Promise<void>((res) => {
      resolve = res;
    });
    this.disconnecting = { promise, resolve };
    const socket = this.socket;
    this.transition(TransportState.Disconnecting);
    if (socket) {
      socket.close(1000);
      // A peer that never answers the close handshake must not hold us forever.
      setTimeout(() => socket.terminate(), 2_000).unref?.();
    } else {
      this.transition(TransportState.Disconnected);
    }
    return promise;
  }

  dispose(): Promise<void> {
    return this.disconnect();
  }

  send(message: string): Promise<void> {
    const socket = this.socket;
    if (this._state !== TransportState.Connected || !socket) {
      return Promise.reject(new Error('Not connected.'));
    }
    const text = this.options.rewriteOutbound?.(message) ?? message;
    return new Promise((resolve, reject) => {
      socket.send(text, (error) => (error ? reject(error) : resolve()));
    });
  }

  /** Closes the socket as if the network dropped it (for tests of recovery). */
  simulateNetworkLoss(): void {
    this.socket?.terminate();
  }

  private handleFrame(socket: WebSocket, data: WebSocket.RawData, isBinary: boolean): void {
    if (socket !== this.socket || this._state !== TransportState.Connected) return;
    let text: string;
    try {
      const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      // Kamailio forwards non-UTF-8 SIP as binary frames; decode leniently so a
      // Latin-1 display name becomes U+FFFD rather than a dropped call.
      text = isBinary ? new TextDecoder('utf-8', { fatal: false }).decode(buffer) : buffer.toString('utf8');
    } catch (error) {
      this.logger.warn(`Dropped an undecodable WebSocket frame: ${String(error)}`);
      return;
    }
    if (/^(\r\n)+$/.test(text) || text.length === 0) return; // CRLF keep-alive
    const verdict = this.options.inspect?.(text) ?? { kind: 'pass', message: text };
    if (verdict.kind !== 'pass') {
      this.logger.warn(`Refused an inbound SIP message (${verdict.reason})`);
      if (verdict.kind === 'reply') void this.send(verdict.response).catch(() => undefined);
      return;
    }
    try {
      if (verdict.parsed && this.deliverParsed) this.deliverParsed(verdict.parsed);
      else this.onMessage?.(verdict.message);
    } catch (error) {
      // sip.js threw while parsing or dispatching (e.g. a malformed CSeq in a
      // response). Dropping the message keeps the process and the socket alive.
      this.logger.error(`Dropped a SIP message sip.js could not handle: ${String(error)}`);
      this.options.onMessageDropped?.(error, text);
    }
  }

  private transition(next: TransportState, error?: Error): void {
    const previous = this._state;
    this._state = next;
    if (previous === TransportState.Connecting && this.connectTimer) {
      clearTimeout(this.connectTimer);
      this.connectTimer = undefined;
    }
    this.emitter.emit(next);

    if (next === TransportState.Connected) {
      this.startKeepAlive();
      this.guard(() => this.onConnect?.(), 'onConnect');
    }
    if (previous === TransportState.Connected) {
      this.stopKeepAlive();
      this.guard(() => (error ? this.onDisconnect?.(error) : this.onDisconnect?.()), 'onDisconnect');
    }
    if (previous === TransportState.Connecting && next !== TransportState.Connecting) {
      const pending = this.connecting;
      this.connecting = undefined;
      if (next === TransportState.Connected) pending?.resolve();
      else pending?.reject(error ?? new Error('Connect aborted.'));
    }
    if (previous === TransportState.Disconnecting && next !== TransportState.Disconnecting) {
      const pending = this.disconnecting;
      this.disconnecting = undefined;
      pending?.resolve();
    }
  }

  private guard(fn: () => void, name: string): void {
    try {
      fn();
    } catch (error) {
      this.logger.error(`Exception thrown by ${name}: ${String(error)}`);
    }
  }

  private startKeepAlive(): void {
    this.stopKeepAlive();
    this.awaitingPong = false;
    this.keepAliveTimer = setInterval(() => {
      const socket = this.socket;
      if (!socket) return;
      if (this.awaitingPong) {
        this.logger.warn('No WebSocket pong from the SIP server; closing the dead connection');
        this.lastError = new Error('no answer to keep-alive ping');
        socket.terminate();
        return;
      }
      this.awaitingPong = true;
      socket.ping();
    }, this.options.keepAliveIntervalMs);
    this.keepAliveTimer.unref?.();
  }

  private stopKeepAlive(): void {
    if (this.keepAliveTimer) clearInterval(this.keepAliveTimer);
    this.keepAliveTimer = undefined;
  }
}

function asError(value: unknown, fallback: string): Error {
  return value instanceof Error ? value : new Error(fallback);
}
