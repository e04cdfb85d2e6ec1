/**
 * One JSON document on disk with a format name and a schema version: read and
 * validated with zod, upgraded by migrations, written atomically, and moved aside
 * (never deleted) when it cannot be read. Every store file of the storage core (call
 * history partitions, caller directory shards) is a DocumentStore.
 *
 * On disk: `{"format":"calmline/<kind>","schemaVersion":N,"savedAt":<ms>,"data":…}`,
 * or that text encrypted with AES-256-GCM when the store has a cipher (file-cipher.ts).
 * An older version is migrated in memory on load and written in the current version
 * by the next save (loading never writes, so a read-only disk still opens).
 *
 * Writes are coalesced: while one write is in flight, further `write` calls wait for
 * the next one, which takes the latest snapshot. Every promise resolves only once a
 * write that includes the caller's change is on disk (fsync + rename + directory
 * fsync), so "saved" in the UI always means "survives a crash".
 */
import { basename, dirname } from 'node:path';
import { z } from 'zod';
import type { Clock } from '../../clock';
import type { CoreLogger } from '../../logger';
import { atomicWriteFile, syncDirectory } from './atomic-write';
import { isSealed, openSealedFile, sealFile, type FileCipher } from './file-cipher';
import { moveAside } from './quarantine';
import { StorageError, toStorageError } from './storage-error';
import { errorCode, PRIVATE_DIR_MODE, type StorageFs } from './storage-fs';
import { describeCorruption, type CorruptionReason, type StorageNotice } from './storage-notice';

/** Upgrades the `data` of a document from schema version `from` to `from + 1`. */
export interface DocumentMigration {
  readonly from: number;
  migrate(data: unknown): unknown;
}

/** What a kind of document looks like and how to read old or damaged versions of it. */
export interface DocumentSpec<T> {
  /** Written as `format`; a file with another format is not ours. */
  readonly format: string;
  /** The current schema version (≥ 1). */
  readonly version: number;
  /** Validates `data` at the current version. */
  readonly schema: z.ZodType<T>;
  /** One step per older version still readable. */
  readonly migrations?: readonly DocumentMigration[];
  /** The data of a document that does not exist yet. */
  empty(): T;
  /**
   * Keeps the valid entries of data that fails `schema` as a whole; undefined when
   * nothing can be kept. `recovered` counts the entries kept.
   */
  salvage?(data: unknown): { data: T; recovered: number } | undefined;
}

/** A loaded document. */
export interface LoadedDocument<T> {
  data: T;
  /** False when there was no file (a new document). */
  existed: boolean;
  /** The version the file had when a migration upgraded it. */
  migratedFrom?: number;
  /** Set when the file could not be read and was moved aside (or left blocked). */
  notice?: StorageNotice;
  /** True when the file read was encrypted (a store with a cipher rewrites a plain one). */
  sealed?: boolean;
}

/** Proof of a completed write. */
export interface WriteReceipt {
  /** Bytes of the file written (the whole document). */
  bytes: number;
  /** When the write completed (epoch ms, from the injected clock). */
  savedAt: number;
}

/** What a DocumentStore needs. */
export interface DocumentStoreOptions<T> {
  fs: StorageFs;
  path: string;
  spec: DocumentSpec<T>;
  clock: Clock;
  logger: CoreLogger;
  /** How the file is named in messages (e.g. relative to the data folder); defaults to the path. */
  label?: string;
  /**
   * Encrypts the file at rest (file-cipher.ts). A plain file is still read, and
   * written encrypted by the next save.
   */
  cipher?: FileCipher;
}

const envelopeSchema = z.object({
  format: z.string(),
  schemaVersion: z.number().int().min(1),
  savedAt: z.number().optional(),
  data: z.unknown(),
});

type Operation<T> = { kind: 'write'; snapshot: () => T } | { kind: 'remove' };

interface Batch<T> {
  operation: Operation<T>;
  waiters: { resolve: (receipt: WriteReceipt) => void; reject: (error: unknown) => void }[];
}

/** Thrown by `decodeDocument` for a file that cannot be read as the spec's document. */
export class UnreadableDocument extends Error {
  constructor(
    readonly reason: CorruptionReason,
    readonly parsedData?: unknown,
  ) {
    super(reason);
  }
}

/**
 * Parses, validates and migrates the bytes of a document file; throws
 * `UnreadableDocument`. Pure (no I/O), so the history's index worker can decode day
 * files off the main thread; only the main thread moves unreadable files aside.
 */
export function decodeDocument<T>(raw: Uint8Array, spec: DocumentSpec<T>): { data: T; migratedFrom?: number } {
  if (raw.byteLength === 0) throw new UnreadableDocument('empty');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw new UnreadableDocument('not-text');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UnreadableDocument(text.trim() === '' ? 'empty' : 'not-json');
  }
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success || envelope.data.format !== spec.format) throw new UnreadableDocument('wrong-format');
  const fileVersion = envelope.data.schemaVersion;
  if (fileVersion > spec.version) throw new UnreadableDocument('newer-version');
  let data = envelope.data.data;
  for (let version = fileVersion; version < spec.version; version += 1) {
    const step = spec.migrations?.find((migration) => migration.from === version);
    if (!step) throw new UnreadableDocument('migration-failed');
    try {
      data = step.migrate(data);
    } catch {
      throw new UnreadableDocument('migration-failed', data);
    }
  }
  const parsed = spec.schema.safeParse(data);
  if (!parsed.success) throw new UnreadableDocument('schema', data);
  return fileVersion === spec.version ? { data: parsed.data } : { data: parsed.data, migratedFrom: fileVersion };
}

const encoder = new TextEncoder();

/** A versioned JSON document with atomic, coalesced writes and quarantine of bad files. */
export class DocumentStore<T> {
  readonly path: string;
  private readonly label: string;
  private blockedBy: StorageNotice | undefined;
  private writing = false;
  private next: Batch<T> | undefined;

  constructor(private readonly options: DocumentStoreOptions<T>) {
    this.path = options.path;
    this.label = options.label ?? options.path;
  }

  /** True while an unreadable file sits at `path` that could not be moved aside; writes are refused. */
  get blocked(): boolean {
    return this.blockedBy !== undefined;
  }

  /**
   * Reads the document; never throws for a bad file (it is moved aside and reported).
   * `beforeDecode` is awaited between reading and parsing, so a background loader can
   * let more urgent work (a note save) go first.
   */
  async load(beforeDecode?: () => Promise<void>): Promise<LoadedDocument<T>> {
    const { fs, spec, clock, logger } = this.options;
    let raw: Uint8Array;
    try {
      raw = await fs.readFile(this.path);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return { data: spec.empty(), existed: false };
      logger.error(`Could not read ${this.label}: ${errorCode(error) ?? String(error)}`);
      return { data: spec.empty(), existed: true, notice: this.block('unreadable', 0) };
    }
    if (beforeDecode) await beforeDecode();
    const sealed = isSealed(raw);
    if (sealed) {
      // Encrypted: without the right key the file is fine but closed to us. It is
      // neither moved aside nor overwritten, so it opens again once the key is back.
      const { cipher } = this.options;
      if (!cipher) return { data: spec.empty(), existed: true, notice: this.block('encrypted', 0, 'key') };
      try {
        raw = openSealedFile(cipher, raw);
      } catch {
        return { data: spec.empty(), existed: true, notice: this.block('cannot-decrypt', 0, 'key') };
      }
    }
    try {
      const { data, migratedFrom } = decodeDocument(raw, spec);
      return {
        data,
        existed: true,
        ...(sealed ? { sealed } : {}),
        ...(migratedFrom === undefined ? {} : { migratedFrom }),
      };
    } catch (error) {
      if (!(error instanceof UnreadableDocument)) throw error;
      const salvaged = error.parsedData === undefined ? undefined : spec.salvage?.(error.parsedData);
      const recovered = salvaged?.recovered ?? 0;
      let keptAs: string;
      try {
        keptAs = await moveAside(fs, this.path, clock.now());
      } catch (moveError) {
        logger.error(`Could not move ${this.label} aside: ${String(moveError)}`);
        return { data: salvaged?.data ?? spec.empty(), existed: true, notice: this.block(error.reason, recovered) };
      }
      const notice = this.keptAsideNotice(error.reason, keptAs, recovered);
      logger.warn(notice.message);
      if (salvaged && recovered > 0) {
        // Write the recovered part back at once: until then it lives only in the kept file.
        await this.write(() => salvaged.data).catch((writeError: unknown) => {
          logger.error(`Could not save what was recovered from ${this.label}: ${String(writeError)}`);
        });
      }
      return { data: salvaged?.data ?? spec.empty(), existed: true, notice };
    }
  }

  /**
   * Writes the document as `snapshot()` returns it when the write starts. Resolves
   * once a write including every change made before this call is durable; rejects
   * with a StorageError (the data stays wherever the caller keeps it).
   */
  write(snapshot: () => T): Promise<WriteReceipt> {
    return this.enqueue({ kind: 'write', snapshot });
  }

  /** Deletes the file (retention); resolves once the deletion is durable. */
  remove(): Promise<WriteReceipt> {
    return this.enqueue({ kind: 'remove' });
  }

  private enqueue(operation: Operation<T>): Promise<WriteReceipt> {
    if (this.blockedBy) {
      return Promise.reject(new StorageError('file-blocked', `Not saved: ${this.blockedBy.message}`, this.path));
    }
    return new Promise<WriteReceipt>((resolve, reject) => {
      if (this.next) {
        // The newest operation wins: it includes every earlier change to this document.
        this.next.operation = operation;
        this.next.waiters.push({ resolve, reject });
      } else {
        this.next = { operation, waiters: [{ resolve, reject }] };
      }
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      for (let batch = this.next; batch; batch = this.next) {
        this.next = undefined;
        try {
          const receipt = await this.perform(batch.operation);
          for (const waiter of batch.waiters) waiter.resolve(receipt);
        } catch (error) {
          const failure = toStorageError(error, 'save', this.label);
          for (const waiter of batch.waiters) waiter.reject(failure);
        }
      }
    } finally {
      this.writing = false;
    }
  }

  private async perform(operation: Operation<T>): Promise<WriteReceipt> {
    const { fs, spec, clock } = this.options;
    const dir = dirname(this.path);
    if (operation.kind === 'remove') {
      try {
        await fs.unlink(this.path);
      } catch (error) {
        if (errorCode(error) !== 'ENOENT') throw toStorageError(error, 'delete', this.label);
      }
      await syncDirectory(fs, dir);
      return { bytes: 0, savedAt: clock.now() };
    }
    const text = JSON.stringify({
      format: spec.format,
      schemaVersion: spec.version,
      savedAt: clock.now(),
      data: operation.snapshot(),
    });
    try {
      await fs.mkdir(dir, PRIVATE_DIR_MODE);
    } catch (error) {
      throw toStorageError(error, 'create the folder for', this.label);
    }
    const plain = encoder.encode(text);
    const { cipher } = this.options;
    const bytes = await atomicWriteFile(fs, this.path, cipher ? sealFile(cipher, plain) : plain);
    return { bytes, savedAt: clock.now() };
  }

  private keptAsideNotice(reason: CorruptionReason, keptAs: string, recovered: number): StorageNotice {
    const outcome =
      recovered > 0
        ? `${recovered} ${recovered === 1 ? 'entry was' : 'entries were'} recovered from it`
        : 'Calmline started without its contents';
    return {
      code: 'file-kept-aside',
      file: this.path,
      keptAs,
      reason,
      recovered,
      at: this.options.clock.now(),
      message:
        `Calmline could not read ${this.label} (${describeCorruption(reason)}). ` +
        `The file was kept as ${basename(keptAs)} in ${dirname(keptAs)}; ${outcome}.`,
    };
  }

  private block(
    reason: CorruptionReason,
    recovered: number,
    cause: 'move-failed' | 'key' = 'move-failed',
  ): StorageNotice {
    const notice: StorageNotice = {
      code: 'file-blocked',
      file: this.path,
      reason,
      recovered,
      at: this.options.clock.now(),
      message:
        cause === 'key'
          ? `Calmline could not read ${this.label} (${describeCorruption(reason)}). ` +
            'It is left untouched, and nothing new is saved to it until the right key is available.'
          : `Calmline could not read ${this.label} (${describeCorruption(reason)}) and could not move it aside. ` +
            'It is left untouched, and nothing new is saved to it until the problem is fixed.',
    };
    this.blockedBy = notice;
    this.options.logger.error(notice.message);
    return notice;
  }
}
