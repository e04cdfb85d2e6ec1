import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { silentLogger } from '../../../src/core/logger';
import { DocumentStore, type DocumentSpec } from '../../../src/core/storage/files/document-store';
import type { StorageError } from '../../../src/core/storage/files/storage-error';
import { nodeStorageFs, type StorageFs } from '../../../src/core/storage/files/storage-fs';
import { createFakeClock } from '../../support/fake-clock';
import { createFaultyFs, createRecordingLogger, tempDir } from './storage-test-kit';

interface Items {
  items: { name: string; count: number }[];
}

const itemSchema = z.object({ name: z.string(), count: z.number().int() });

/** Version 3; v1 stored `names: string[]`, v2 stored `items: {name}[]` without counts. */
const spec: DocumentSpec<Items> = {
  format: 'calmline/test-items',
  version: 3,
  schema: z.object({ items: z.array(itemSchema) }),
  migrations: [
    {
      from: 1,
      migrate: (data) => ({
        items: z
          .object({ names: z.array(z.string()) })
          .parse(data)
          .names.map((name) => ({ name })),
      }),
    },
    {
      from: 2,
      migrate: (data) => ({
        items: z
          .object({ items: z.array(z.object({ name: z.string() })) })
          .parse(data)
          .items.map((item) => ({ ...item, count: 1 })),
      }),
    },
  ],
  empty: () => ({ items: [] }),
  salvage: (data) => {
    const items = z.object({ items: z.array(z.unknown()) }).safeParse(data);
    if (!items.success) return undefined;
    const kept = items.data.items.flatMap((item) => {
      const parsed = itemSchema.safeParse(item);
      return parsed.success ? [parsed.data] : [];
    });
    return kept.length > 0 ? { data: { items: kept }, recovered: kept.length } : undefined;
  },
};

function open(dir: string, fs: StorageFs = nodeStorageFs, logger = silentLogger) {
  const clock = createFakeClock();
  const store = new DocumentStore({ fs, path: join(dir, 'items.json'), spec, clock, logger, label: 'items.json' });
  return { store, clock, path: join(dir, 'items.json') };
}

function envelope(version: number, data: unknown, format = spec.format): string {
  return JSON.stringify({ format, schemaVersion: version, savedAt: 0, data });
}

describe('DocumentStore', () => {
  it('starts empty without a file and round-trips what it writes', async () => {
    const dir = tempDir();
    const { store, path } = open(dir);
    expect(await store.load()).toEqual({ data: { items: [] }, existed: false });
    const data: Items = { items: [{ name: 'Müller – „Rückruf“ 📞', count: 2 }] };
    const receipt = await store.write(() => data);
    expect(receipt.bytes).toBe(readFileSync(path).byteLength);
    const onDisk = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    expect(onDisk).toMatchObject({ format: 'calmline/test-items', schemaVersion: 3, data });
    expect(await open(dir).store.load()).toEqual({ data, existed: true });
  });

  it('migrates a version 1 file through every step to the current version', async () => {
    const dir = tempDir();
    const { store, path } = open(dir);
    writeFileSync(path, envelope(1, { names: ['a', 'b'] }));
    const loaded = await store.load();
    expect(loaded.data).toEqual({
      items: [
        { name: 'a', count: 1 },
        { name: 'b', count: 1 },
      ],
    });
    expect(loaded.migratedFrom).toBe(1);
    expect(loaded.notice).toBeUndefined();
  });

  it('migrates a version 2 file with only the last step', async () => {
    const dir = tempDir();
    const { store, path } = open(dir);
    writeFileSync(path, envelope(2, { items: [{ name: 'x' }] }));
    expect((await store.load()).data).toEqual({ items: [{ name: 'x', count: 1 }] });
  });

  const corrupt: [string, string | Buffer, string][] = [
    ['truncated JSON', envelope(3, { items: [{ name: 'a', count: 1 }] }).slice(0, 40), 'not-json'],
    ['an empty file', '', 'empty'],
    ['white space only', '  \n', 'empty'],
    [
      'binary garbage',
      Buffer.from([0x00, 0xff, 0xfe, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xc3]),
      'not-text',
    ],
    ['text that is not JSON', 'hello, I am not JSON', 'not-json'],
    ['JSON of another program', '{"theme":"dark"}', 'wrong-format'],
    ['a file of another format', envelope(3, { items: [] }, 'calmline/other'), 'wrong-format'],
    ['data failing the schema', envelope(3, { items: 'not a list' }), 'schema'],
    ['a newer version', envelope(4, { items: [] }), 'newer-version'],
    ['a version that fails to migrate', envelope(1, { names: 42 }), 'migration-failed'],
  ];

  it.each(corrupt)(
    'moves %s aside, keeps its bytes, starts empty and says which file was kept',
    async (_, content, reason) => {
      const dir = tempDir();
      const logger = createRecordingLogger();
      const { store, path } = open(dir, nodeStorageFs, logger);
      writeFileSync(path, content);
      const loaded = await store.load();
      expect(loaded.data).toEqual({ items: [] });
      expect(loaded.notice).toMatchObject({ code: 'file-kept-aside', reason, recovered: 0, file: path });
      const keptAs = loaded.notice?.keptAs ?? '';
      expect(keptAs).toMatch(/items\.json\.corrupt-20250314T090000000Z$/);
      expect(readFileSync(keptAs)).toEqual(Buffer.from(content));
      expect(existsSync(path)).toBe(false);
      expect(loaded.notice?.message).toContain('items.json.corrupt-20250314T090000000Z');
      expect(loaded.notice?.message).toContain('Calmline started without its contents');
      expect(logger.lines.some((line) => line.startsWith('warn:') && line.includes('corrupt-'))).toBe(true);
      // The app goes on: the next write creates a fresh file next to the kept one.
      await store.write(() => ({ items: [{ name: 'new', count: 1 }] }));
      expect((await open(dir).store.load()).data.items).toEqual([{ name: 'new', count: 1 }]);
      expect(readdirSync(dir).sort()).toEqual(['items.json', 'items.json.corrupt-20250314T090000000Z']);
    },
  );

  it('never replaces an earlier kept file', async () => {
    const dir = tempDir();
    const { store, path } = open(dir);
    writeFileSync(path, 'first');
    await store.load();
    writeFileSync(path, 'second');
    await open(dir).store.load();
    expect(readdirSync(dir).sort()).toEqual([
      'items.json.corrupt-20250314T090000000Z',
      'items.json.corrupt-20250314T090000000Z-2',
    ]);
    expect(readFileSync(join(dir, 'items.json.corrupt-20250314T090000000Z'), 'utf8')).toBe('first');
  });

  it('recovers the valid entries of a file that fails its schema, and saves them at once', async () => {
    const dir = tempDir();
    const { store, path } = open(dir);
    writeFileSync(path, envelope(3, { items: [{ name: 'a', count: 1 }, { name: 7 }, { name: 'c', count: 3 }] }));
    const loaded = await store.load();
    expect(loaded.data.items.map((item) => item.name)).toEqual(['a', 'c']);
    expect(loaded.notice).toMatchObject({ reason: 'schema', recovered: 2 });
    expect(loaded.notice?.message).toContain('2 entries were recovered');
    expect((await open(dir).store.load()).data.items.map((item) => item.name)).toEqual(['a', 'c']);
  });

  it('leaves an unreadable file in place and refuses to overwrite it when it cannot be moved aside', async () => {
    const dir = tempDir();
    const fs = createFaultyFs();
    const { store, path } = open(dir, fs);
    writeFileSync(path, 'garbage');
    fs.failWith('EROFS', ['rename']);
    const loaded = await store.load();
    expect(loaded.notice).toMatchObject({ code: 'file-blocked', reason: 'not-json' });
    expect(loaded.notice?.message).toMatch(/could not move it aside/);
    fs.heal();
    const error = await store.write(() => ({ items: [] })).catch((e: unknown) => e);
    expect((error as StorageError).code).toBe('file-blocked');
    expect(readFileSync(path, 'utf8')).toBe('garbage');
    expect(store.blocked).toBe(true);
  });

  it('coalesces writes made while one is in flight and resolves each only once its change is on disk', async () => {
    const dir = tempDir();
    const fs = createFaultyFs();
    const { store, path } = open(dir, fs);
    let current: Items = { items: [] };
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 20; i += 1) {
      current = { items: [...current.items, { name: `n${i}`, count: i }] };
      const expected = current.items.length;
      writes.push(
        store
          .write(() => current)
          .then(() => {
            const onDisk = JSON.parse(readFileSync(path, 'utf8')) as { data: Items };
            expect(onDisk.data.items.length).toBeGreaterThanOrEqual(expected);
          }),
      );
    }
    await Promise.all(writes);
    expect((await open(dir).store.load()).data.items).toHaveLength(20);
    // The first write starts alone; the other 19 share the second.
    const fileWrites = fs.bytesWritten / readFileSync(path).byteLength;
    expect(fileWrites).toBeLessThan(3);
  });

  it('rejects every waiter of a failed write with the reason, and a later write succeeds', async () => {
    const dir = tempDir();
    const fs = createFaultyFs();
    const { store } = open(dir, fs);
    fs.failWith('ENOSPC', ['writeAll']);
    const results = await Promise.allSettled([store.write(() => ({ items: [] })), store.write(() => ({ items: [] }))]);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      if (result.status === 'rejected') expect((result.reason as StorageError).code).toBe('disk-full');
    }
    fs.heal();
    await expect(store.write(() => ({ items: [{ name: 'ok', count: 1 }] }))).resolves.toMatchObject({
      bytes: expect.any(Number),
    });
  });

  it('removes the file durably', async () => {
    const dir = tempDir();
    const { store, path } = open(dir);
    await store.write(() => ({ items: [] }));
    await store.remove();
    expect(existsSync(path)).toBe(false);
    await expect(store.remove()).resolves.toBeDefined();
  });
});
