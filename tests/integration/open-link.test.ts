/**
 * The web host's click-to-dial hand-over (src/webhost/server/open-link-endpoint.ts), on a
 * real HTTP server with the real desk parser: the token is required, other origins and
 * oversized or malformed bodies are refused, and a good link reaches the window as a
 * confirmation (never a dial).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Desk } from '../../src/core/desk/desk';
import { silentLogger } from '../../src/core/logger';
import { createMemoryStore } from '../../src/core/settings';
import type { DialLink } from '../../src/shared/desk';
import { OPEN_LINK_PATH } from '../../src/webhost/server/open-link-endpoint';
import { startWebHost, type WebHost } from '../../src/webhost/server/web-host';

let host: WebHost;
const shown: DialLink[] = [];
const routed: unknown[] = [];

beforeAll(async () => {
  const parent = mkdtempSync(join(tmpdir(), 'calmline-open-link-'));
  const dir = join(parent, 'renderer');
  mkdirSync(dir);
  writeFileSync(join(dir, 'index.html'), '<!doctype html><html><head></head><body></body></html>');
  writeFileSync(join(parent, 'bridge.js'), '');
  const desk = new Desk({
    store: createMemoryStore(),
    logger: silentLogger,
    region: () => 'DE',
    emit: (channel, payload) => {
      if (channel === 'desk:dial-link') shown.push(payload);
    },
  });
  host = await startWebHost({
    rendererDir: dir,
    bridgeScript: join(parent, 'bridge.js'),
    logger: silentLogger,
    core: {
      router: (channel) => {
        routed.push(channel);
        return Promise.resolve({ ok: true, value: null });
      },
      onEvent: () => () => undefined,
      media: { detach: () => undefined },
      desk,
    },
  });
});

afterAll(async () => {
  await host?.close();
});

const post = (body: string, headers: Record<string, string> = {}) =>
  fetch(`${host.origin}${OPEN_LINK_PATH}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/json', ...headers },
    body,
  });

describe('POST /__calmline/open-link', () => {
  it('hands a tel: link to the window as a confirmation, and dials nothing', async () => {
    const response = await post(JSON.stringify({ url: 'tel:030 123456' }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      id: 'link-1',
      outcome: 'confirm',
      target: '+4930123456',
      display: '+49 30 123456',
    });
    expect(shown.at(-1)).toMatchObject({ outcome: 'confirm', target: '+4930123456' });
    expect(routed).toEqual([]);
  });

  it('answers a hostile link with the refusal the window shows', async () => {
    const response = await post(JSON.stringify({ url: 'javascript:alert(1)' }));
    expect(await response.json()).toMatchObject({ outcome: 'refused', reason: 'unsupported-scheme' });
  });

  it('refuses requests without the token, from other origins, too large or malformed', async () => {
    const before = shown.length;
    expect((await post('{"url":"tel:2000"}', { Authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await post('{"url":"tel:2000"}', { Authorization: '' })).status).toBe(401);
    expect((await post('{"url":"tel:2000"}', { Origin: 'https://evil.example' })).status).toBe(403);
    expect((await post(JSON.stringify({ url: `tel:${'1'.repeat(10_000)}` }))).status).toBe(413);
    expect((await post('not json')).status).toBe(400);
    expect((await post('{"url": 42}')).status).toBe(400);
    expect((await fetch(`${host.origin}${OPEN_LINK_PATH}`)).status).toBe(405);
    expect(shown.length).toBe(before);
  });
});
