/**
 * Where the key that encrypts notes and call records at rest comes from. The core
 * only asks a `DataKeyProvider`; the host decides how the key itself is protected:
 *
 * - Electron (not wired yet): keep a random data key wrapped with `safeStorage`
 *   (the OS keychain) next to the data, and unwrap it at start.
 * - `FileDataKeyProvider` below keeps the key in the clear (tests, a lab web host).
 * - Without a provider (the default) history files are written in the clear.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { atomicWriteFile } from './atomic-write';
import { DATA_KEY_BYTES } from './file-cipher';
import { StorageError, toStorageError } from './storage-error';
import { errorCode, nodeStorageFs, type StorageFs } from './storage-fs';

/** Supplies the data key (AES-256, 32 bytes). */
export interface DataKeyProvider {
  /**
   * The data key, created at random on first use. Rejects, and never makes a new key,
   * when one exists but cannot be read: a new key would make every file written with
   * the old one unreadable.
   */
  dataKey(): Promise<Uint8Array>;
}

/** A fixed key held in memory: for tests and the benchmark. */
export class MemoryDataKeyProvider implements DataKeyProvider {
  private readonly key: Uint8Array;

  constructor(key: Uint8Array = randomBytes(DATA_KEY_BYTES)) {
    if (key.byteLength !== DATA_KEY_BYTES) throw new RangeError(`A data key has ${DATA_KEY_BYTES} bytes.`);
    this.key = Uint8Array.from(key);
  }

  dataKey(): Promise<Uint8Array> {
    return Promise.resolve(Uint8Array.from(this.key));
  }
}

const keyFileSchema = z.object({
  format: z.literal('calmline/data-key'),
  version: z.literal(1),
  key: z.string(),
});

/**
 * Keeps the data key IN THE CLEAR in a file (mode 0600). This protects nothing from
 * someone who can read the data folder: the key sits next to the data it opens. It
 * exists for tests and lab set-ups, and as the shape a real provider (key wrapped by
 * the OS keychain) takes. Not used unless a host passes it.
 */
export class FileDataKeyProvider implements DataKeyProvider {
  private pending: Promise<Uint8Array> | undefined;

  constructor(
    private readonly path: string,
    private readonly fs: StorageFs = nodeStorageFs,
  ) {}

  dataKey(): Promise<Uint8Array> {
    this.pending ??= this.readOrCreate().catch((error: unknown) => {
      this.pending = undefined;
      throw error;
    });
    return this.pending.then((key) => Uint8Array.from(key));
  }

  private async readOrCreate(): Promise<Uint8Array> {
    let raw: Uint8Array;
    try {
      raw = await this.fs.readFile(this.path);
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw toStorageError(error, 'read the data key in', this.path);
      const key = randomBytes(DATA_KEY_BYTES);
      const text = JSON.stringify({
        format: 'calmline/data-key',
        version: 1,
        warning: 'This key is stored in the clear: anyone who can read this file can read the encrypted history.',
        key: key.toString('base64'),
      });
      await atomicWriteFile(this.fs, this.path, `${text}\n`);
      return key;
    }
    let parsed: z.infer<typeof keyFileSchema> | undefined;
    try {
      parsed = keyFileSchema.parse(JSON.parse(new TextDecoder().decode(raw)));
    } catch {
      parsed = undefined;
    }
    const key = parsed ? Buffer.from(parsed.key, 'base64') : undefined;
    if (!key || key.byteLength !== DATA_KEY_BYTES) {
      throw new StorageError('io-error', `The data key in ${this.path} is not readable; it was left as it is.`, this.path);
    }
    return key;
  }
}
