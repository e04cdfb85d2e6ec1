/**
 * Crash-safe replacement of a whole file: write a temp file next to it, fsync it,
 * rename it over the target, fsync the directory. A crash or power cut at any point
 * leaves either the old or the new version under the target name, never a torn one,
 * and once the promise resolves the new version survives a power cut.
 */
import { dirname } from 'node:path';
import { toStorageError } from './storage-error';
import { errorCode, PRIVATE_FILE_MODE, type StorageFs } from './storage-fs';

let tempCounter = 0;
const TEMP_PATTERN = /\.tmp-\d+-\d+$/;
const encoder = new TextEncoder();

/** True for the temp files `atomicWriteFile` leaves behind when the process dies mid-write. */
export function isTempFileName(name: string): boolean {
  return TEMP_PATTERN.test(name);
}

/**
 * Writes `data` to `path` atomically and durably; resolves with the bytes written.
 * On failure the temp file is removed, the old file is untouched, and the error is a
 * `StorageError` (`disk-full`, `read-only`…).
 */
export async function atomicWriteFile(fs: StorageFs, path: string, data: string | Uint8Array): Promise<number> {
  const bytes = typeof data === 'string' ? encoder.encode(data) : data;
  tempCounter += 1;
  const temp = `${path}.tmp-${process.pid}-${tempCounter}`;
  let handle: Awaited<ReturnType<StorageFs['open']>> | undefined;
  try {
    handle = await fs.open(temp, 'w', PRIVATE_FILE_MODE);
    await handle.writeAll(bytes);
    await handle.sync();
    const closing = handle;
    handle = undefined;
    await closing.close();
    await fs.rename(temp, path);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await fs.unlink(temp).catch(() => undefined);
    throw toStorageError(error, 'save', path);
  }
  // Without this the rename itself may be lost in a power cut (the old file comes back).
  await syncDirectory(fs, dirname(path));
  return bytes.byteLength;
}

// Directory fsync is unsupported on Windows and some file systems; there the rename's
// durability is the OS's business and there is nothing better to do.
const DIR_SYNC_UNSUPPORTED = new Set([
  'EISDIR',
  'EINVAL',
  'ENOTSUP',
  'EBADF',
  ...(process.platform === 'win32' ? ['EPERM', 'EACCES'] : []),
]);

/** fsyncs a directory so a rename, create or unlink in it is durable. */
export async function syncDirectory(fs: StorageFs, dir: string): Promise<void> {
  let handle: Awaited<ReturnType<StorageFs['open']>> | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch (error) {
    const code = errorCode(error);
    if (!code || !DIR_SYNC_UNSUPPORTED.has(code)) throw toStorageError(error, 'save', dir);
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
