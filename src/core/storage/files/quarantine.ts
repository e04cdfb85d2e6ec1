/**
 * Moving an unreadable store file aside instead of overwriting or deleting it: the
 * agent's notes may still be recoverable from it by hand.
 */
import { basename, dirname, join } from 'node:path';
import { syncDirectory } from './atomic-write';
import { toStorageError } from './storage-error';
import type { StorageFs } from './storage-fs';

/** `20250314T101500123Z`: sortable, and valid in file names on every OS (no colons). */
export function fileTimestamp(at: number): string {
  return new Date(at).toISOString().replace(/[-:.]/g, '');
}

/**
 * Renames `path` to `<name>.corrupt-<timestamp>` (with a `-2`, `-3`… suffix if that
 * name is taken, so an earlier kept file is never replaced) and returns the new path.
 */
export async function moveAside(fs: StorageFs, path: string, at: number): Promise<string> {
  const dir = dirname(path);
  const stem = `${basename(path)}.corrupt-${fileTimestamp(at)}`;
  try {
    const taken = new Set(await fs.readdir(dir));
    let name = stem;
    for (let n = 2; taken.has(name); n += 1) name = `${stem}-${n}`;
    const target = join(dir, name);
    await fs.rename(path, target);
    await syncDirectory(fs, dir);
    return target;
  } catch (error) {
    throw toStorageError(error, 'move aside', path);
  }
}

/** True for a file name `moveAside` produced. */
export function isKeptAsideName(name: string): boolean {
  return /\.corrupt-\d{8}T\d{9}Z(-\d+)?$/.test(name);
}

/** When the file named `name` was moved aside (epoch ms), or undefined if `moveAside` did not name it. */
export function keptAsideTime(name: string): number | undefined {
  const match = /\.corrupt-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z(?:-\d+)?$/.exec(name);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second, ms] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const at = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  // A name that only looks like ours (month 13…) is not a time stamp: leave the file alone.
  return fileTimestamp(at) === match[0].slice(9, 28) ? at : undefined;
}
