import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { atomicWriteFile, isTempFileName } from '../../../src/core/storage/files/atomic-write';
import { StorageError } from '../../../src/core/storage/files/storage-error';
import { nodeStorageFs } from '../../../src/core/storage/files/storage-fs';
import { createFaultyFs, tempDir } from './storage-test-kit';

describe('atomicWriteFile', () => {
  it('creates and replaces a file, readable by its owner only, leaving no temp file', async () => {
    const dir = tempDir();
    const path = join(dir, 'doc.json');
    expect(await atomicWriteFile(nodeStorageFs, path, '{"v":1}')).toBe(7);
    await atomicWriteFile(nodeStorageFs, path, '{"v":2}');
    expect(readFileSync(path, 'utf8')).toBe('{"v":2}');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['doc.json']);
  });

  it.each([
    ['ENOSPC', 'writeAll', 'disk-full'],
    ['ENOSPC', 'sync', 'disk-full'],
    ['EROFS', 'open', 'read-only'],
    ['EROFS', 'rename', 'read-only'],
    ['EACCES', 'open', 'no-permission'],
    ['EIO', 'sync', 'io-error'],
  ] as const)('keeps the old version when %s hits at %s, and says %s', async (code, step, expected) => {
    const dir = tempDir();
    const path = join(dir, 'doc.json');
    writeFileSync(path, 'old');
    const fs = createFaultyFs();
    fs.failWith(code, [step], { pathIncludes: '.tmp-' });
    const error = await atomicWriteFile(fs, path, 'new').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).code).toBe(expected);
    expect((error as StorageError).message).toContain(path);
    expect(readFileSync(path, 'utf8')).toBe('old');
    expect(readdirSync(dir).filter(isTempFileName)).toEqual([]);
  });

  it('fails when the directory cannot be synced (the rename might not survive a power cut)', async () => {
    const dir = tempDir();
    const fs = createFaultyFs();
    fs.failWith('EIO', ['sync'], { pathIs: dir });
    const error = await atomicWriteFile(fs, join(dir, 'doc.json'), 'y').catch((e: unknown) => e);
    expect((error as StorageError).code).toBe('io-error');
    expect(fs.failures).toBe(1);
  });
});
