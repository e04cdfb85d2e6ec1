/**
 * The local call history: one JSON file per UTC day (see history-partition.ts for
 * why a day), each a DocumentStore. A note save rewrites only the day file of its
 * call, so it costs the same with one day or five years of history.
 *
 * Two halves, so that a save never waits for (or competes on the event loop with)
 * the history load:
 *
 * - The main thread holds only the partitions it writes: today's and the newest day
 *   are loaded at open, any other day when one of its calls is recorded or noted. It
 *   does every write, rename and quarantine.
 * - The index (history-index-host.ts) holds all of the history for search, a caller's
 *   past calls, finding a call by id, and retention. It loads every day file in a
 *   worker thread, read-only. The main thread hands it each partition it holds and
 *   every change it makes, in order, so search reflects a save as soon as it is made.
 *
 * Why a worker (bench/results/storage-index-worker.md): loaded on the main thread,
 * even one day at a time with yields, the history put note saves during start-up at
 * p99 18–62 ms (up to 81 ms in earlier runs): the main thread parses and indexes day
 * files between a save's file steps, in a heap that grows to ~250 MB at five years.
 * With the index in the worker: p99 10–17 ms with or without a busy loop on the
 * other core, and the main heap stays at a few MB. Where no worker can be started (a
 * build without the worker file, or an injected `readFile` the worker could not
 * use), the same index runs on the main thread and loads one day at a time, waiting
 * while a save is in flight.
 */
import { join } from 'node:path';
import type { Clock } from '../../clock';
import type { CoreLogger } from '../../logger';
import { isTempFileName, syncDirectory } from '../files/atomic-write';
import type { CallHistory, HistoryQuery, NoteReceipt, PurgeResult, SearchResult } from './call-history';
import {
  callRecordInputSchema,
  cleanNoteText,
  MAX_NOTE_LENGTH,
  type CallRecord,
  type CallRecordInput,
} from '../../../shared/call-record';
import type { DataKeyProvider } from '../files/data-key';
import { DocumentStore } from '../files/document-store';
import type { FileCipher } from '../files/file-cipher';
import { IndexUnavailable, spawnHistoryIndexWorker, WorkerHistoryIndex } from './history-index-client';
import { HistoryIndexHost, type HistoryIndexApi } from './history-index-host';
import {
  historyPartitionSpec,
  isMonthFolderName,
  partitionEnd,
  partitionKeyFor,
  partitionKeyOfFile,
  partitionCipher,
  partitionPath,
  readPartitionFile,
  type HistoryPartitionData,
  type PartitionGranularity,
} from './history-partition';
import { keptAsideTime } from '../files/quarantine';
import { StorageError, toStorageError } from '../files/storage-error';
import { errorCode, nodeStorageFs, PRIVATE_DIR_MODE, type StorageFs } from '../files/storage-fs';
import type { StorageNotice } from '../files/storage-notice';

/** Where the index of the whole history runs. */
export type HistoryIndexMode = 'worker' | 'main-thread';

/** What a FileCallHistory needs. */
export interface FileCallHistoryOptions {
  /** The history folder, e.g. `<user data>/history`. */
  dir: string;
  clock: Clock;
  logger: CoreLogger;
  /** Defaults to the real file system. */
  fs?: StorageFs;
  /** `day` (default); `month` exists for the benchmark's comparison. */
  granularity?: PartitionGranularity;
  /**
   * Where the index runs. Default: a worker, unless `fs` brings its own `readFile`
   * (the worker reads with node:fs, so an injected read fault would be bypassed).
   */
  index?: HistoryIndexMode;
  /** Partition files read at once while loading the index (default 2 in a worker, 1 on the main thread). */
  loadConcurrency?: number;
  /**
   * Encrypts day files at rest with the key it supplies (AES-256-GCM, data-key.ts).
   * Without it files are written in the clear, and encrypted ones are left untouched
   * and reported as blocked.
   */
  dataKeys?: DataKeyProvider;
}

/** Size of what is in memory, for diagnostics and the benchmark. */
export interface HistoryStats {
  /** Partition files known. */
  partitions: number;
  /** Partitions in the index. */
  loadedPartitions: number;
  /** Partitions the main thread holds (the ones it writes). */
  mainThreadPartitions: number;
  calls: number;
  indexedWords: number;
  index: HistoryIndexMode;
}

const DAY_MS = 86_400_000;

interface Partition {
  readonly key: string;
  readonly store: DocumentStore<HistoryPartitionData>;
  readonly records: Map<string, CallRecord>;
  loading: Promise<void> | undefined;
  loaded: boolean;
}

/** Lets queued I/O callbacks (a save's next step) run before the next piece of background work. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function newestKeyFirst(a: string, b: string): number {
  return a < b ? 1 : -1;
}

/** Call history in day files on the local disk. */
export class FileCallHistory implements CallHistory {
  private readonly fs: StorageFs;
  private readonly granularity: PartitionGranularity;
  private readonly partitions = new Map<string, Partition>();
  /** Calls of the partitions the main thread holds. */
  private readonly calls = new Map<string, Partition>();
  private readonly found: StorageNotice[] = [];
  private readonly noticeListeners = new Set<(notice: StorageNotice) => void>();
  private index: HistoryIndexApi | undefined;
  private indexMode: HistoryIndexMode | undefined;
  private closed = false;
  private dataKey: Uint8Array | undefined;
  private writesInFlight = 0;
  private readonly writeWaiters: (() => void)[] = [];
  /** `writesInFlight`, shared with the index worker (see `waitForSaves`). */
  private readonly sharedWrites = new Int32Array(new SharedArrayBuffer(4));

  private constructor(private readonly options: FileCallHistoryOptions) {
    this.fs = options.fs ?? nodeStorageFs;
    this.granularity = options.granularity ?? 'day';
  }

  /**
   * Opens (creating if needed) the history folder and loads today's and the newest
   * partition, so notes on the latest calls never wait for the index. The index
   * starts with `warmUp()` or the first question that needs it.
   */
  static async open(options: FileCallHistoryOptions): Promise<FileCallHistory> {
    const history = new FileCallHistory(options);
    if (options.dataKeys) history.dataKey = await options.dataKeys.dataKey();
    await history.discover();
    const eager = new Set([partitionKeyFor(options.clock.now(), history.granularity)]);
    const newest = [...history.partitions.keys()].sort(newestKeyFirst)[0];
    if (newest !== undefined) eager.add(newest);
    await Promise.all(
      [...eager].flatMap((key) => {
        const partition = history.partitions.get(key);
        return partition ? [history.ensureLoaded(partition)] : [];
      }),
    );
    return history;
  }

  /** Starts the index (if not started) and resolves once it holds the whole history; idempotent. */
  warmUp(): Promise<void> {
    return this.ask((index) => index.ready());
  }

  /** What is in memory now. */
  async stats(): Promise<HistoryStats> {
    const indexStats = await this.ask((index) => index.stats());
    let mainThreadPartitions = 0;
    for (const partition of this.partitions.values()) if (partition.loaded) mainThreadPartitions += 1;
    return {
      partitions: this.partitions.size,
      mainThreadPartitions,
      ...indexStats,
      index: this.indexMode ?? 'main-thread',
    };
  }

  /**
   * Stops the index worker. Every acknowledged write is on disk already; nothing needs
   * flushing. A question asked after this is answered from the main thread.
   */
  async close(): Promise<void> {
    this.closed = true;
    const index = this.index;
    this.index = undefined;
    await index?.close();
  }

  notices(): StorageNotice[] {
    return [...this.found];
  }

  onNotice(listener: (notice: StorageNotice) => void): () => void {
    this.noticeListeners.add(listener);
    return () => this.noticeListeners.delete(listener);
  }

  /**
   * Files a call in the partition of its start time. A call id is looked for there
   * only: the recorder passes the same start time every time it files a call.
   */
  async recordCall(input: CallRecordInput): Promise<CallRecord> {
    const parsed = callRecordInputSchema.safeParse(input);
    if (!parsed.success) throw new StorageError('invalid-input', 'The call record is not valid.');
    const call = parsed.data;
    let partition = this.calls.get(call.callId);
    if (!partition) {
      const home = this.partitionFor(partitionKeyFor(call.startedAt, this.granularity));
      await this.ensureLoaded(home);
      partition = this.calls.get(call.callId);
      if (!partition) {
        const record: CallRecord = { ...call };
        this.put(home, record);
        await this.writePartition(home);
        return record;
      }
    }
    const previous = partition.records.get(call.callId);
    if (!previous) throw new StorageError('not-found', `Call ${call.callId} is not in the history.`);
    // The partition (and start time) stay those of the first recording: the file is the call's home.
    const next: CallRecord = {
      ...previous,
      number: call.number,
      name: call.name,
      direction: call.direction,
      agent: call.agent,
      ...(call.endedAt === undefined ? {} : { endedAt: call.endedAt }),
      ...(call.endReason === undefined ? {} : { endReason: call.endReason }),
      ...(call.endDetail === undefined ? {} : { endDetail: call.endDetail }),
      ...(call.outcome === undefined ? {} : { outcome: call.outcome }),
    };
    this.put(partition, next);
    await this.writePartition(partition);
    return next;
  }

  async saveNote(callId: string, text: string, author: string): Promise<NoteReceipt> {
    if (text.length > MAX_NOTE_LENGTH) {
      throw new StorageError('invalid-input', `A note holds at most ${MAX_NOTE_LENGTH} characters.`);
    }
    const partition = await this.holderOf(callId);
    const previous = partition?.records.get(callId);
    if (!partition || !previous) throw new StorageError('not-found', `Call ${callId} is not in the history.`);
    const next: CallRecord = {
      ...previous,
      note: { text: cleanNoteText(text), updatedAt: this.options.clock.now(), author: author.slice(0, 128) },
    };
    this.put(partition, next);
    const receipt = await this.writePartition(partition);
    return { callId, savedAt: receipt.savedAt, bytesWritten: receipt.bytes };
  }

  async getCall(callId: string): Promise<CallRecord | undefined> {
    const held = this.calls.get(callId)?.records.get(callId);
    if (held) return held;
    return (await this.ask((index) => index.locate(callId)))?.record;
  }

  callsFor(number: string, limit?: number): Promise<CallRecord[]> {
    return this.ask((index) => index.callsFor(number, limit));
  }

  search(query: HistoryQuery): Promise<SearchResult> {
    return this.ask((index) => index.search(query));
  }

  async purgeOlderThan(days: number, now: number): Promise<PurgeResult> {
    if (!Number.isInteger(days) || days < 1) {
      throw new StorageError('invalid-input', 'The retention period must be a whole number of days, at least 1.');
    }
    const cutoff = now - days * DAY_MS;
    const result: PurgeResult = { recordsDeleted: 0, filesDeleted: 0, keptAsideFilesDeleted: 0, failedFiles: [] };
    const candidates = new Map((await this.ask((index) => index.retentionCandidates(cutoff))).map((c) => [c.key, c]));
    // Whole days before the cut-off go as files, without being read on the main thread.
    const whole = [...this.partitions.values()].filter((partition) => partitionEnd(partition.key) <= cutoff);
    const sizes = await this.ask((index) => index.sizes(whole.map((partition) => partition.key)));
    for (const [n, partition] of whole.entries()) {
      candidates.delete(partition.key);
      try {
        await this.deletePartition(partition);
        result.filesDeleted += 1;
        result.recordsDeleted += sizes[n] ?? 0;
      } catch (error) {
        // Keep sweeping: one stuck file must not keep every other old note on disk.
        this.sweepFailed(result, partition.store.path, error);
      }
    }
    // The day the cut-off falls in: rewritten without its older calls.
    for (const { key } of candidates.values()) {
      const partition = this.partitions.get(key);
      if (partition) await this.purgePartly(partition, cutoff, result);
    }
    await this.purgeKeptAside(cutoff, days, result);
    if (result.recordsDeleted > 0) {
      this.options.logger.info(`Retention deleted ${result.recordsDeleted} calls older than ${days} days.`);
    }
    return result;
  }

  private async purgePartly(partition: Partition, cutoff: number, result: PurgeResult): Promise<void> {
    try {
      await this.ensureLoaded(partition);
    } catch (error) {
      this.sweepFailed(result, partition.store.path, error);
      return;
    }
    const old = [...partition.records.values()].filter((record) => record.startedAt < cutoff);
    if (old.length === 0) return;
    for (const record of old) this.take(partition, record.callId);
    try {
      if (partition.records.size === 0) await this.deletePartition(partition);
      else await this.writePartition(partition);
      result.recordsDeleted += old.length;
    } catch (error) {
      // Still on disk: keep them in memory too, so the next sweep finds them again.
      for (const record of old) this.put(partition, record);
      this.sweepFailed(result, partition.store.path, error);
    }
  }

  /**
   * Deletes kept-aside history files (`<day>.json.corrupt-<time>`) moved aside before
   * the cut-off: they may hold notes the retention period says must go. Files moved
   * aside more recently stay, so IT can still try to recover them.
   */
  private async purgeKeptAside(cutoff: number, days: number, result: PurgeResult): Promise<void> {
    const root = this.options.dir;
    let names: string[];
    try {
      names = await this.fs.readdir(root);
    } catch (error) {
      this.sweepFailed(result, root, error);
      return;
    }
    const folders = [root, ...names.filter(isMonthFolderName).map((name) => join(root, name))];
    for (const folder of folders) {
      const inFolder = folder === root ? names : await this.fs.readdir(folder).catch(() => []);
      let deleted = false;
      for (const name of inFolder.sort()) {
        const keptAt = keptAsideTime(name);
        if (keptAt === undefined || keptAt >= cutoff) continue;
        const path = join(folder, name);
        try {
          await this.fs.unlink(path);
        } catch (error) {
          if (errorCode(error) !== 'ENOENT') this.sweepFailed(result, path, error);
          continue;
        }
        deleted = true;
        result.keptAsideFilesDeleted += 1;
        this.options.logger.info(
          `Retention deleted the kept-aside file ${this.label(path)} ` +
            `(kept aside ${new Date(keptAt).toISOString()}, more than ${days} days ago).`,
        );
      }
      // The unlinks must survive a power cut like any other retention deletion.
      if (deleted)
        await syncDirectory(this.fs, folder).catch((error: unknown) => this.sweepFailed(result, folder, error));
    }
  }

  private sweepFailed(result: PurgeResult, path: string, error: unknown): void {
    result.failedFiles.push(path);
    this.options.logger.error(`Retention could not update ${path}: ${String(error)}`);
  }

  private async deletePartition(partition: Partition): Promise<void> {
    await partition.store.remove();
    for (const callId of partition.records.keys()) this.calls.delete(callId);
    partition.records.clear();
    this.partitions.delete(partition.key);
    this.index?.drop(partition.key);
  }

  /** The partition the main thread holds for `callId`, loading the call's day if the index knows it. */
  private async holderOf(callId: string): Promise<Partition | undefined> {
    const held = this.calls.get(callId);
    if (held) return held;
    const located = await this.ask((index) => index.locate(callId));
    if (!located) return undefined;
    await this.ensureLoaded(this.partitionFor(located.key));
    return this.calls.get(callId);
  }

  /** Runs a question on the index, starting it if needed, and asks again if its worker died meanwhile. */
  private async ask<T>(question: (index: HistoryIndexApi) => Promise<T>): Promise<T> {
    for (;;) {
      const index = this.index ?? this.startIndex();
      try {
        return await question(index);
      } catch (error) {
        if (!(error instanceof IndexUnavailable) || this.index === index || this.index === undefined) throw error;
      }
    }
  }

  private startIndex(useWorker = true): HistoryIndexApi {
    const { options } = this;
    const defaultMode = this.fs.readFile === nodeStorageFs.readFile ? 'worker' : 'main-thread';
    let worker: ReturnType<typeof spawnHistoryIndexWorker>;
    if (useWorker && !this.closed && (options.index ?? defaultMode) === 'worker') {
      try {
        worker = spawnHistoryIndexWorker({
          root: options.dir,
          concurrency: options.loadConcurrency ?? 2,
          lowerPriority: true,
          savesInFlight: this.sharedWrites.buffer as SharedArrayBuffer,
          ...(this.dataKey ? { dataKey: this.dataKey } : {}),
        });
        if (!worker)
          options.logger.info('This build has no history index worker; the history is indexed on the main thread.');
      } catch (error) {
        options.logger.warn(
          `The history index worker could not start (${String(error)}); indexing on the main thread.`,
        );
      }
    }
    const index: HistoryIndexApi = worker
      ? new WorkerHistoryIndex(worker, {
          onUnreadable: (key) => void this.adoptUnreadable(key),
          onFailure: (error) => {
            options.logger.error(`The history index worker failed (${error.message}); indexing on the main thread.`);
            this.startIndex(false);
          },
        })
      : new HistoryIndexHost({
          read: (key) =>
            readPartitionFile(
              (path) => this.fs.readFile(path),
              partitionPath(options.dir, key),
              () => this.writesSettled(),
              this.cipherFor(key),
            ),
          onUnreadable: (key) => void this.adoptUnreadable(key),
          concurrency: options.loadConcurrency ?? 1,
          pause: yieldToEventLoop,
        });
    this.index = index;
    this.indexMode = worker ? 'worker' : 'main-thread';
    for (const partition of this.partitions.values()) {
      if (partition.loaded) index.adopt(partition.key, [...partition.records.values()]);
    }
    index.start([...this.partitions.keys()].sort(newestKeyFirst));
    return index;
  }

  /** The index could not read a partition: load it here (moving it aside if need be) and hand it over. */
  private async adoptUnreadable(key: string): Promise<void> {
    const partition = this.partitions.get(key);
    if (!partition) {
      this.index?.drop(key);
      return;
    }
    try {
      const wasLoaded = partition.loaded;
      await this.ensureLoaded(partition);
      if (wasLoaded) this.index?.adopt(key, [...partition.records.values()]);
    } catch (error) {
      this.options.logger.error(`Could not load ${partition.store.path}: ${String(error)}`);
      this.index?.adopt(key, []);
    }
  }

  private async discover(): Promise<void> {
    const root = this.options.dir;
    try {
      await this.fs.mkdir(root, PRIVATE_DIR_MODE);
    } catch (error) {
      throw toStorageError(error, 'create', root);
    }
    const folders: string[] = [];
    let names: string[];
    try {
      names = await this.fs.readdir(root);
    } catch (error) {
      throw toStorageError(error, 'read', root);
    }
    for (const name of names) {
      if (isTempFileName(name)) await this.removeStale(join(root, name));
      else if (this.granularity === 'month') {
        const key = partitionKeyOfFile(name, 'month');
        if (key) this.partitionFor(key);
      } else if (isMonthFolderName(name)) folders.push(name);
    }
    const listings = await Promise.all(
      folders.map(async (folder) => ({ folder, names: await this.fs.readdir(join(root, folder)).catch(() => []) })),
    );
    for (const { folder, names } of listings) {
      for (const name of names) {
        const key = partitionKeyOfFile(name, 'day');
        if (key?.startsWith(folder)) this.partitionFor(key);
        else if (isTempFileName(name)) await this.removeStale(join(root, folder, name));
      }
    }
  }

  /** A temp file from a write cut short by a crash: never the only copy of anything acknowledged. */
  private async removeStale(path: string): Promise<void> {
    await this.fs.unlink(path).catch((error: unknown) => {
      if (errorCode(error) !== 'ENOENT') this.options.logger.warn(`Could not remove the stale temp file ${path}.`);
    });
  }

  private cipherFor(key: string): FileCipher | undefined {
    return this.dataKey && partitionCipher(this.dataKey, key);
  }

  /** How a file under the history folder is named in messages. */
  private label(path: string): string {
    return `history/${path.slice(this.options.dir.length + 1).replace(/\\/g, '/')}`;
  }

  private partitionFor(key: string): Partition {
    let partition = this.partitions.get(key);
    if (!partition) {
      const path = partitionPath(this.options.dir, key);
      partition = {
        key,
        store: new DocumentStore({
          fs: this.fs,
          path,
          spec: historyPartitionSpec,
          clock: this.options.clock,
          logger: this.options.logger,
          label: this.label(path),
          ...(this.dataKey ? { cipher: partitionCipher(this.dataKey, key) } : {}),
        }),
        records: new Map(),
        loading: undefined,
        loaded: false,
      };
      this.partitions.set(key, partition);
    }
    return partition;
  }

  /** Loads a partition on the main thread (it is written here from now on) and hands it to the index. */
  private ensureLoaded(partition: Partition): Promise<void> {
    if (partition.loaded) return Promise.resolve();
    partition.loading ??= partition.store.load().then(
      (loaded) => {
        if (loaded.notice) this.addNotice(loaded.notice);
        for (const record of loaded.data.records) {
          if (this.calls.has(record.callId)) continue;
          partition.records.set(record.callId, record);
          this.calls.set(record.callId, partition);
        }
        partition.loaded = true;
        this.index?.adopt(partition.key, [...partition.records.values()]);
      },
      (error: unknown) => {
        partition.loading = undefined;
        throw error;
      },
    );
    return partition.loading;
  }

  /** Files or replaces a call in a partition the main thread holds, and tells the index. */
  private put(partition: Partition, record: CallRecord): void {
    partition.records.set(record.callId, record);
    this.calls.set(record.callId, partition);
    this.index?.upsert(partition.key, record);
  }

  private take(partition: Partition, callId: string): void {
    partition.records.delete(callId);
    this.calls.delete(callId);
    this.index?.remove([callId]);
  }

  /** Resolves when no partition write is in flight (checked again after each wake-up). */
  private async writesSettled(): Promise<void> {
    while (this.writesInFlight > 0) {
      await new Promise<void>((resolve) => this.writeWaiters.push(resolve));
    }
  }

  private async writePartition(partition: Partition): Promise<{ bytes: number; savedAt: number }> {
    this.writesInFlight += 1;
    Atomics.store(this.sharedWrites, 0, this.writesInFlight);
    try {
      return await partition.store.write(() => ({
        records: [...partition.records.values()].sort((a, b) => a.startedAt - b.startedAt),
      }));
    } finally {
      this.writesInFlight -= 1;
      Atomics.store(this.sharedWrites, 0, this.writesInFlight);
      if (this.writesInFlight === 0) Atomics.notify(this.sharedWrites, 0);
      // Wake the main-thread loader only after the saver's own continuation has run.
      if (this.writesInFlight === 0 && this.writeWaiters.length > 0) {
        void yieldToEventLoop().then(() => {
          for (const resolve of this.writeWaiters.splice(0)) resolve();
        });
      }
    }
  }

  private addNotice(notice: StorageNotice): void {
    this.found.push(notice);
    for (const listener of this.noticeListeners) listener(notice);
  }
}
