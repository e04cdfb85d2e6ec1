/**
 * Shared helpers of the storage tests: temp data folders that are removed afterwards,
 * a file system that fails on demand (ENOSPC, EROFS) at a chosen step, and a logger
 * that records what it was told.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { CoreLogger } from '../../../src/core/logger';
import { nodeStorageFs, type StorageFileHandle, type StorageFs } from '../../../src/core/storage/files/storage-fs';

const created: string[] = [];
const opened: { close(): Promise<void> }[] = [];

afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Closes `store` (e.g. a history with its index worker) after the test; returns it. */
export function closeAfterTest<T extends { close(): Promise<void> }>(store: T): T {
  opened.push(store);
  return store;
}

/** A fresh folder under the OS temp dir, removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'calmline-storage-'));
  created.push(dir);
  return dir;
}

/** Steps a FaultyFs can fail. */
export type FsStep = 'readFile' | 'open' | 'writeAll' | 'sync' | 'close' | 'rename' | 'unlink' | 'mkdir' | 'readdir';

/** A StorageFs that fails chosen steps with a chosen errno code until healed. */
export interface FaultyFs extends StorageFs {
  /**
   * From now on, `steps` fail with `code` on paths containing `pathIncludes` (or equal
   * to `pathIs`), `times` times (default: until healed).
   */
  failWith(code: string, steps: FsStep[], options?: { pathIncludes?: string; pathIs?: string; times?: number }): void;
  heal(): void;
  /** Bytes handed to `writeAll` so far. */
  bytesWritten: number;
  /** Failures injected so far. */
  failures: number;
}

/** Wraps the real file system with failure injection. */
export function createFaultyFs(base: StorageFs = nodeStorageFs): FaultyFs {
  let rule: { code: string; steps: Set<FsStep>; matches: (path: string) => boolean; remaining: number } | undefined;
  const fs: FaultyFs = {
    bytesWritten: 0,
    failures: 0,
    failWith: (code, steps, options = {}) => {
      const { pathIs, pathIncludes = '' } = options;
      rule = {
        code,
        steps: new Set(steps),
        matches: (path) => (pathIs === undefined ? path.includes(pathIncludes) : path === pathIs),
        remaining: options.times ?? Infinity,
      };
    },
    heal: () => {
      rule = undefined;
    },
    readFile: (path) => check('readFile', path, () => base.readFile(path)),
    open: (path, flags, mode) =>
      check('open', path, async () => {
        const handle = await base.open(path, flags, mode);
        const wrapped: StorageFileHandle = {
          writeAll: (data) =>
            check('writeAll', path, () => {
              fs.bytesWritten += data.byteLength;
              return handle.writeAll(data);
            }),
          sync: () => check('sync', path, () => handle.sync()),
          close: () => check('close', path, () => handle.close()),
        };
        return wrapped;
      }),
    rename: (from, to) => check('rename', [from, to], () => base.rename(from, to)),
    unlink: (path) => check('unlink', path, () => base.unlink(path)),
    mkdir: (path, mode) => check('mkdir', path, () => base.mkdir(path, mode)),
    readdir: (path) => check('readdir', path, () => base.readdir(path)),
  };
  function check<T>(step: FsStep, paths: string | string[], run: () => Promise<T>): Promise<T> {
    const path = Array.isArray(paths) ? paths.join(' -> ') : paths;
    const hit = Array.isArray(paths) ? paths.some((p) => rule?.matches(p)) : rule?.matches(paths);
    if (rule && rule.remaining > 0 && rule.steps.has(step) && hit) {
      rule.remaining -= 1;
      fs.failures += 1;
      const error = Object.assign(new Error(`${rule.code}: injected failure, ${step} '${path}'`), { code: rule.code });
      return Promise.reject(error);
    }
    return run();
  }
  return fs;
}

/** A logger keeping every line, for tests that check what the agent or IT is told. */
export function createRecordingLogger(): CoreLogger & { lines: string[] } {
  const lines: string[] = [];
  const record = (level: string) => (message: string) => {
    lines.push(`${level}: ${message}`);
  };
  return { lines, debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };
}
