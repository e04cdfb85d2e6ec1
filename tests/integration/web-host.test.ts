/**
 * The web host's own guarantees, with a real HTTP server and WebSocket clients:
 * the bridge demands the per-run token and our own origin, files are served from
 * the renderer directory only, and commands reach the router unchanged.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
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

beforeAll(async () => {
  const parent = mkdtempSync(join(tmpdir(), 'calmline-webhost-'));
  const dir = join(parent, 'renderer');
  mkdirSync(dir);
  writeFileSync(join(dir, 'index.html'), '<!doctype html><html><head><title>t</title></head><body></body></html>');
  writeFileSync(join(dir, 'app.js'), 'console.log(1)');
  const bridge = join(parent, 'bridge.js');
  writeFileSync(bridge, '/* bridge */');
  writeFileSync(join(parent, 'secret.txt'), 'outside');
  host = await startWebHost({
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
});

afterAll(async () => {
  await host?.close();
});

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
