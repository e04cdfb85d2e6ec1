/**
 * The main thread's side of the history's index worker: starts the worker and
 * forwards the HistoryIndexApi to it. Messages on one port arrive in order, so a
 * search sent after a note save's `upsert` always sees the saved note.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { HistoryQuery, SearchResult } from './call-history';
import type { CallRecord } from '../../../shared/call-record';
import type { RetentionCandidate } from './history-index';
import type { HistoryIndexApi, IndexStats, LocatedCall } from './history-index-host';
import type { FromIndexWorker, IndexCall, IndexCast, IndexWorkerData, ToIndexWorker } from './history-index-protocol';
import { lowerThreadPriority } from './thread-priority';

/** The worker stopped (crashed, or was closed) before it answered; ask again elsewhere. */
export class IndexUnavailable extends Error {
  override readonly name = 'IndexUnavailable';
}

/**
 * Starts the index worker, or returns undefined when this build has no worker file
 * (the caller then keeps the index on the main thread).
 *
 * - Built code (`….js`): the worker is `history-index-worker.js` next to this module,
 *   which a bundle must emit as its own entry.
 * - TypeScript source (the web host under tsx, tests, the benchmark): Node cannot start
 *   a worker from a `.ts` file, so a one-line bootstrap loads it through tsx's API.
 */
export function spawnHistoryIndexWorker(data: IndexWorkerData): Worker | undefined {
  const here = import.meta.url;
  const options = { workerData: data, name: 'calmline-history-index' };
  if (here.endsWith('.js')) {
    const built = new URL('./history-index-worker.js', here);
    return existsSync(fileURLToPath(built)) ? new Worker(built, options) : undefined;
  }
  const source = new URL('./history-index-worker.ts', here);
  if (!here.startsWith('file:') || !existsSync(fileURLToPath(source))) return undefined;
  const tsxApi = tsxEsmApi(here);
  if (tsxApi === undefined) return undefined;
  // The priority is lowered before tsx compiles the worker's modules, the busiest part of its start.
  const bootstrap =
    `${data.lowerPriority ? `(${lowerThreadPriority.toString()})(require('node:fs').readlinkSync, require('node:os').setPriority);` : ''}` +
    `import(${JSON.stringify(tsxApi)}).then((api) => ` +
    `api.tsImport(${JSON.stringify(source.href)}, ${JSON.stringify(here)}))`;
  return new Worker(bootstrap, { ...options, eval: true });
}

/** The file URL of tsx's ESM API (`tsx/esm/api`, import condition), as its package.json declares it. */
function tsxEsmApi(from: string): string | undefined {
  try {
    const manifestPath = createRequire(from).resolve('tsx/package.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
      exports?: Record<string, { import?: string | { default?: string } }>;
    };
    const entry = manifest.exports?.['./esm/api']?.import;
    const file = typeof entry === 'string' ? entry : entry?.default;
    return file ? pathToFileURL(join(dirname(manifestPath), file)).href : undefined;
  } catch {
    return undefined;
  }
}

/** Events of a worker index. */
export interface WorkerIndexEvents {
  /** The worker could not read this partition; the main thread must load and adopt it. */
  onUnreadable(key: string): void;
  /** The worker died; pending questions reject with IndexUnavailable right after this. */
  onFailure(error: Error): void;
}

/** HistoryIndexApi answered by the index worker. */
export class WorkerHistoryIndex implements HistoryIndexApi {
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private nextId = 1;
  private failed: Error | undefined;

  constructor(
    private readonly worker: Worker,
    private readonly events: WorkerIndexEvents,
  ) {
    // An idle index must not keep the process alive; it is ref'ed while a question is open.
    worker.unref();
    worker.on('message', (message: FromIndexWorker) => this.receive(message));
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => this.fail(new Error(`The history index worker exited (code ${code}).`)));
  }

  start(keys: readonly string[]): void {
    this.cast('start', [keys]);
  }

  adopt(key: string, records: readonly CallRecord[]): void {
    this.cast('adopt', [key, records]);
  }

  upsert(key: string, record: CallRecord): void {
    this.cast('upsert', [key, record]);
  }

  remove(callIds: readonly string[]): void {
    this.cast('remove', [callIds]);
  }

  drop(key: string): void {
    this.cast('drop', [key]);
  }

  locate(callId: string): Promise<LocatedCall | undefined> {
    return this.call('locate', [callId]) as Promise<LocatedCall | undefined>;
  }

  search(query: HistoryQuery): Promise<SearchResult> {
    return this.call('search', [query]) as Promise<SearchResult>;
  }

  callsFor(number: string, limit?: number): Promise<CallRecord[]> {
    return this.call('callsFor', [number, limit]) as Promise<CallRecord[]>;
  }

  retentionCandidates(cutoff: number): Promise<RetentionCandidate[]> {
    return this.call('retentionCandidates', [cutoff]) as Promise<RetentionCandidate[]>;
  }

  sizes(keys: readonly string[]): Promise<number[]> {
    return this.call('sizes', [keys]) as Promise<number[]>;
  }

  ready(): Promise<void> {
    return this.call('ready', []) as Promise<void>;
  }

  stats(): Promise<IndexStats> {
    return this.call('stats', []) as Promise<IndexStats>;
  }

  async close(): Promise<void> {
    this.fail(new IndexUnavailable('The history index was closed.'), false);
    await this.worker.terminate();
  }

  private cast(method: IndexCast, args: Extract<ToIndexWorker, { kind: 'cast' }>['args']): void {
    // After a failure the replacement index is rebuilt from the main thread's partitions.
    if (this.failed) return;
    this.worker.postMessage({ kind: 'cast', method, args } satisfies ToIndexWorker);
  }

  private call(method: IndexCall, args: Extract<ToIndexWorker, { kind: 'call' }>['args']): Promise<unknown> {
    if (this.failed) return Promise.reject(new IndexUnavailable(this.failed.message));
    const id = this.nextId;
    this.nextId += 1;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) this.worker.ref();
      this.worker.postMessage({ kind: 'call', id, method, args } satisfies ToIndexWorker);
    });
  }

  private receive(message: FromIndexWorker): void {
    if (message.kind === 'unreadable') {
      this.events.onUnreadable(message.key);
      return;
    }
    const waiter = this.pending.get(message.id);
    if (!waiter) return;
    this.pending.delete(message.id);
    if (this.pending.size === 0) this.worker.unref();
    if (message.kind === 'reply') waiter.resolve(message.value);
    else waiter.reject(new Error(message.message));
  }

  private fail(error: Error, report = true): void {
    if (this.failed) return;
    this.failed = error;
    // Report first, so the owner has a replacement index when the rejected callers ask again.
    if (report) this.events.onFailure(error);
    const unavailable = new IndexUnavailable(error.message);
    for (const waiter of this.pending.values()) waiter.reject(unavailable);
    this.pending.clear();
    this.worker.unref();
  }
}
