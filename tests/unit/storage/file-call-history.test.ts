import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/logger';
import type { CallRecordInput } from '../../../src/shared/call-record';
import type { CoreLogger } from '../../../src/core/logger';
import { FileCallHistory } from '../../../src/core/storage/history/file-call-history';
import { StorageError } from '../../../src/core/storage/files/storage-error';
import { nodeStorageFs, type StorageFs } from '../../../src/core/storage/files/storage-fs';
import { createFakeClock, type FakeClock } from '../../support/fake-clock';
import { closeAfterTest, createFaultyFs, createRecordingLogger, tempDir } from './storage-test-kit';

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 2, 14, 9, 0);

function call(callId: string, startedAt: number, extra: Partial<CallRecordInput> = {}): CallRecordInput {
  return {
    callId,
    number: '+49301234567',
    name: 'Erika Mustermann',
    direction: 'inbound',
    startedAt,
    agent: 'Anna',
    ...extra,
  };
}

interface OpenOptions {
  fs?: StorageFs;
  clock?: FakeClock;
  granularity?: 'day' | 'month';
  logger?: CoreLogger;
}

// Every behaviour holds whether the index of the whole history runs in its worker
// thread (the default) or on the main thread (the fallback).
describe.each(['worker', 'main-thread'] as const)('FileCallHistory (index in %s)', (mode) => {
  async function open(dir: string, options: OpenOptions = {}) {
    const clock = options.clock ?? createFakeClock(T0);
    const history = closeAfterTest(
      await FileCallHistory.open({
        dir,
        clock,
        logger: options.logger ?? silentLogger,
        fs: options.fs ?? nodeStorageFs,
        index: mode,
        ...(options.granularity ? { granularity: options.granularity } : {}),
      }),
    );
    return { history, clock };
  }

  it('round-trips calls and notes across a restart, one file per UTC day', async () => {
    const dir = tempDir();
    const { history } = await open(dir);
    await history.recordCall(call('a', T0));
    await history.recordCall(call('b', T0 + DAY, { number: '+4940555', name: 'Jan Jansen', direction: 'outbound' }));
    const receipt = await history.saveNote('a', 'Kunde verärgert: Rechnung doppelt.\r\nRückruf versprochen.', 'Anna');
    expect(receipt).toMatchObject({ callId: 'a', savedAt: T0 });
    await history.recordCall(call('a', T0, { endedAt: T0 + 300_000 }));

    expect(readdirSync(join(dir, '2025-03')).sort()).toEqual(['2025-03-14.json', '2025-03-15.json']);
    expect(statSync(join(dir, '2025-03', '2025-03-14.json')).mode & 0o777).toBe(0o600);
    const reopened = (await open(dir)).history;
    expect(await reopened.getCall('a')).toEqual({
      ...call('a', T0),
      endedAt: T0 + 300_000,
      note: { text: 'Kunde verärgert: Rechnung doppelt.\nRückruf versprochen.', updatedAt: T0, author: 'Anna' },
    });
    expect((await reopened.getCall('b'))?.name).toBe('Jan Jansen');
    expect((await reopened.callsFor('0049 30 123-4567')).map((record) => record.callId)).toEqual(['a']);
  });

  it('rewrites only the day of the call when a note is saved', async () => {
    const dir = tempDir();
    const fs = createFaultyFs();
    const { history } = await open(dir, { fs });
    for (let day = 0; day < 30; day += 1) {
      // Recorded together, the calls of a day share one coalesced write.
      await Promise.all(
        Array.from({ length: 20 }, (_, n) => history.recordCall(call(`c${day}-${n}`, T0 + day * DAY + n * 60_000))),
      );
    }
    const before = fs.bytesWritten;
    const receipt = await history.saveNote('c29-5', 'short note', 'Anna');
    const dayFile = join(dir, '2025-04', '2025-04-12.json');
    expect(fs.bytesWritten - before).toBe(readFileSync(dayFile).byteLength);
    expect(receipt.bytesWritten).toBe(readFileSync(dayFile).byteLength);
    expect(receipt.bytesWritten).toBeLessThan(10_000);
  });

  it('refuses a note for an unknown call and a note over the size limit', async () => {
    const { history } = await open(tempDir());
    await expect(history.saveNote('nope', 'x', 'Anna')).rejects.toMatchObject({ code: 'not-found' });
    await history.recordCall(call('a', T0));
    await expect(history.saveNote('a', 'x'.repeat(20_001), 'Anna')).rejects.toMatchObject({ code: 'invalid-input' });
    await expect(history.recordCall({ ...call('', T0) })).rejects.toBeInstanceOf(StorageError);
  });

  it('keeps the note in memory and rejects with disk-full when the disk is full, then saves it once space is back', async () => {
    const dir = tempDir();
    const fs = createFaultyFs();
    const { history } = await open(dir, { fs });
    await history.recordCall(call('a', T0));
    fs.failWith('ENOSPC', ['writeAll']);
    const error = await history.saveNote('a', 'threatened to sue', 'Anna').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).code).toBe('disk-full');
    expect((await history.getCall('a'))?.note?.text).toBe('threatened to sue');
    expect((await (await open(dir)).history.getCall('a'))?.note).toBeUndefined();
    expect(readFileSync(join(dir, '2025-03', '2025-03-14.json'), 'utf8')).not.toContain('threatened');
    fs.heal();
    await history.saveNote('a', 'threatened to sue', 'Anna');
    expect((await (await open(dir)).history.getCall('a'))?.note?.text).toBe('threatened to sue');
  });

  it('reports read-only when the data folder is on a read-only disk', async () => {
    const fs = createFaultyFs();
    const { history } = await open(tempDir(), { fs });
    fs.failWith('EROFS', ['open', 'mkdir']);
    await expect(history.recordCall(call('a', T0))).rejects.toMatchObject({ code: 'read-only' });
  });

  it('moves a corrupt day aside and still loads every other day', async () => {
    const dir = tempDir();
    const { history } = await open(dir);
    await history.recordCall(call('good', T0));
    await history.recordCall(call('lost', T0 + DAY));
    writeFileSync(
      join(dir, '2025-03', '2025-03-15.json'),
      '{"format":"calmline/call-history-partition","schemaVersion":1,"da',
    );
    const reopened = (await open(dir)).history;
    await reopened.warmUp();
    expect(await reopened.getCall('good')).toBeDefined();
    expect(await reopened.getCall('lost')).toBeUndefined();
    const [notice] = reopened.notices();
    expect(notice?.message).toContain('history/2025-03/2025-03-15.json');
    expect(notice?.keptAs).toMatch(/2025-03-15\.json\.corrupt-/);
    expect(existsSync(notice?.keptAs ?? '')).toBe(true);
    // New calls of that day go to a fresh file.
    await reopened.recordCall(call('new', T0 + DAY + 1000));
    expect(await (await open(dir)).history.getCall('new')).toBeDefined();
  });

  it('removes temp files left by a crash when it opens', async () => {
    const dir = tempDir();
    const { history } = await open(dir);
    await history.recordCall(call('a', T0));
    writeFileSync(join(dir, '2025-03', '2025-03-14.json.tmp-999-1'), 'half a wri');
    await open(dir);
    expect(readdirSync(join(dir, '2025-03'))).toEqual(['2025-03-14.json']);
  });

  it('deletes calls and notes older than the retention period, whole days as files', async () => {
    const dir = tempDir();
    const clock = createFakeClock(T0);
    const { history } = await open(dir, { clock });
    for (let day = 0; day < 10; day += 1) {
      await history.recordCall(call(`d${day}-early`, T0 + day * DAY - 3 * 3_600_000));
      await history.recordCall(call(`d${day}-late`, T0 + day * DAY + 3 * 3_600_000));
      await history.saveNote(`d${day}-late`, `note of day ${day}`, 'Anna');
    }
    const now = T0 + 9 * DAY;
    // Keep 3 days: the cut falls on day 6 at 09:00, between its early (06:00) and late (12:00) call.
    const result = await history.purgeOlderThan(3, now);
    expect(result).toEqual({ recordsDeleted: 13, filesDeleted: 6, keptAsideFilesDeleted: 0, failedFiles: [] });
    const reopened = (await open(dir)).history;
    expect(await reopened.getCall('d5-late')).toBeUndefined();
    expect(await reopened.getCall('d6-early')).toBeUndefined();
    expect((await reopened.getCall('d6-late'))?.note?.text).toBe('note of day 6');
    expect((await reopened.search({ text: 'note day' })).total).toBe(4);
    expect(readdirSync(join(dir, '2025-03')).sort()).toEqual([
      '2025-03-20.json',
      '2025-03-21.json',
      '2025-03-22.json',
      '2025-03-23.json',
    ]);
    await expect(history.purgeOlderThan(0, now)).rejects.toMatchObject({ code: 'invalid-input' });
  });

  it('works the same with month partitions (the benchmark comparison)', async () => {
    const dir = tempDir();
    const { history } = await open(dir, { granularity: 'month' });
    await history.recordCall(call('a', T0));
    await history.recordCall(call('b', T0 + 30 * DAY));
    await history.saveNote('a', 'monthly', 'Anna');
    expect(readdirSync(dir).sort()).toEqual(['2025-03.json', '2025-04.json']);
    const reopened = (await open(dir, { granularity: 'month' })).history;
    expect((await reopened.getCall('a'))?.note?.text).toBe('monthly');
  });

  it('holds on the main thread only the days it writes, and finds the rest through the index', async () => {
    const dir = tempDir();
    const { history } = await open(dir);
    for (let day = 0; day < 30; day += 1) {
      await history.recordCall(call(`c${day}`, T0 - day * DAY, { number: `+49301000${String(day).padStart(2, '0')}` }));
    }
    await history.saveNote('c20', 'Router replaced, customer calm', 'Anna');
    const reopened = (await open(dir)).history;
    expect((await reopened.search({ text: 'router' })).hits.map((hit) => hit.callId)).toEqual(['c20']);
    expect((await reopened.callsFor('+49 30 1000 20')).map((record) => record.callId)).toEqual(['c20']);
    expect(await reopened.stats()).toEqual({
      partitions: 30,
      loadedPartitions: 30,
      mainThreadPartitions: 1,
      calls: 30,
      indexedWords: expect.any(Number),
      index: mode,
    });
    // A note on an old call loads that call's day on the main thread, and only that day.
    await reopened.saveNote('c25', 'Called back about the router', 'Anna');
    expect((await reopened.stats()).mainThreadPartitions).toBe(2);
    expect((await reopened.search({ text: 'router' })).hits.map((hit) => hit.callId)).toEqual(['c20', 'c25']);
    expect((await (await open(dir)).history.getCall('c25'))?.note?.text).toBe('Called back about the router');
    await expect(reopened.saveNote('never-recorded', 'x', 'Anna')).rejects.toMatchObject({ code: 'not-found' });
  });

  it('shows a saved note in search as soon as the save resolves, also while the history is still loading', async () => {
    const dir = tempDir();
    const { history } = await open(dir);
    for (let day = 0; day < 60; day += 1) {
      await history.recordCall(call(`c${day}`, T0 - day * DAY));
      await history.saveNote(`c${day}`, `alpha note of day ${day}`, 'Anna');
    }
    const reopened = (await open(dir)).history;
    const loading = reopened.warmUp();
    await reopened.saveNote('c0', 'beta gamma', 'Anna');
    await reopened.saveNote('c45', 'gamma delta', 'Anna');
    expect((await reopened.search({ text: 'gamma' })).hits.map((hit) => hit.callId)).toEqual(['c0', 'c45']);
    expect((await reopened.search({ text: 'alpha' })).total).toBe(58);
    await loading;
    expect((await (await open(dir)).history.search({ text: 'gamma' })).total).toBe(2);
  });

  it('moves a corrupt day aside once (on the main thread) and indexes what could be salvaged', async () => {
    const dir = tempDir();
    const { history } = await open(dir);
    await history.recordCall(call('today', T0));
    const day = join(dir, '2025-03', '2025-03-09.json');
    const kept = { ...call('kept', T0 - 5 * DAY), note: { text: 'salvaged words', updatedAt: T0, author: 'Anna' } };
    writeFileSync(
      day,
      JSON.stringify({
        format: 'calmline/call-history-partition',
        schemaVersion: 1,
        data: { records: [kept, { callId: 7 }] },
      }),
    );
    const reopened = (await open(dir)).history;
    expect((await reopened.search({ text: 'salvaged' })).hits.map((hit) => hit.callId)).toEqual(['kept']);
    expect(reopened.notices()).toMatchObject([{ code: 'file-kept-aside', reason: 'schema', recovered: 1 }]);
    expect(readdirSync(join(dir, '2025-03')).filter((name) => name.includes('.corrupt-'))).toHaveLength(1);
    // The recovered record was written back at once.
    expect(readFileSync(day, 'utf8')).toContain('salvaged words');
    await reopened.saveNote('kept', 'salvaged and edited', 'Anna');
    expect((await (await open(dir)).history.getCall('kept'))?.note?.text).toBe('salvaged and edited');
  });

  // Only the worker variant has a worker to lose: registered there alone, not skipped in the other.
  if (mode === 'worker') {
    it('answers on the main thread when the index worker dies', async () => {
      const dir = tempDir();
      const logger = createRecordingLogger();
      const { history } = await open(dir);
      for (let day = 0; day < 10; day += 1) {
        await history.recordCall(call(`c${day}`, T0 - day * DAY));
        await history.saveNote(`c${day}`, `note ${day} about invoices`, 'Anna');
      }
      const reopened = (await open(dir, { logger })).history;
      await reopened.warmUp();
      // Reaches into the running index to kill its worker thread, as a crash would.
      await (reopened as unknown as { index: { worker: { terminate(): Promise<number> } } }).index.worker.terminate();
      expect((await reopened.search({ text: 'invoices' })).total).toBe(10);
      await reopened.saveNote('c9', 'note 9 now about refunds', 'Anna');
      expect((await reopened.search({ text: 'refunds' })).hits.map((hit) => hit.callId)).toEqual(['c9']);
      expect((await reopened.stats()).index).toBe('main-thread');
      expect(logger.lines.some((line) => line.startsWith('error: The history index worker failed'))).toBe(true);
    });
  }

  it('deletes kept-aside files moved aside before the cut-off, logging each by name, and keeps younger ones', async () => {
    const dir = tempDir();
    const logger = createRecordingLogger();
    const { history } = await open(dir, { logger });
    await history.recordCall(call('a', T0));
    mkdirSync(join(dir, '2025-01'), { recursive: true });
    // T0 is 2025-03-14 09:00 UTC; 30 days of retention cut at 2025-02-12 09:00.
    const old = [
      join(dir, '2024-12.json.corrupt-20241231T235959999Z'),
      join(dir, '2025-01', '2025-01-10.json.corrupt-20250110T120000000Z'),
      join(dir, '2025-01', '2025-01-10.json.corrupt-20250110T120000000Z-2'),
    ];
    const young = [
      // Its day is old, but it was moved aside recently: IT may still want it.
      join(dir, '2025-03', '2025-03-01.json.corrupt-20250310T080000000Z'),
      join(dir, '2025-01', '2025-01-11.json.corrupt-20250212T090000000Z'),
    ];
    const notKeptAside = [
      join(dir, '2025-01', 'readme.txt'),
      join(dir, '2025-01', '2025-01-12.json.corrupt-20251310T000000000Z'),
      join(dir, '2025-01', '2025-01-13.json.corrupt-yesterday'),
    ];
    for (const path of [...old, ...young, ...notKeptAside]) writeFileSync(path, 'Kunde drohte mit Anwalt');
    const result = await history.purgeOlderThan(30, T0);
    expect(result).toEqual({ recordsDeleted: 0, filesDeleted: 0, keptAsideFilesDeleted: 3, failedFiles: [] });
    for (const path of old) expect(existsSync(path), path).toBe(false);
    for (const path of [...young, ...notKeptAside]) expect(existsSync(path), path).toBe(true);
    expect(logger.lines.filter((line) => line.includes('kept-aside'))).toEqual([
      'info: Retention deleted the kept-aside file history/2024-12.json.corrupt-20241231T235959999Z (kept aside 2024-12-31T23:59:59.999Z, more than 30 days ago).',
      'info: Retention deleted the kept-aside file history/2025-01/2025-01-10.json.corrupt-20250110T120000000Z (kept aside 2025-01-10T12:00:00.000Z, more than 30 days ago).',
      'info: Retention deleted the kept-aside file history/2025-01/2025-01-10.json.corrupt-20250110T120000000Z-2 (kept aside 2025-01-10T12:00:00.000Z, more than 30 days ago).',
    ]);
    expect(await history.getCall('a')).toBeDefined();
  });

  it('deletes a day file it moved aside itself once the retention period has passed since', async () => {
    const dir = tempDir();
    const clock = createFakeClock(T0);
    const { history } = await open(dir, { clock });
    await history.recordCall(call('a', T0));
    writeFileSync(join(dir, '2025-03', '2025-03-14.json'), 'not json, but it held notes');
    const reopened = (await open(dir, { clock })).history;
    const keptAs = reopened.notices()[0]?.keptAs ?? '';
    expect(existsSync(keptAs)).toBe(true);
    expect((await reopened.purgeOlderThan(30, T0 + 30 * DAY)).keptAsideFilesDeleted).toBe(0);
    expect(existsSync(keptAs)).toBe(true);
    expect((await reopened.purgeOlderThan(30, T0 + 30 * DAY + 1)).keptAsideFilesDeleted).toBe(1);
    expect(existsSync(keptAs)).toBe(false);
  });
});
