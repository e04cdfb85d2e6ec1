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
  /**
   * One Int32: the number of partition writes the main thread has in flight. The
   * worker decodes no day file while it is above zero (see `waitForSaves`).
   */
  savesInFlight: SharedArrayBuffer;
  /** The data key when history files are encrypted at rest. */
  dataKey?: Uint8Array;
}

/**
 * Resolves once no save is in flight. The worker calls it before decoding each day
 * file, so that while a note is being saved it neither takes CPU from the save nor
 * allocates (which would keep the garbage collector's helper threads busy). A save
 * takes a few milliseconds; the wait is capped in case the main thread dies mid-save.
 */
export async function waitForSaves(savesInFlight: Int32Array): Promise<void> {
  for (let value = Atomics.load(savesInFlight, 0); value > 0; value = Atomics.load(savesInFlight, 0)) {
    const waited = waitAsync(savesInFlight, 0, value, 1_000);
    if (waited.async) await waited.value;
  }
}

// Atomics.waitAsync (Node ≥ 16) is ES2024; the project's lib is ES2023.
type WaitAsync = (
  array: Int32Array,
  index: number,
  value: number,
  timeoutMs: number,
) => { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

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
