/**
 * Where the key that encrypts notes and call records at rest comes from. The core
 * only asks a `DataKeyProvider`; the host decides how the key itself is protected:
 *
 * - Electron: `FileDataKeyProvider` with a {@link KeySealer} on `safeStorage` (the OS
 *   keychain, src/main/data-key-sealer.ts): a random data key, sealed, next to the data.
 * - `FileDataKeyProvider` without a sealer keeps the key in the clear (tests, a lab).
 * - Without a provider (the default; the web host, or Electron without a keychain)
 *   history files are written in the clear.
 */
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
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

/**
 * Seals the data key for storage, e.g. with the OS keychain. `name` is written in the
 * key file, so a key sealed one way is never read another way.
 */
export interface KeySealer {
  readonly name: string;
  seal(key: Uint8Array): Uint8Array;
  /** Throws when the sealed key cannot be opened (another user, another machine). */
  open(sealed: Uint8Array): Uint8Array;
}

const keyFileSchema = z.object({
  format: z.literal('calmline/data-key'),
  version: z.literal(1),
  /** base64: the key itself, or with `sealedWith` the sealed key. */
  key: z.string(),
  sealedWith: z.string().optional(),
});

/**
 * Keeps the data key in a file (mode 0600), sealed by `sealer` (Electron: the OS
 * keychain). WITHOUT a sealer the key is IN THE CLEAR: that protects nothing from
 * someone who can read the data folder, since the key sits next to the data it opens;
 * it is for tests and lab set-ups.
 */
export class FileDataKeyProvider implements DataKeyProvider {
  private pending: Promise<Uint8Array> | undefined;

  constructor(
    private readonly path: string,
    private readonly fs: StorageFs = nodeStorageFs,
    private readonly sealer?: KeySealer,
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
      const text = JSON.stringify(
        this.sealer
          ? {
              format: 'calmline/data-key',
              version: 1,
              sealedWith: this.sealer.name,
              key: Buffer.from(this.sealer.seal(key)).toString('base64'),
            }
          : {
              format: 'calmline/data-key',
              version: 1,
              warning: 'This key is stored in the clear: anyone who can read this file can read the encrypted history.',
              key: key.toString('base64'),
            },
      );
      // The key is asked for when the data folder opens, possibly before it exists.
      await this.fs.mkdir(dirname(this.path), 0o700).catch((cause: unknown) => {
        throw toStorageError(cause, 'create the folder for', this.path);
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
    let key: Uint8Array | undefined;
    try {
      // A key sealed one way is only ever opened that way; a clear key only without a sealer.
      if (parsed && parsed.sealedWith === this.sealer?.name) {
        const stored = Buffer.from(parsed.key, 'base64');
        key = this.sealer ? this.sealer.open(stored) : stored;
      }
    } catch {
      key = undefined;
    }
    if (!key || key.byteLength !== DATA_KEY_BYTES) {
      throw new StorageError(
        'io-error',
        `The data key in ${this.path} is not readable; it was left as it is.`,
        this.path,
      );
    }
    return key;
  }
}
