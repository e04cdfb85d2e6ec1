/**
 * The local call history: one JSON file per UTC day (see history-partition.ts for
 * why a day), each a DocumentStore, loaded lazily. A note save rewrites only the day
 * file of its call, so it costs the same with one day or five years of history.
 *
 * In memory: the loaded partitions' records, a map from call id to partition, a map
 * from caller key to calls, and the word index for search. Everything that needs the
 * whole history (search, a caller's past calls, retention) first waits for
 * `warmUp()`, which loads the remaining partitions newest first; hosts start it in
 * the background right after opening.
 */
import { join } from 'node:path';
import type { Clock } from '../clock';
import type { CoreLogger } from '../logger';
import { isTempFileName } from './atomic-write';
import type {
  CallHistory,
  CallSearchHit,
  HistoryQuery,
  NoteReceipt,
  PurgeResult,
  SearchResult,
} from './call-history';
import { callRecordInputSchema, cleanNoteText, MAX_NOTE_LENGTH, type CallRecord, type CallRecordInput } from './call-record';
import { callerKey, keyDigits } from './caller-key';
import { DocumentStore } from './document-store';
import {
  historyPartitionSpec,
  isMonthFolderName,
  partitionEnd,
  partitionKeyFor,
  partitionKeyOfFile,
  partitionPath,
  type HistoryPartitionData,
  type PartitionGranularity,
} from './history-partition';
import { SearchIndex, tokenize } from './search-index';
import { StorageError, toStorageError } from './storage-error';
import { errorCode, nodeStorageFs, PRIVATE_DIR_MODE, type StorageFs } from './storage-fs';
import type { StorageNotice } from './storage-notice';

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
  /** Partition files read at once while warming up (default 1). */
  loadConcurrency?: number;
}

/** Size of what is in memory, for diagnostics and the benchmark. */
export interface HistoryStats {
  partitions: number;
  loadedPartitions: number;
  calls: number;
  indexedWords: number;
}

const DAY_MS = 86_400_000;
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;
const MAX_QUERY_WORDS = 16;

interface Partition {
  readonly key: string;
  readonly store: DocumentStore<HistoryPartitionData>;
  readonly records: Map<string, CallRecord>;
  loading: Promise<void> | undefined;
  loaded: boolean;
}

interface CallEntry {
  partition: Partition;
  ordinal: number;
}

interface NumberEntry {
  digits: string;
  callIds: Set<string>;
}

/** Lets queued I/O callbacks (a save's next step) run before the next piece of background work. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function recordTokens(record: CallRecord): Set<string> {
  return tokenize(record.note ? `${record.name}\n${record.note.text}` : record.name);
}

function newestFirst(a: CallRecord, b: CallRecord): number {
  return b.startedAt - a.startedAt || (a.callId < b.callId ? -1 : 1);
}

/** `+49 30 123-45` → `+493012345`: a typed number stays one word (only when it starts like a number). */
function compactPhoneNumbers(text: string): string {
  return text.replace(/(?:\+|\b00|\()[\d\s\-()./]*\d/g, (match) => match.replace(/[^\d+]/g, ''));
}

function snippetOf(record: CallRecord, words: string[]): string {
  const text = record.note?.text.replace(/\s+/g, ' ').trim() ?? '';
  if (text.length <= 160) return text;
  const lower = text.toLowerCase();
  const at = words.map((word) => lower.indexOf(word)).find((index) => index >= 0) ?? 0;
  const start = Math.max(0, at - 60);
  return `${start > 0 ? '…' : ''}${text.slice(start, start + 160).trim()}${start + 160 < text.length ? '…' : ''}`;
}

/** Call history in day files on the local disk. */
export class FileCallHistory implements CallHistory {
  private readonly fs: StorageFs;
  private readonly granularity: PartitionGranularity;
  private readonly partitions = new Map<string, Partition>();
  private readonly calls = new Map<string, CallEntry>();
  private readonly byOrdinal: (CallRecord | undefined)[] = [];
  private readonly byNumber = new Map<string, NumberEntry>();
  private readonly index = new SearchIndex();
  private readonly found: StorageNotice[] = [];
  private readonly noticeListeners = new Set<(notice: StorageNotice) => void>();
  private warming: Promise<void> | undefined;
  private writesInFlight = 0;
  private readonly writeWaiters: (() => void)[] = [];

  private constructor(private readonly options: FileCallHistoryOptions) {
    this.fs = options.fs ?? nodeStorageFs;
    this.granularity = options.granularity ?? 'day';
  }

  /** Opens (creating if needed) the history folder; reads no partition yet. */
  static async open(options: FileCallHistoryOptions): Promise<FileCallHistory> {
    const history = new FileCallHistory(options);
    await history.discover();
    return history;
  }

  /** Loads every partition not loaded yet (newest first); idempotent. */
  warmUp(): Promise<void> {
    this.warming ??= this.loadAll();
    return this.warming;
  }

  /** What is in memory now. */
  stats(): HistoryStats {
    let loadedPartitions = 0;
    for (const partition of this.partitions.values()) if (partition.loaded) loadedPartitions += 1;
    return {
      partitions: this.partitions.size,
      loadedPartitions,
      calls: this.calls.size,
      indexedWords: this.index.termCount,
    };
  }

  notices(): StorageNotice[] {
    return [...this.found];
  }

  onNotice(listener: (notice: StorageNotice) => void): () => void {
    this.noticeListeners.add(listener);
    return () => this.noticeListeners.delete(listener);
  }

  async recordCall(input: CallRecordInput): Promise<CallRecord> {
    const parsed = callRecordInputSchema.safeParse(input);
    if (!parsed.success) throw new StorageError('invalid-input', 'The call record is not valid.');
    const call = parsed.data;
    let entry = this.calls.get(call.callId);
    if (!entry) {
      const partition = this.partitionFor(partitionKeyFor(call.startedAt, this.granularity));
      await this.ensureLoaded(partition);
      entry = this.calls.get(call.callId);
      if (!entry) {
        const record: CallRecord = { ...call };
        partition.records.set(record.callId, record);
        this.register(record, partition);
        await this.writePartition(partition);
        return record;
      }
    }
    const previous = this.byOrdinal[entry.ordinal];
    if (!previous) throw new StorageError('not-found', `Call ${call.callId} is not in the history.`);
    // The partition (and start time) stay those of the first recording: the file is the call's home.
    const next: CallRecord = {
      ...previous,
      number: call.number,
      name: call.name,
      direction: call.direction,
      agent: call.agent,
      ...(call.endedAt === undefined ? {} : { endedAt: call.endedAt }),
    };
    this.replace(entry, previous, next);
    await this.writePartition(entry.partition);
    return next;
  }

  async saveNote(callId: string, text: string, author: string): Promise<NoteReceipt> {
    if (text.length > MAX_NOTE_LENGTH) {
      throw new StorageError('invalid-input', `A note holds at most ${MAX_NOTE_LENGTH} characters.`);
    }
    const entry = await this.entryOf(callId);
    const previous = entry && this.byOrdinal[entry.ordinal];
    if (!entry || !previous) throw new StorageError('not-found', `Call ${callId} is not in the history.`);
    const next: CallRecord = {
      ...previous,
      note: { text: cleanNoteText(text), updatedAt: this.options.clock.now(), author: author.slice(0, 128) },
    };
    this.replace(entry, previous, next);
    const receipt = await this.writePartition(entry.partition);
    return { callId, savedAt: receipt.savedAt, bytesWritten: receipt.bytes };
  }

  async getCall(callId: string): Promise<CallRecord | undefined> {
    const entry = await this.entryOf(callId);
    return entry && this.byOrdinal[entry.ordinal];
  }

  async callsFor(number: string, limit = DEFAULT_LIMIT): Promise<CallRecord[]> {
    const key = callerKey(number);
    if (key === undefined) return [];
    await this.warmUp();
    const ids = this.byNumber.get(key)?.callIds ?? new Set<string>();
    const records: CallRecord[] = [];
    for (const id of ids) {
      const entry = this.calls.get(id);
      const record = entry && this.byOrdinal[entry.ordinal];
      if (record) records.push(record);
    }
    return records.sort(newestFirst).slice(0, Math.max(0, Math.min(limit, MAX_LIMIT)));
  }

  async search(query: HistoryQuery): Promise<SearchResult> {
    const words = [...tokenize(compactPhoneNumbers(query.text))].slice(0, MAX_QUERY_WORDS);
    if (words.length === 0) return { hits: [], total: 0 };
    await this.warmUp();
    // counts[o] = how many of the words so far record o matched, in order; a record
    // is a hit when it matched every word. Several matching terms count once.
    const counts = new Uint8Array(this.byOrdinal.length);
    const matched: number[] = [];
    words.forEach((word, position) => {
      const last = position === words.length - 1;
      const visit = (ordinal: number): void => {
        if (counts[ordinal] !== position) return;
        counts[ordinal] = position + 1;
        if (last) matched.push(ordinal);
      };
      this.index.forEachPrefixMatch(word, visit);
      if (/^\d{3,}$/.test(word)) {
        for (const { digits, callIds } of this.byNumber.values()) {
          if (!digits.includes(word)) continue;
          for (const id of callIds) {
            const entry = this.calls.get(id);
            if (entry) visit(entry.ordinal);
          }
        }
      }
    });
    const records: CallRecord[] = [];
    for (const ordinal of matched) {
      const record = this.byOrdinal[ordinal];
      if (record) records.push(record);
    }
    records.sort(newestFirst);
    const limit = Math.max(1, Math.min(query.limit ?? DEFAULT_LIMIT, MAX_LIMIT));
    const hits: CallSearchHit[] = records.slice(0, limit).map((record) => ({
      callId: record.callId,
      number: record.number,
      name: record.name,
      direction: record.direction,
      startedAt: record.startedAt,
      agent: record.agent,
      snippet: snippetOf(record, words),
    }));
    return { hits, total: records.length };
  }

  async purgeOlderThan(days: number, now: number): Promise<PurgeResult> {
    if (!Number.isInteger(days) || days < 1) {
      throw new StorageError('invalid-input', 'The retention period must be a whole number of days, at least 1.');
    }
    await this.warmUp();
    const cutoff = now - days * DAY_MS;
    const result: PurgeResult = { recordsDeleted: 0, filesDeleted: 0, failedFiles: [] };
    for (const partition of [...this.partitions.values()]) {
      const whole = partitionEnd(partition.key) <= cutoff;
      const old = [...partition.records.values()].filter((record) => whole || record.startedAt < cutoff);
      if (!whole && old.length === 0) continue;
      for (const record of old) this.unregister(record.callId);
      try {
        if (partition.records.size === 0) {
          await partition.store.remove();
          this.partitions.delete(partition.key);
          result.filesDeleted += 1;
        } else {
          await this.writePartition(partition);
        }
        result.recordsDeleted += old.length;
      } catch (error) {
        // Keep sweeping: one stuck file must not keep every other old note on disk.
        result.failedFiles.push(partition.store.path);
        this.options.logger.error(`Retention could not update ${partition.store.path}: ${String(error)}`);
      }
    }
    if (result.recordsDeleted > 0) {
      this.options.logger.info(`Retention deleted ${result.recordsDeleted} calls older than ${days} days.`);
    }
    return result;
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
          label: `history/${path.slice(this.options.dir.length + 1).replace(/\\/g, '/')}`,
        }),
        records: new Map(),
        loading: undefined,
        loaded: false,
      };
      this.partitions.set(key, partition);
    }
    return partition;
  }

  private ensureLoaded(partition: Partition, background = false): Promise<void> {
    if (partition.loaded) return Promise.resolve();
    const gate = background ? () => this.writesSettled() : undefined;
    partition.loading ??= partition.store.load(gate).then((loaded) => {
      if (loaded.notice) this.addNotice(loaded.notice);
      for (const record of loaded.data.records) {
        if (this.calls.has(record.callId)) continue;
        partition.records.set(record.callId, record);
        this.register(record, partition);
      }
      partition.loaded = true;
    });
    return partition.loading;
  }

  /**
   * Loads the partitions not loaded yet, newest first, one at a time, in the
   * background. Parsing and indexing a day holds the event loop for a few
   * milliseconds, so it waits while a save is in flight and yields between days:
   * a save's file steps are not queued behind years of history (measured with five
   * years: save p50 during warm-up ~70 ms with 8 loads at once and no yielding).
   */
  private async loadAll(): Promise<void> {
    const pending = [...this.partitions.values()]
      .filter((partition) => !partition.loaded)
      .sort((a, b) => (a.key < b.key ? 1 : -1));
    const workers = Array.from({ length: Math.max(1, this.options.loadConcurrency ?? 1) }, async () => {
      for (let partition = pending.shift(); partition; partition = pending.shift()) {
        await this.ensureLoaded(partition, true);
        await yieldToEventLoop();
      }
    });
    await Promise.all(workers);
  }

  /** Resolves when no partition write is in flight (checked again after each wake-up). */
  private async writesSettled(): Promise<void> {
    while (this.writesInFlight > 0) {
      await new Promise<void>((resolve) => this.writeWaiters.push(resolve));
    }
  }

  /**
   * The call's place in memory. A call not loaded yet is looked for newest partition
   * first, so a note on one of today's calls after a restart does not wait for five
   * years of history to load.
   */
  private async entryOf(callId: string): Promise<CallEntry | undefined> {
    const entry = this.calls.get(callId);
    if (entry) return entry;
    const newestFirst = [...this.partitions.values()].sort((a, b) => (a.key < b.key ? 1 : -1));
    for (const partition of newestFirst) {
      if (partition.loaded) continue;
      await this.ensureLoaded(partition);
      const found = this.calls.get(callId);
      if (found) return found;
    }
    return this.calls.get(callId);
  }

  private async writePartition(partition: Partition): Promise<{ bytes: number; savedAt: number }> {
    this.writesInFlight += 1;
    try {
      return await partition.store.write(() => ({
        records: [...partition.records.values()].sort((a, b) => a.startedAt - b.startedAt),
      }));
    } finally {
      this.writesInFlight -= 1;
      // Wake the background loader only after the saver's own continuation has run.
      if (this.writesInFlight === 0 && this.writeWaiters.length > 0) {
        void yieldToEventLoop().then(() => {
          for (const resolve of this.writeWaiters.splice(0)) resolve();
        });
      }
    }
  }

  private register(record: CallRecord, partition: Partition): void {
    const ordinal = this.byOrdinal.length;
    this.byOrdinal.push(record);
    this.calls.set(record.callId, { partition, ordinal });
    this.fileNumber(record);
    this.index.add(ordinal, recordTokens(record));
  }

  private replace(entry: CallEntry, previous: CallRecord, next: CallRecord): void {
    entry.partition.records.set(next.callId, next);
    this.byOrdinal[entry.ordinal] = next;
    if (previous.number !== next.number) {
      this.unfileNumber(previous);
      this.fileNumber(next);
    }
    if (previous.name !== next.name || previous.note?.text !== next.note?.text) {
      this.index.update(entry.ordinal, recordTokens(previous), recordTokens(next));
    }
  }

  private unregister(callId: string): void {
    const entry = this.calls.get(callId);
    const record = entry && this.byOrdinal[entry.ordinal];
    if (!entry || !record) return;
    this.index.remove(entry.ordinal, recordTokens(record));
    this.unfileNumber(record);
    this.byOrdinal[entry.ordinal] = undefined;
    this.calls.delete(callId);
    entry.partition.records.delete(callId);
  }

  private fileNumber(record: CallRecord): void {
    const key = callerKey(record.number);
    if (key === undefined) return;
    let entry = this.byNumber.get(key);
    if (!entry) {
      entry = { digits: keyDigits(key), callIds: new Set() };
      this.byNumber.set(key, entry);
    }
    entry.callIds.add(record.callId);
  }

  private unfileNumber(record: CallRecord): void {
    const key = callerKey(record.number);
    const entry = key === undefined ? undefined : this.byNumber.get(key);
    if (!entry || key === undefined) return;
    entry.callIds.delete(record.callId);
    if (entry.callIds.size === 0) this.byNumber.delete(key);
  }

  private addNotice(notice: StorageNotice): void {
    this.found.push(notice);
    for (const listener of this.noticeListeners) listener(notice);
  }
}
