/**
 * The web host: the real core in Node, the built renderer served to a browser on
 * 127.0.0.1, and the IPC contract bridged over a loopback WebSocket.
 *
 * It exists because the Electron binary cannot be downloaded everywhere we build,
 * and because it is how the UI is tested in Chromium against real SIP. It is not a
 * server for a network: it binds to loopback only, checks the Host and Origin
 * headers (against DNS rebinding and cross-site pages), and the bridge requires a
 * random per-run token.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { CommandRouter } from '../../core/command-router';
import type { CoreLogger } from '../../core/logger';
import type { EventChannel } from '../../shared/contract';
import { RENDERER_CSP } from '../../shared/csp';
import { BRIDGE_PATH, BRIDGE_SCRIPT_PATH, type BridgeServerMessage } from '../protocol';
import { handleOpenLink, OPEN_LINK_PATH, type LinkReceiver } from './open-link-endpoint';

/** What the web host needs from the core. */
export interface HostedCore {
  router: CommandRouter;
  onEvent(listener: (channel: EventChannel, payload: unknown) => void): () => void;
  /** The media bridge's hop: detached when the page whose engine it uses goes away. */
  media: { detach(reason: string): void };
  /** Click-to-dial links handed over with `POST /__calmline/open-link` (docs/desk.md#click-to-dial). */
  desk?: LinkReceiver;
}

/** Where to find the built files and how to listen. */
export interface WebHostOptions {
  core: HostedCore;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  /** The built bridge script (out/webhost/bridge.js). */
  bridgeScript: string;
  logger: CoreLogger;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Defaults to 32 random bytes. */
  token?: string;
}

/** A running web host. */
export interface WebHost {
  /** The URL to open, token included (in the fragment). */
  url: string;
  origin: string;
  token: string;
  /** TCP connections open right now (HTTP keep-alive and bridge sockets): for leak checks. */
  connectionCount(): Promise<number>;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.map': 'application/json',
};

const MAX_BRIDGE_MESSAGE_BYTES = 256 * 1024;

/** The upgrade socket's peer went away before or while we answered: nothing to tell anyone. */
const PEER_GONE = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'ERR_STREAM_DESTROYED',
  'ERR_STREAM_WRITE_AFTER_END',
]);

/**
 * Answers a refused upgrade and closes the socket for good. `end()` alone only
 * half-closes: a client that never closes its side would keep the socket (and its
 * file descriptor) forever, one per refused request.
 */
function refuseUpgrade(socket: Duplex, status: 400 | 401, reason: string): void {
  if (socket.destroyed) return;
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => socket.destroy());
  // A peer that stops reading never lets the write finish: close anyway, soon.
  (socket as Partial<Socket>).setTimeout?.(5_000, () => socket.destroy());
}

function errorCodeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

/** Starts the web host on 127.0.0.1. */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  const tokenBytes = Buffer.from(token);
  const rendererDir = resolve(options.rendererDir);
  const { logger } = options;
  let origin = '';
  let hostHeader = '';

  const server = createServer((request, response) => {
    // A reset while a file is being sent must not become an uncaught 'error' event.
    response.on('error', (error) => logger.debug(`web host: response failed: ${errorCodeOf(error) ?? String(error)}`));
    void serveFile(request, response).catch((error: unknown) => {
      logger.error(`web host: ${String(error)}`);
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });

  async function serveFile(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.headers.host !== hostHeader) {
      response.writeHead(421).end('Misdirected request');
      return;
    }
    if (request.url?.split('?')[0] === OPEN_LINK_PATH) {
      await handleOpenLink(request, response, { token: tokenBytes, origin, receiver: options.core.desk });
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    const path = requestPath(request.url);
    if (path === undefined) {
      response.writeHead(400).end('Bad request');
      return;
    }
    let file: string;
    if (path === BRIDGE_SCRIPT_PATH) {
      file = options.bridgeScript;
    } else {
      file = normalize(join(rendererDir, path === '/' ? 'index.html' : path));
      if (file !== rendererDir && !file.startsWith(rendererDir + sep)) {
        response.writeHead(403).end();
        return;
      }
    }
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      response.writeHead(404).end('Not found');
      return;
    }
    if (file.endsWith('index.html')) {
      // The bridge must define window.calmline before the renderer's module runs.
      body = Buffer.from(
        body.toString('utf8').replace('<head>', `<head>\n    <script src="${BRIDGE_SCRIPT_PATH}"></script>`),
      );
    }
    response.writeHead(200, {
      'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Security-Policy': RENDERER_CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
      'Cross-Origin-Opener-Policy': 'same-origin',
    });
    response.end(request.method === 'HEAD' ? undefined : body);
  }

  const sockets = new Set<WebSocket>();
  // One page's engine does a call's audio: the page that attached last (a reload or a
  // second tab takes over). Two engines answering would open two peer connections.
  let mediaSocket: WebSocket | undefined;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_BRIDGE_MESSAGE_BYTES });

  server.on('upgrade', (request, socket, head) => {
    // Before anything else: a peer that resets now (or after our refusal) emits 'error'
    // on this socket, and an 'error' without a listener ends the process.
    socket.on('error', (error) => {
      const code = errorCodeOf(error);
      if (!code || !PEER_GONE.has(code)) logger.warn(`web host: bridge socket error: ${code ?? String(error)}`);
      socket.destroy();
    });
    let url: URL;
    try {
      url = new URL(request.url ?? '/', origin);
    } catch {
      logger.warn('web host: refused a bridge connection (the target does not parse)');
      refuseUpgrade(socket, 400, 'Bad Request');
      return;
    }
    const presented = Buffer.from(url.searchParams.get('token') ?? '');
    const authorised =
      url.pathname === BRIDGE_PATH &&
      request.headers.host === hostHeader &&
      request.headers.origin === origin &&
      presented.length === tokenBytes.length &&
      timingSafeEqual(presented, tokenBytes);
    if (!authorised) {
      logger.warn('web host: refused a bridge connection (bad token, origin or host)');
      refuseUpgrade(socket, 401, 'Unauthorized');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      sockets.add(ws);
      // An oversized frame, a bad frame or a reset: ws closes the connection and reports
      // it here; without a listener that report would be an uncaught exception.
      ws.on('error', (error) => {
        const code = errorCodeOf(error);
        logger.warn(`web host: bridge connection closed: ${code ?? error.message}`);
        ws.terminate();
      });
      ws.on('close', () => {
        sockets.delete(ws);
        if (ws === mediaSocket) {
          mediaSocket = undefined;
          options.core.media.detach('the Calmline page was closed');
        }
      });
      ws.on('message', (data) => {
        handleMessage(ws, data.toString()).catch((error: unknown) => logger.error(`web host: ${String(error)}`));
      });
    });
  });

  async function handleMessage(ws: WebSocket, text: string): Promise<void> {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (!isInvoke(message)) return;
    if (message.channel === 'media:attach') {
      if (mediaSocket && mediaSocket !== ws) options.core.media.detach('another Calmline page took over the audio');
      mediaSocket = ws;
    }
    const result = await options.core.router(message.channel, message.payload);
    send(ws, { type: 'result', id: message.id, result });
  }

  const unsubscribe = options.core.onEvent((channel, payload) => {
    if (channel === 'media:request') {
      if (mediaSocket) send(mediaSocket, { type: 'event', channel, payload });
      return;
    }
    for (const ws of sockets) send(ws, { type: 'event', channel, payload });
  });

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolvePromise());
  });
  server.on('error', (error) => logger.error(`web host: ${String(error)}`));
  const { port } = server.address() as AddressInfo;
  hostHeader = `127.0.0.1:${port}`;
  origin = `http://${hostHeader}`;

  return {
    url: `${origin}/#token=${token}`,
    origin,
    token,
    connectionCount: () =>
      new Promise<number>((done, fail) => server.getConnections((error, count) => (error ? fail(error) : done(count)))),
    close: async () => {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

/** The decoded path of a request target, or undefined when it does not parse. */
function requestPath(target: string | undefined): string | undefined {
  try {
    return decodeURIComponent(new URL(target ?? '/', 'http://127.0.0.1').pathname);
  } catch {
    return undefined;
  }
}

function send(ws: WebSocket, message: BridgeServerMessage): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
}

function isInvoke(value: unknown): value is { id: number; channel: unknown; payload: unknown } {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return record.type === 'invoke' && Number.isSafeInteger(record.id);
}
