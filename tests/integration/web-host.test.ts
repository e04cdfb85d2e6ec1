/**
 * The web host's own guarantees, with a real HTTP server and WebSocket clients:
 * the bridge demands the per-run token and our own origin, files are served from
 * the renderer directory only, and commands reach the router unchanged.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { silentLogger } from '../../src/core/logger';
import { startWebHost, type WebHost } from '../../src/webhost/server/web-host';
import { BRIDGE_PATH, BRIDGE_SCRIPT_PATH } from '../../src/webhost/protocol';
import type { EventChannel } from '../../src/shared/contract';

let host: WebHost;
const routed: Array<[unknown, unknown]> = [];
let emit: (channel: EventChannel, payload: unknown) => void = () => undefined;
const detached: string[] = [];

async function startTestHost(): Promise<WebHost> {
  const parent = mkdtempSync(join(tmpdir(), 'calmline-webhost-'));
  const dir = join(parent, 'renderer');
  mkdirSync(dir);
  writeFileSync(join(dir, 'index.html'), '<!doctype html><html><head><title>t</title></head><body></body></html>');
  writeFileSync(join(dir, 'app.js'), 'console.log(1)');
  const bridge = join(parent, 'bridge.js');
  writeFileSync(bridge, '/* bridge */');
  writeFileSync(join(parent, 'secret.txt'), 'outside');
  return startWebHost({
    rendererDir: dir,
    bridgeScript: bridge,
    logger: silentLogger,
    core: {
      router: async (channel, payload) => {
        routed.push([channel, payload]);
        return { ok: true, value: { echoed: payload } };
      },
      onEvent: (listener) => {
        emit = listener;
        return () => undefined;
      },
      media: { detach: (reason) => detached.push(reason) },
    },
  });
}

beforeAll(async () => {
  host = await startTestHost();
});

afterAll(async () => {
  await host?.close();
  process.off('uncaughtException', collectUncaught);
});

// Anything the host lets escape would land here (vitest reports it too, but late).
const uncaught: unknown[] = [];
const collectUncaught = (error: unknown): void => void uncaught.push(error);
process.on('uncaughtException', collectUncaught);

/** A raw TCP connection to the host, for requests no well-behaved client sends. */
function rawConnect(): Promise<Socket> {
  const { port } = new URL(host.origin);
  const socket = connect(Number(port), '127.0.0.1');
  socket.on('error', () => undefined);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Resolves with everything the server sent once it closed the connection. */
function readUntilClosed(socket: Socket): Promise<string> {
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  return new Promise((resolve) => socket.once('close', () => resolve(text)));
}

function upgradeRequest(target: string, headers: Record<string, string> = {}): string {
  const lines = [
    `GET ${target} HTTP/1.1`,
    `Host: ${new URL(host.origin).host}`,
    `Origin: ${host.origin}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Version: 13',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** A GET on a connection of its own that closes after the answer (fetch would keep it alive). */
function plainGet(path: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    get(`${host.origin}${path}`, { agent: false, headers: { connection: 'close' } }, (response) => {
      response.resume();
      response.once('end', () => resolve(response.statusCode));
    }).once('error', reject);
  });
}

/** The host still answers a plain request, and holds no connection beyond `expected`. */
async function expectServingWithConnections(expected: number): Promise<void> {
  expect(await plainGet('/app.js')).toBe(200);
  await expect.poll(() => host.connectionCount()).toBe(expected);
  expect(uncaught).toEqual([]);
}

function openBridge(token: string, origin = host.origin): Promise<WebSocket> {
  const url = `${host.origin.replace('http', 'ws')}${BRIDGE_PATH}?token=${encodeURIComponent(token)}`;
  const ws = new WebSocket(url, { origin });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

describe('web host', () => {
  it('listens on 127.0.0.1 only and puts the token in the URL fragment', () => {
    expect(host.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(host.url).toBe(`${host.origin}/#token=${host.token}`);
    expect(host.token.length).toBeGreaterThanOrEqual(40);
  });

  it('serves index.html with the bridge script before anything else, and a strict CSP', async () => {
    const response = await fetch(`${host.origin}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await response.text();
    expect(html).toContain(`<head>\n    <script src="${BRIDGE_SCRIPT_PATH}"></script>`);
    expect((await fetch(`${host.origin}${BRIDGE_SCRIPT_PATH}`)).status).toBe(200);
  });

  it('serves nothing outside the renderer directory', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt']) {
      const response = await fetch(`${host.origin}${path}`);
      expect([403, 404]).toContain(response.status);
      expect(await response.text()).not.toContain('outside');
    }
  });

  it('refuses a bridge connection with a wrong or missing token', async () => {
    await expect(openBridge('wrong')).rejects.toThrow(/401/);
    await expect(openBridge('')).rejects.toThrow(/401/);
    await expect(openBridge(`${host.token}x`)).rejects.toThrow(/401/);
  });

  it('refuses a bridge connection from another origin even with the token', async () => {
    await expect(openBridge(host.token, 'http://evil.example')).rejects.toThrow(/401/);
  });

  it('routes commands to the core and forwards events to the page', async () => {
    const ws = await openBridge(host.token);
    const messages: unknown[] = [];
    ws.on('message', (data) => messages.push(JSON.parse(data.toString())));
    ws.send(JSON.stringify({ type: 'invoke', id: 7, channel: 'call:answer', payload: { callId: 'c1' } }));
    ws.send('not json');
    ws.send(JSON.stringify({ type: 'invoke', id: 'x', channel: 'call:answer' }));
    await expect.poll(() => messages.length).toBe(1);
    expect(messages[0]).toEqual({ type: 'result', id: 7, result: { ok: true, value: { echoed: { callId: 'c1' } } } });
    expect(routed).toEqual([['call:answer', { callId: 'c1' }]]);
    emit('phone:state', { registration: { status: 'connecting' }, calls: [] });
    await expect.poll(() => messages.length).toBe(2);
    expect(messages[1]).toEqual({
      type: 'event',
      channel: 'phone:state',
      payload: { registration: { status: 'connecting' }, calls: [] },
    });
    ws.close();
  });

  it('sends media requests only to the page whose engine attached last, and detaches when it goes', async () => {
    const first = await openBridge(host.token);
    const second = await openBridge(host.token);
    const received = { first: [] as unknown[], second: [] as unknown[] };
    first.on('message', (data) => received.first.push(JSON.parse(data.toString())));
    second.on('message', (data) => received.second.push(JSON.parse(data.toString())));
    const request = { requestId: 'r1', request: { op: 'close', sessionId: 's1' } };

    first.send(JSON.stringify({ type: 'invoke', id: 1, channel: 'media:attach' }));
    await expect.poll(() => received.first.length).toBe(1);
    emit('media:request', request);
    emit('phone:state', { registration: { status: 'connecting' }, calls: [] });
    await expect.poll(() => received.second.length).toBe(1);
    await expect.poll(() => received.first.length).toBe(3);
    expect(received.first[1]).toEqual({ type: 'event', channel: 'media:request', payload: request });
    // Everyone gets the phone state; only the attached page gets the media request.
    expect(received.second).toEqual([expect.objectContaining({ channel: 'phone:state' })]);

    // A second page attaching takes over: the first one's requests in flight are failed.
    second.send(JSON.stringify({ type: 'invoke', id: 2, channel: 'media:attach' }));
    await expect.poll(() => detached).toEqual(['another Calmline page took over the audio']);
    await expect.poll(() => received.second.length).toBe(2);
    emit('media:request', { ...request, requestId: 'r2' });
    await expect.poll(() => received.second.length).toBe(3);
    expect(received.first).toHaveLength(3);

    first.close();
    second.close();
    await expect
      .poll(() => detached)
      .toEqual(['another Calmline page took over the audio', 'the Calmline page was closed']);
  });
});

describe('web host against bad input', () => {
  // A host of its own: the fetches above leave keep-alive connections that would blur the counts.
  beforeAll(async () => {
    await host.close();
    host = await startTestHost();
  });

  it('answers an upgrade whose target does not parse with 400 and closes it', async () => {
    for (const target of ['//[', 'http://[::1', '//%zz@[/']) {
      const socket = await rawConnect();
      const answer = readUntilClosed(socket);
      socket.write(upgradeRequest(target));
      expect(await answer).toMatch(/^HTTP\/1\.1 400 /);
    }
    await expectServingWithConnections(0);
  });

  it('answers a file request whose path does not decode with 400', async () => {
    const socket = await rawConnect();
    const answer = readUntilClosed(socket);
    socket.write(`GET /%E0%A4%A HTTP/1.1\r\nHost: ${new URL(host.origin).host}\r\nConnection: close\r\n\r\n`);
    expect(await answer).toMatch(/^HTTP\/1\.1 400 /);
    await expectServingWithConnections(0);
  });

  it('survives a client that resets right after sending a refused upgrade', async () => {
    for (let i = 0; i < 20; i += 1) {
      const socket = await rawConnect();
      const closed = new Promise((resolve) => socket.once('close', resolve));
      socket.write(upgradeRequest(`${BRIDGE_PATH}?token=wrong`), () => socket.resetAndDestroy());
      await closed;
    }
    await expectServingWithConnections(0);
  });

  it('closes refused upgrades even when the client never closes its side (no socket per request)', async () => {
    const clients: Socket[] = [];
    for (let i = 0; i < 25; i += 1) {
      const socket = await rawConnect();
      // allowHalfOpen is false on the client, but it never calls end() itself: the server must.
      const answer = readUntilClosed(socket);
      socket.write(upgradeRequest(`${BRIDGE_PATH}?token=wrong`));
      expect(await answer).toMatch(/^HTTP\/1\.1 401 /);
      clients.push(socket);
    }
    await expectServingWithConnections(0);
  });

  it('closes a bridge connection that sends a frame over the size cap, and keeps serving', async () => {
    const ws = await openBridge(host.token);
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.on('error', () => undefined);
    ws.send('x'.repeat(300 * 1024));
    expect(await closed).toBe(1009);
    await expectServingWithConnections(0);
    // And a well-behaved page still gets through.
    const again = await openBridge(host.token);
    const answer = new Promise((resolve) => again.once('message', (data) => resolve(JSON.parse(data.toString()))));
    again.send(JSON.stringify({ type: 'invoke', id: 1, channel: 'settings:get', payload: {} }));
    expect(await answer).toMatchObject({ type: 'result', id: 1 });
    again.close();
    await expectServingWithConnections(0);
  });

  it('survives a bridge client that resets in the middle of a frame', async () => {
    for (let i = 0; i < 10; i += 1) {
      const ws = await openBridge(host.token);
      ws.on('error', () => undefined);
      const closed = new Promise((resolve) => ws.once('close', resolve));
      // Half a frame header claiming a long payload, then a reset.
      const raw = (ws as unknown as { _socket: Socket })._socket;
      raw.write(Buffer.from([0x81, 0xfe, 0x10]), () => raw.resetAndDestroy());
      await closed;
    }
    await expectServingWithConnections(0);
  });

  it('holds no socket after many ordinary requests and bridge sessions', async () => {
    for (let i = 0; i < 30; i += 1) {
      expect(await plainGet('/index.html')).toBe(200);
    }
    for (let i = 0; i < 10; i += 1) {
      const ws = await openBridge(host.token);
      const closed = new Promise((resolve) => ws.once('close', resolve));
      ws.close();
      await closed;
    }
    await expectServingWithConnections(0);
  });
});
