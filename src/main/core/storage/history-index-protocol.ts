/** Messages between the main thread and the history's index worker. */
import type { HistoryIndexApi } from './history-index-host';

/** What the worker is started with. */
export interface IndexWorkerData {
  /** The history folder. */
  root: string;
  /** Partition files read at once. */
  concurrency: number;
  /** Run the worker at a lower CPU priority than the main thread (Linux). */
  lowerPriority: boolean;
}

/** Index methods that change it and answer nothing. */
export type IndexCast = 'start' | 'adopt' | 'upsert' | 'remove' | 'drop';
/** Index methods that answer. */
export type IndexCall = 'locate' | 'search' | 'callsFor' | 'retentionCandidates' | 'sizes' | 'ready' | 'stats';

export const INDEX_CASTS: ReadonlySet<string> = new Set<IndexCast>(['start', 'adopt', 'upsert', 'remove', 'drop']);
export const INDEX_CALLS: ReadonlySet<string> = new Set<IndexCall>([
  'locate',
  'search',
  'callsFor',
  'retentionCandidates',
  'sizes',
  'ready',
  'stats',
]);

/** Main thread → worker. */
export type ToIndexWorker =
  | { kind: 'cast'; method: IndexCast; args: Parameters<HistoryIndexApi[IndexCast]> }
  | { kind: 'call'; id: number; method: IndexCall; args: Parameters<HistoryIndexApi[IndexCall]> };

/** Worker → main thread. */
export type FromIndexWorker =
  | { kind: 'reply'; id: number; value: unknown }
  | { kind: 'error'; id: number; message: string }
  | { kind: 'unreadable'; key: string };
