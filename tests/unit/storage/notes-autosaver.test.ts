import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/logger';
import type { CallHistory, NoteReceipt } from '../../../src/core/storage/history/call-history';
import { FileCallHistory } from '../../../src/core/storage/history/file-call-history';
import { NotesAutosaver, type NoteSaveStatus } from '../../../src/core/storage/history/notes-autosaver';
import { StorageError } from '../../../src/core/storage/files/storage-error';
import { createFakeClock, type FakeClock } from '../../support/fake-clock';
import { createFaultyFs, tempDir } from './storage-test-kit';

/** Lets pending promise callbacks run (no time passes: the clock is fake). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

interface PendingSave {
  callId: string;
  text: string;
  at: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** A history whose saves complete when the test says so. */
function createManualHistory(clock: FakeClock) {
  const saves: PendingSave[] = [];
  const history: Pick<CallHistory, 'saveNote'> = {
    saveNote: (callId, text) =>
      new Promise<NoteReceipt>((resolve, reject) => {
        saves.push({
          callId,
          text,
          at: clock.now(),
          resolve: () => resolve({ callId, savedAt: clock.now(), bytesWritten: text.length }),
          reject,
        });
      }),
  };
  return { history, saves };
}

function setup(options: { retry?: { firstMs: number; maxMs: number } } = {}) {
  const clock = createFakeClock();
  const { history, saves } = createManualHistory(clock);
  const saver = new NotesAutosaver({ history, clock, logger: silentLogger, author: () => 'Anna', ...options });
  const statuses: NoteSaveStatus[] = [];
  saver.onStatus((status) => statuses.push(status));
  return { clock, saves, saver, statuses };
}

describe('NotesAutosaver', () => {
  it('saves half a second after the last keystroke and says saved only when the save resolved', async () => {
    const { clock, saves, saver } = setup();
    expect(saver.edit('c1', 'Kunde')).toMatchObject({ state: 'unsaved' });
    clock.advance(300);
    saver.edit('c1', 'Kunde ist');
    clock.advance(499);
    expect(saves).toHaveLength(0);
    clock.advance(1);
    expect(saves.map((save) => save.text)).toEqual(['Kunde ist']);
    expect(saver.status('c1')?.state).toBe('saving');
    await settle();
    expect(saver.status('c1')?.state).toBe('saving');
    saves[0]?.resolve();
    await settle();
    expect(saver.status('c1')).toEqual({ callId: 'c1', state: 'saved', savedAt: clock.now() });
  });

  it('saves at least once a second while the agent keeps typing, and within a second of the last key', async () => {
    const { clock, saves, saver } = setup();
    const start = clock.now();
    let text = '';
    for (let i = 0; i < 25; i += 1) {
      text += 'x';
      saver.edit('c1', text);
      clock.advance(200);
      for (const save of saves) save.resolve();
      await settle();
    }
    const lastKey = clock.now() - 200;
    clock.advance(1000);
    for (const save of saves) save.resolve();
    await settle();
    const times = [start, ...saves.map((save) => save.at)];
    for (let i = 1; i < times.length - 1; i += 1)
      expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeLessThanOrEqual(1000);
    expect((saves.at(-1)?.at ?? Infinity) - lastKey).toBeLessThanOrEqual(1000);
    expect(saves.at(-1)?.text).toBe(text);
    expect(saver.status('c1')?.state).toBe('saved');
  });

  it('saves again when the agent typed during a save', async () => {
    const { clock, saves, saver } = setup();
    saver.edit('c1', 'one');
    clock.advance(500);
    saver.edit('c1', 'one two');
    saves[0]?.resolve();
    await settle();
    expect(saver.status('c1')?.state).toBe('unsaved');
    clock.advance(500);
    expect(saves.map((save) => save.text)).toEqual(['one', 'one two']);
    saves[1]?.resolve();
    await settle();
    expect(saver.status('c1')?.state).toBe('saved');
  });

  it('flushes every unsaved note at once on close and resolves when they are on disk', async () => {
    const { clock, saves, saver } = setup();
    saver.edit('c1', 'first call');
    saver.edit('c2', 'second call');
    const flushed = saver.flush();
    expect(saves.map((save) => save.callId)).toEqual(['c1', 'c2']);
    for (const save of saves) save.resolve();
    expect(await flushed).toEqual({ saved: ['c1', 'c2'], failed: [] });
    expect(saver.unsaved()).toEqual([]);
    clock.advance(5000);
    expect(saves).toHaveLength(2);
  });

  it('keeps the text when the disk is full, shows why, and retries with backoff until it is saved', async () => {
    const { clock, saves, saver } = setup({ retry: { firstMs: 1000, maxMs: 4000 } });
    saver.edit('c1', 'threat: "I will sue you"');
    clock.advance(500);
    const diskFull = new StorageError('disk-full', 'Could not save history/2025-03/2025-03-14.json: the disk is full.');
    const retries: number[] = [];
    for (let attempt = 0; attempt < 4; attempt += 1) {
      saves.at(-1)?.reject(diskFull);
      await settle();
      const status = saver.status('c1');
      expect(status).toMatchObject({ state: 'error', error: { code: 'disk-full' } });
      retries.push((status?.retryAt ?? 0) - clock.now());
      expect(saver.text('c1')).toBe('threat: "I will sue you"');
      clock.advance(retries.at(-1) ?? 0);
    }
    expect(retries).toEqual([1000, 2000, 4000, 4000]);
    expect(saves).toHaveLength(5);
    saves.at(-1)?.resolve();
    await settle();
    expect(saver.status('c1')?.state).toBe('saved');
    expect(saver.unsaved()).toEqual([]);
  });

  it('does not retry what retrying cannot fix, but keeps the text', async () => {
    const { clock, saves, saver } = setup();
    saver.edit('gone', 'text');
    clock.advance(500);
    saves[0]?.reject(new StorageError('not-found', 'Call gone is not in the history.'));
    await settle();
    expect(saver.status('gone')).toMatchObject({ state: 'error', error: { code: 'not-found' } });
    expect(saver.status('gone')?.retryAt).toBeUndefined();
    expect(clock.pendingTimers()).toBe(0);
    expect(saver.text('gone')).toBe('text');
  });

  it('reports the notes a flush could not save, and keeps them', async () => {
    const { saves, saver } = setup();
    saver.edit('c1', 'a');
    const flushed = saver.flush();
    saves[0]?.reject(new StorageError('read-only', 'read-only'));
    await settle();
    saves[1]?.reject(new StorageError('read-only', 'read-only'));
    expect(await flushed).toEqual({
      saved: [],
      failed: [{ callId: 'c1', error: { code: 'read-only', message: 'read-only' } }],
    });
    expect(saver.release('c1')).toBe(false);
    expect(saver.text('c1')).toBe('a');
  });

  it('releases a saved note from memory', async () => {
    const { saves, saver } = setup();
    saver.edit('c1', 'a');
    const flushed = saver.flush();
    saves[0]?.resolve();
    await flushed;
    expect(saver.release('c1')).toBe(true);
    expect(saver.text('c1')).toBeUndefined();
  });

  it('with the real history: a disk-full save is retried and lands on disk once space is back', async () => {
    const dir = tempDir();
    const fs = createFaultyFs();
    const clock = createFakeClock();
    const history = await FileCallHistory.open({ dir, clock, logger: silentLogger, fs });
    await history.recordCall({
      callId: 'c1',
      number: '+491701234567',
      name: 'X',
      direction: 'inbound',
      startedAt: clock.now(),
      agent: 'Anna',
    });
    const saver = new NotesAutosaver({ history, clock, logger: silentLogger, author: () => 'Anna' });
    const reached = (state: NoteSaveStatus['state']) =>
      new Promise<NoteSaveStatus>((resolve) => {
        const off = saver.onStatus((status) => {
          if (status.state === state) {
            off();
            resolve(status);
          }
        });
      });

    fs.failWith('ENOSPC', ['writeAll']);
    const failed = reached('error');
    saver.edit('c1', 'Physical threat at 09:14, caller said he would come by.');
    clock.advance(500);
    expect((await failed).error?.code).toBe('disk-full');

    fs.heal();
    const saved = reached('saved');
    clock.advance(1000);
    await saved;
    const day = readFileSync(join(dir, '2025-03', '2025-03-14.json'), 'utf8');
    expect(day).toContain('Physical threat at 09:14');
  });
});
