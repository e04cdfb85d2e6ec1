/**
 * The file-system seam of the storage core. Every byte the stores read or write goes
 * through a `StorageFs`, so tests can make a write fail with ENOSPC or EROFS at an
 * exact step (running as root, `chmod` does not stop writes), and the benchmark can
 * count the bytes written per save.
 */
import { promises as fsp } from 'node:fs';

/** An open file: only what an atomic write needs. */
export interface StorageFileHandle {
  /** Writes all of `data` from the current position. */
  writeAll(data: Uint8Array): Promise<void>;
  /** fsync: returns once the data is on the device. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** The file operations the storage core uses, promise-based so fsync never blocks the event loop. */
export interface StorageFs {
  readFile(path: string): Promise<Uint8Array>;
  /** `w` creates or truncates a file with `mode`; `r` opens a file or directory for reading (and fsync). */
  open(path: string, flags: 'w' | 'r', mode?: number): Promise<StorageFileHandle>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** Creates the directory and its parents with `mode`; no error when it exists. */
  mkdir(path: string, mode?: number): Promise<void>;
  /** Names in a directory; an ENOENT error when it does not exist. */
  readdir(path: string): Promise<string[]>;
}

/** Notes are private: files readable by the agent's OS account only. */
export const PRIVATE_FILE_MODE = 0o600;
/** Directories of agent data: the agent's OS account only. */
export const PRIVATE_DIR_MODE = 0o700;

/** The real file system. */
export const nodeStorageFs: StorageFs = {
  readFile: (path) => fsp.readFile(path),
  open: async (path, flags, mode) => {
    const handle = await fsp.open(path, flags, mode);
    return {
      writeAll: async (data) => {
        await handle.writeFile(data);
      },
      sync: () => handle.sync(),
      close: () => handle.close(),
    };
  },
  rename: (from, to) => fsp.rename(from, to),
  unlink: (path) => fsp.unlink(path),
  mkdir: async (path, mode) => {
    await fsp.mkdir(path, { recursive: true, mode });
  },
  readdir: (path) => fsp.readdir(path),
};

/** The `code` of a Node system error (`ENOENT`, `ENOSPC`…), if it has one. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const { code } = error as { code: unknown };
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
