/**
 * Test bed for the real-audio e2e test (tests/e2e/audio.test.ts):
 * - a generated tone WAV per Chromium process (the fake capture file is a per-process flag);
 * - the test page (tests/support/audio/page) bundled with esbuild into a temp dir and
 *   served by a loopback HTTP server (127.0.0.1 is a secure context: getUserMedia works);
 * - Chromium launched with the fake-media flags from /work/shared/audio-notes.md;
 * - the agent's real AppCore in Node with a media factory of the caller's choosing
 *   (startAgent in ../agent.ts always uses the signalling-only seam).
 */
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import type { SessionDescriptionHandlerFactory } from 'sip.js';
import { AppCore, type CoreEventArgs } from '../../../src/main/core/app-core';
import { systemClock } from '../../../src/main/core/clock';
import { createConsoleLogger, silentLogger, type CoreLogger } from '../../../src/main/core/logger';
import { createMemorySecretStore, createMemoryStore } from '../../../src/main/core/settings';
import type { CallView, CommandChannel, PhoneState } from '../../../src/shared/contract';
import { CHROMIUM_PATH } from '../browser';
import type { Kamailio } from '../kamailio';

/** Writes a mono 16-bit 48 kHz WAV of a sine; a whole number of cycles, so the loop has no click. */
export function writeToneWav(file: string, frequencyHz: number, seconds = 2, amplitude = 0.5): void {
  const rate = 48_000;
  const cycles = Math.round(frequencyHz * seconds);
  const count = Math.round((cycles / frequencyHz) * rate);
  const data = Buffer.alloc(count * 2);
  for (let i = 0; i < count; i += 1) {
    data.writeInt16LE(Math.round(Math.sin((2 * Math.PI * frequencyHz * i) / rate) * amplitude * 32_767), i * 2);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28); // byte rate
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  writeFileSync(file, Buffer.concat([header, data]));
}

/** A temp dir for one run's page bundle and WAVs. */
export function makeAudioDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'calmline-audio-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Bundles the test page (sip.js, the media engine, the harness) into `dir`. */
export async function buildAudioPage(dir: string): Promise<void> {
  await build({
    entryPoints: [resolve('tests/support/audio/page/harness.mts')],
    outfile: join(dir, 'harness.js'),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html><html><head><meta charset="utf-8"><title>audio test</title></head><body><script src="harness.js"></script></body></html>',
  );
}

/** Serves index.html and harness.js from `dir` on 127.0.0.1. */
export async function servePage(dir: string): Promise<{ url: string; close: () => Promise<void> }> {
  const files: Record<string, [string, string]> = {
    '/': ['index.html', 'text/html; charset=utf-8'],
    '/harness.js': ['harness.js', 'text/javascript; charset=utf-8'],
  };
  const server: Server = createServer((request, response) => {
    const file = files[new URL(request.url ?? '/', 'http://x').pathname];
    if (!file) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': file[1], 'cache-control': 'no-store' }).end(readFileSync(join(dir, file[0])));
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no server address');
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/** Headless Chromium whose fake microphone plays `wavFile` in a loop (audio-notes trap 10). */
export async function launchAudioChromium(wavFile: string): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${wavFile}`,
      '--allow-loopback-in-peer-connection',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
}

/** The agent's core registered to Kamailio, with a given media factory. */
export interface BridgedAgent {
  core: AppCore;
  events: CoreEventArgs[];
  must<T = unknown>(channel: CommandChannel, payload?: unknown): Promise<T>;
  waitForState(predicate: (state: PhoneState) => boolean, timeoutMs?: number): Promise<PhoneState>;
  waitForCall(predicate: (call: CallView) => boolean, timeoutMs?: number): Promise<CallView>;
  stop(): Promise<void>;
}

/** Builds and starts the AppCore the way tests/support/agent.ts does, but with `createMediaFactory`. */
export async function startBridgedAgent(
  kamailio: Kamailio,
  createMediaFactory: () => SessionDescriptionHandlerFactory,
  options: { user?: string; logger?: CoreLogger } = {},
): Promise<BridgedAgent> {
  const user = options.user ?? '1001';
  const store = createMemoryStore();
  store.set('account', { wsUrl: kamailio.wsUrl, sipUri: `sip:${user}@${kamailio.domain}`, displayName: 'Agent' });
  store.set('workspacePolicy', { wrapUpHoldsCalls: false });
  const core = new AppCore({
    store,
    secrets: createMemorySecretStore(''),
    clock: systemClock,
    logger: options.logger ?? (process.env.CALMLINE_TEST_LOG ? createConsoleLogger('debug', `agent ${user}`) : silentLogger),
    createMediaFactory,
    phone: { reconnectBackoffMs: [200, 500, 1_000] },
  });
  const events: CoreEventArgs[] = [];
  const waiters = new Set<() => void>();
  core.onEvent((...event) => {
    events.push(event);
    for (const wake of [...waiters]) wake();
  });
  const waitForState = (predicate: (state: PhoneState) => boolean, timeoutMs = 10_000) =>
    new Promise<PhoneState>((resolveState, reject) => {
      const check = () => {
        const current = core.phoneState();
        if (!predicate(current)) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolveState(current);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`Timed out waiting for phone state; last: ${JSON.stringify(core.phoneState())}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  await core.start();
  await waitForState((s) => s.registration.status === 'registered');
  return {
    core,
    events,
    async must<T>(channel: CommandChannel, payload?: unknown) {
      const result = await core.router(channel, payload);
      if (!result.ok) throw new Error(`${channel} refused: ${result.error.code}: ${result.error.message}`);
      return result.value as T;
    },
    waitForState,
    async waitForCall(predicate, timeoutMs) {
      const state = await waitForState((s) => s.calls.some(predicate), timeoutMs);
      return state.calls.find(predicate)!;
    },
    stop: () => core.stop(),
  };
}
