/**
 * Test bed for the real-audio e2e test (tests/e2e/audio.test.ts):
 * - a generated tone WAV per Chromium process (the fake capture file is a per-process flag);
 * - the test page (tests/support/audio/page) bundled with esbuild into a temp dir and
 *   served by a loopback HTTP server (127.0.0.1 is a secure context: getUserMedia works);
 * - Chromium launched with the fake-media flags of docs/webrtc-audio.md#a10;
 * - the agent's real AppCore in Node with a media factory of the caller's choosing
 *   (startAgent in ../agent.ts always uses the signalling-only seam).
 */
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../browser';

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
    response
      .writeHead(200, { 'content-type': file[1], 'cache-control': 'no-store' })
      .end(readFileSync(join(dir, file[0])));
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no server address');
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/** Chromium flags for a fake microphone that plays `wavFile` in a loop (docs/webrtc-audio.md#a10). */
export function fakeAudioArgs(wavFile: string): string[] {
  return [
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-audio-capture=${wavFile}`,
    '--allow-loopback-in-peer-connection',
    '--autoplay-policy=no-user-gesture-required',
  ];
}

/** Headless Chromium whose fake microphone plays `wavFile` in a loop. */
export function launchAudioChromium(wavFile: string): Promise<Browser> {
  return launchChromium(fakeAudioArgs(wavFile));
}

/**
 * The page's ear (page/measure.mts) as a script that defines `globalThis.__calmlineEar`,
 * for pages that are not the test page: the real app, whose CSP allows no injected
 * <script>, is measured through `page.evaluate(script)`, which CSP does not govern.
 */
export async function earScript(): Promise<string> {
  const result = await build({
    entryPoints: [resolve('tests/support/audio/page/measure.mts')],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: '__calmlineEar',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'warning',
  });
  const code = result.outputFiles[0]?.text;
  if (!code) throw new Error('esbuild produced no ear script');
  // `var __calmlineEar = …` inside evaluate would stay local: publish it on globalThis.
  return `${code};globalThis.__calmlineEar = __calmlineEar;`;
}
