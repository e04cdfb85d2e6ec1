/**
 * The failure paths on a real file system: a 64 kB tmpfs that really fills up, and the
 * same tmpfs remounted read-only. Needs root (mount); skipped with the reason otherwise.
 * (Running as root, chmod does not stop writes, so permissions cannot simulate this.)
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/logger';
import { FileCallHistory } from '../../../src/core/storage/history/file-call-history';
import { NotesAutosaver, type NoteSaveStatus } from '../../../src/core/storage/history/notes-autosaver';
import { createFakeClock } from '../../support/fake-clock';
import { tempDir } from './storage-test-kit';

function tryMount(dir: string): string | undefined {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'tmpfs', dir], { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    return `mount -t tmpfs failed (${String(error).split('\n')[0]}); needs root`;
  }
}

/** Writes 4 kB blocks until the disk is full; returns the filler's path. */
function fillDisk(dir: string): string {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(4096, 1);
  try {
    for (;;) writeSync(fd, block);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
  return path;
}

describe('on a real tiny disk', () => {
  let mountPoint = '';
  let skipReason: string | undefined;

  beforeEach(() => {
    mountPoint = join(tempDir(), 'tmpfs');
    mkdirSync(mountPoint);
    skipReason = tryMount(mountPoint);
  });

  afterEach(() => {
    if (skipReason) return;
    execFileSync('umount', [mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  });

  it('a full disk gives disk-full, keeps the old file whole and the note in memory, and the retry saves it', async (context) => {
    if (skipReason) context.skip(skipReason);
    const clock = createFakeClock();
    const dir = join(mountPoint, 'history');
    const history = await FileCallHistory.open({ dir, clock, logger: silentLogger });
    await history.recordCall({
      callId: 'c1',
      number: '+491',
      name: 'X',
      direction: 'inbound',
      startedAt: clock.now(),
      agent: 'Anna',
    });
    await history.saveNote('c1', 'first version', 'Anna');
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

    const filler = fillDisk(mountPoint);
    const failed = reached('error');
    saver.edit('c1', `second version ${'x'.repeat(3000)}`);
    clock.advance(500);
    const status = await failed;
    expect(status.error?.code).toBe('disk-full');
    expect(status.error?.message).toContain('the disk is full');
    const dayFile = join(dir, '2025-03', '2025-03-14.json');
    expect(readFileSync(dayFile, 'utf8')).toContain('first version');
    expect(saver.text('c1')).toMatch(/^second version/);

    unlinkSync(filler);
    const saved = reached('saved');
    clock.advance((status.retryAt ?? clock.now()) - clock.now());
    await saved;
    const reopened = await FileCallHistory.open({ dir, clock, logger: silentLogger });
    expect((await reopened.getCall('c1'))?.note?.text).toMatch(/^second version/);
  });

  it('a read-only disk gives read-only and the file stays as it was', async (context) => {
    if (skipReason) context.skip(skipReason);
    const clock = createFakeClock();
    const dir = join(mountPoint, 'history');
    const history = await FileCallHistory.open({ dir, clock, logger: silentLogger });
    await history.recordCall({
      callId: 'c1',
      number: '+491',
      name: 'X',
      direction: 'inbound',
      startedAt: clock.now(),
      agent: 'Anna',
    });
    execFileSync('mount', ['-o', 'remount,ro', mountPoint]);
    try {
      await expect(history.saveNote('c1', 'not now', 'Anna')).rejects.toMatchObject({ code: 'read-only' });
    } finally {
      execFileSync('mount', ['-o', 'remount,rw', mountPoint]);
    }
    await history.saveNote('c1', 'now', 'Anna');
    expect((await (await FileCallHistory.open({ dir, clock, logger: silentLogger })).getCall('c1'))?.note?.text).toBe(
      'now',
    );
  });
});
