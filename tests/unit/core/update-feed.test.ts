/**
 * The update feed from a real HTTP server on 127.0.0.1, read by electron-updater's
 * own GenericProvider and downloaded by builder-util-runtime with its sha512 check.
 * The channel files are made the way electron-builder makes them (app-builder-lib's
 * updateInfoBuilder: its hashFile for the sha512, builder-util's serializeToYaml):
 * version, files with url, sha512 and size, path, sha512, releaseDate. Also a
 * corrupt one, one without a version, and one whose checksum does not match.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { hashFile } from 'app-builder-lib/out/util/hash.js';
import { serializeToYaml } from 'builder-util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/logger';
import { FeedUpdater, compareVersions } from '../../../src/core/updates/update-feed';
import { UpdateScheduler } from '../../../src/core/updates/update-scheduler';
import { DEFAULT_UPDATE_SETTINGS } from '../../../src/shared/policy';
import { createFakeClock } from '../../support/fake-clock';

const installer = randomBytes(256 * 1024);
const pilotInstaller = randomBytes(64 * 1024);

/** A channel file as electron-builder writes it, for `data` published as `file`. */
async function channelFile(version: string, file: string, data: Buffer, checksumOf = data): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'calmline-artifact-')), file);
  await writeFile(path, checksumOf);
  const sha512 = await hashFile(path);
  return serializeToYaml(
    {
      version,
      files: [{ url: file, sha512, size: data.length }],
      path: file,
      sha512,
      releaseDate: '2026-12-01T09:00:00.000Z',
    },
    false,
    true,
  );
}

/** Feeds by folder: each is a generic-provider base URL. */
const feeds: Record<string, Record<string, string | Buffer>> = {};

let server: Server;
let base: string;
const requests: string[] = [];

beforeAll(async () => {
  feeds.good = {
    'latest.yml': await channelFile('1.2.0', 'Calmline-Setup-1.2.0.exe', installer),
    'pilot.yml': await channelFile('1.3.0-pilot.1', 'Calmline-Setup-1.3.0-pilot.1.exe', pilotInstaller),
    'Calmline-Setup-1.2.0.exe': installer,
    'Calmline-Setup-1.3.0-pilot.1.exe': pilotInstaller,
  };
  feeds.corrupt = { 'latest.yml': 'version: [1.2.0\nfiles: {{{ not yaml' };
  feeds['no-version'] = { 'latest.yml': serializeToYaml({ files: [], releaseDate: 'yesterday' }) };
  feeds['wrong-checksum'] = {
    'latest.yml': await channelFile('1.2.0', 'Calmline-Setup-1.2.0.exe', installer, Buffer.from('another file')),
    'Calmline-Setup-1.2.0.exe': installer,
  };
  feeds.empty = {};
  server = createServer((request, response) => {
    requests.push(request.url ?? '');
    const [, feed = '', name = ''] = new URL(request.url ?? '/', 'http://x').pathname.split('/');
    const body = feeds[feed]?.[name];
    if (body === undefined) {
      response.writeHead(404).end('not found');
      return;
    }
    response.writeHead(200, { 'content-length': Buffer.byteLength(body) }).end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server?.close();
});

async function updaterOn(feed: string, channel: 'stable' | 'pilot' = 'stable', currentVersion = '1.0.0') {
  const updater = new FeedUpdater({
    currentVersion,
    platform: 'win32',
    downloadDir: await mkdtemp(join(tmpdir(), 'calmline-update-')),
  });
  updater.configure({ url: `${base}/${feed}/`, channel });
  return updater;
}

describe('the update feed', () => {
  it('finds a newer version in latest.yml and downloads it with a verified sha512', async () => {
    const updater = await updaterOn('good');
    expect(await updater.check()).toEqual({ version: '1.2.0' });
    await updater.download();
    expect(readFileSync(updater.downloadedFile!)).toEqual(installer);
    expect(requests).toContain('/good/latest.yml');
  });

  it('reads pilot.yml on the pilot channel', async () => {
    const updater = await updaterOn('good', 'pilot');
    expect(await updater.check()).toEqual({ version: '1.3.0-pilot.1' });
    await updater.download();
    expect(readFileSync(updater.downloadedFile!)).toEqual(pilotInstaller);
  });

  it('answers no update when this version is current', async () => {
    expect(await (await updaterOn('good', 'stable', '1.2.0')).check()).toBeNull();
    expect(compareVersions('1.3.0-pilot.1', '1.3.0')).toBeLessThan(0);
    expect(compareVersions('1.10.0', '1.9.9')).toBeGreaterThan(0);
  });

  it('refuses a corrupt feed, a feed without a version, and a missing channel file', async () => {
    await expect((await updaterOn('corrupt')).check()).rejects.toMatchObject({
      code: 'ERR_UPDATER_INVALID_UPDATE_INFO',
    });
    await expect((await updaterOn('no-version')).check()).rejects.toThrow(/version/i);
    await expect((await updaterOn('empty')).check()).rejects.toMatchObject({
      code: 'ERR_UPDATER_CHANNEL_FILE_NOT_FOUND',
    });
  });

  it('refuses a download whose sha512 does not match, and keeps no file', async () => {
    const updater = await updaterOn('wrong-checksum');
    const dir = (updater as unknown as { options: { downloadDir: string } }).options.downloadDir;
    expect(await updater.check()).toEqual({ version: '1.2.0' });
    await expect(updater.download()).rejects.toMatchObject({ code: 'ERR_CHECKSUM_MISMATCH' });
    expect(updater.downloadedFile).toBeUndefined();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('through the scheduler: a good feed ends downloaded, a bad checksum in error, never downloaded', async () => {
    for (const [feed, expected] of [
      ['good', 'downloaded'],
      ['wrong-checksum', 'error'],
      ['corrupt', 'error'],
    ] as const) {
      const clock = createFakeClock();
      const updater = new FeedUpdater({
        currentVersion: '1.0.0',
        platform: 'win32',
        downloadDir: await mkdtemp(join(tmpdir(), 'calmline-update-')),
      });
      const scheduler = new UpdateScheduler({
        settings: { ...DEFAULT_UPDATE_SETTINGS, feedUrl: `${base}/${feed}/` },
        updater,
        clock,
        logger: silentLogger,
        activity: () => ({ status: 'in-call', liveCalls: 1 }),
      });
      scheduler.start();
      const states: string[] = [];
      scheduler.onChange((state) => states.push(state.status));
      const done = await scheduler.checkNow();
      expect(done.status, feed).toBe(expected);
      if (expected === 'error') expect(states, feed).not.toContain('downloaded');
      else expect(existsSync(updater.downloadedFile!)).toBe(true);
      scheduler.stop();
    }
  });
});
