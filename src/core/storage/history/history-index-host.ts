/**
 * Loads the whole call history into a `HistoryIndex` and answers questions about it
 * (search, a caller's calls, where a call is filed, what retention would delete).
 * It runs in the history's index worker (history-index-worker.ts), so parsing five
 * years of day files and indexing their words never holds the main event loop, and
 * the index's ~200 MB of small objects live in the worker's heap, not in the one the
 * main thread's garbage collector has to walk between note saves.
 *
 * The host only reads. The main thread owns every partition it loads or writes: it
 * `adopt`s the partition's records here and sends each change (`upsert`, `remove`,
 * `drop`) in the order it makes them, and from then on the host never loads that
 * partition from disk. A file the host cannot read is reported with `onUnreadable`;
 * the main thread loads it itself (moving it aside, salvaging what it can) and adopts
 * the result, so no two threads ever write or rename the same file.
 */
import type { HistoryQuery, SearchResult } from './call-history';
import type { CallRecord } from '../../../shared/call-record';
import { callerKey } from '../callers/caller-key';
import { HistoryIndex, type RetentionCandidate } from './history-index';

/** What reading one partition file gave. */
export type PartitionRead = { records: CallRecord[] } | { unreadable: true };

/** A call found in the index and the partition it is filed in. */
export interface LocatedCall {
  key: string;
  record: CallRecord;
}

/** Size of the index, for diagnostics and the benchmark. */
export interface IndexStats {
  loadedPartitions: number;
  calls: number;
  indexedWords: number;
}

/** The index as the main thread uses it, in the worker or (fallback) in this thread. */
export interface HistoryIndexApi {
  /** Loads the partitions `keys` (newest first) that are not adopted yet. */
  start(keys: readonly string[]): void;
  /** The main thread owns `key` from now on; `records` is its content. */
  adopt(key: string, records: readonly CallRecord[]): void;
  upsert(key: string, record: CallRecord): void;
  remove(callIds: readonly string[]): void;
  /** The partition's file was deleted. */
  drop(key: string): void;
  /** Where a call is filed; waits until it is loaded, or until everything is (then undefined). */
  locate(callId: string): Promise<LocatedCall | undefined>;
  search(query: HistoryQuery): Promise<SearchResult>;
  callsFor(number: string, limit?: number): Promise<CallRecord[]>;
  retentionCandidates(cutoff: number): Promise<RetentionCandidate[]>;
  /** Calls filed under each partition key, once everything is loaded. */
  sizes(keys: readonly string[]): Promise<number[]>;
  /** Resolves once every partition is loaded or adopted. */
  ready(): Promise<void>;
  stats(): Promise<IndexStats>;
  close(): Promise<void>;
}

/** What a host needs. */
export interface HistoryIndexHostOptions {
  /** Reads and decodes one partition; never writes. */
  read(key: string): Promise<PartitionRead>;
  /** Called for a partition `read` could not decode; the owner adopts it when it has dealt with it. */
  onUnreadable(key: string): void;
  /** Partition files read at once (default 2). */
  concurrency?: number;
  /** Awaited after each partition is indexed (the in-thread fallback yields to saves here). */
  pause?: () => Promise<void>;
}

type PartitionState = 'pending' | 'loading' | 'loaded' | 'waiting-for-owner' | 'adopted' | 'dropped';

/** States in which a partition is not in the index yet. */
const UNSETTLED: ReadonlySet<PartitionState> = new Set(['pending', 'loading', 'waiting-for-owner']);

/** The index plus its loader; see the file comment. */
export class HistoryIndexHost implements HistoryIndexApi {
  private readonly index = new HistoryIndex();
  private readonly states = new Map<string, PartitionState>();
  private readonly queue: string[] = [];
  private started = false;
  private loaders = 0;
  /** Partitions in an UNSETTLED state. */
  private unsettled = 0;
  private readonly readyWaiters: (() => void)[] = [];
  private readonly locateWaiters = new Map<string, ((found: LocatedCall | undefined) => void)[]>();

  constructor(private readonly options: HistoryIndexHostOptions) {}

  start(keys: readonly string[]): void {
    for (const key of keys) {
      if (this.states.has(key)) continue;
      this.setState(key, 'pending');
      this.queue.push(key);
    }
    this.started = true;
    const wanted = Math.max(1, this.options.concurrency ?? 2);
    while (this.loaders < wanted && this.queue.length > 0) {
      this.loaders += 1;
      void this.loadQueued().finally(() => {
        this.loaders -= 1;
        this.settle();
      });
    }
    this.settle();
  }

  adopt(key: string, records: readonly CallRecord[]): void {
    this.setState(key, 'adopted');
    this.index.setPartition(key, records);
    this.settle();
  }

  upsert(key: string, record: CallRecord): void {
    if (!this.states.has(key) || this.states.get(key) === 'dropped') this.setState(key, 'adopted');
    this.index.upsert(key, record);
    this.settle();
  }

  remove(callIds: readonly string[]): void {
    this.index.remove(callIds);
  }

  drop(key: string): void {
    this.setState(key, 'dropped');
    this.index.dropPartition(key);
    this.settle();
  }

  locate(callId: string): Promise<LocatedCall | undefined> {
    const found = this.index.locate(callId);
    if (found || this.isReady()) return Promise.resolve(found);
    return new Promise((resolve) => {
      const waiters = this.locateWaiters.get(callId);
      if (waiters) waiters.push(resolve);
      else this.locateWaiters.set(callId, [resolve]);
    });
  }

  async search(query: HistoryQuery): Promise<SearchResult> {
    await this.ready();
    return this.index.search(query);
  }

  async callsFor(number: string, limit?: number): Promise<CallRecord[]> {
    const key = callerKey(number);
    if (key === undefined) return [];
    await this.ready();
    return this.index.callsFor(key, limit);
  }

  async retentionCandidates(cutoff: number): Promise<RetentionCandidate[]> {
    await this.ready();
    return this.index.retentionCandidates(cutoff);
  }

  async sizes(keys: readonly string[]): Promise<number[]> {
    await this.ready();
    return this.index.sizes(keys);
  }

  ready(): Promise<void> {
    if (this.isReady()) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  stats(): Promise<IndexStats> {
    let loadedPartitions = 0;
    for (const state of this.states.values()) if (state === 'loaded' || state === 'adopted') loadedPartitions += 1;
    return Promise.resolve({ loadedPartitions, calls: this.index.callCount, indexedWords: this.index.termCount });
  }

  close(): Promise<void> {
    this.queue.length = 0;
    return Promise.resolve();
  }

  private async loadQueued(): Promise<void> {
    for (let key = this.queue.shift(); key !== undefined; key = this.queue.shift()) {
      if (this.states.get(key) !== 'pending') continue;
      this.setState(key, 'loading');
      let read: PartitionRead;
      try {
        read = await this.options.read(key);
      } catch {
        read = { unreadable: true };
      }
      // Adopted or deleted by the main thread while the file was being read: its copy wins.
      if (this.states.get(key) !== 'loading') continue;
      if ('unreadable' in read) {
        this.setState(key, 'waiting-for-owner');
        this.options.onUnreadable(key);
        continue;
      }
      this.index.setPartition(key, read.records);
      this.setState(key, 'loaded');
      this.settle();
      if (this.options.pause) await this.options.pause();
    }
  }

  private setState(key: string, state: PartitionState): void {
    const before = this.states.get(key);
    if (before !== undefined && UNSETTLED.has(before)) this.unsettled -= 1;
    if (UNSETTLED.has(state)) this.unsettled += 1;
    this.states.set(key, state);
  }

  private isReady(): boolean {
    return this.started && this.unsettled === 0;
  }

  /** Answers the waiters whose question can be answered now. */
  private settle(): void {
    const ready = this.isReady();
    for (const [callId, waiters] of this.locateWaiters) {
      const found = this.index.locate(callId);
      if (!found && !ready) continue;
      this.locateWaiters.delete(callId);
      for (const resolve of waiters) resolve(found);
    }
    if (ready) for (const resolve of this.readyWaiters.splice(0)) resolve();
  }
}
