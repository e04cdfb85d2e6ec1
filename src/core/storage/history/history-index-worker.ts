/**
 * Entry of the history's index worker (node:worker_threads): a HistoryIndexHost that
 * reads day files with node:fs and answers the main thread's questions. It never
 * writes a file. Started by `spawnHistoryIndexWorker` (history-index-client.ts).
 */
import { readlinkSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { HistoryIndexHost } from './history-index-host';
import {
  INDEX_CALLS,
  INDEX_CASTS,
  type FromIndexWorker,
  type IndexWorkerData,
  type ToIndexWorker,
  waitForSaves,
} from './history-index-protocol';
import { partitionCipher, partitionPath, readPartitionFile } from './history-partition';
import { lowerThreadPriority } from './thread-priority';

const port = parentPort;
if (!port) throw new Error('history-index-worker must run in a worker thread');
const init = workerData as IndexWorkerData;
// Again for a built worker, which has no bootstrap (harmless when already done).
if (init.lowerPriority) lowerThreadPriority(readlinkSync, setPriority);

const post = (message: FromIndexWorker): void => port.postMessage(message);
const savesInFlight = new Int32Array(init.savesInFlight);
const host = new HistoryIndexHost({
  read: (key) =>
    readPartitionFile(
      readFile,
      partitionPath(init.root, key),
      () => waitForSaves(savesInFlight),
      init.dataKey && partitionCipher(init.dataKey, key),
    ),
  onUnreadable: (key) => post({ kind: 'unreadable', key }),
  concurrency: init.concurrency,
});

port.on('message', (message: ToIndexWorker) => {
  if (message.kind === 'cast') {
    if (!INDEX_CASTS.has(message.method)) return;
    (host[message.method] as (...args: unknown[]) => void)(...message.args);
    return;
  }
  const { id, method, args } = message;
  if (!INDEX_CALLS.has(method)) {
    post({ kind: 'error', id, message: `Unknown index call ${String(method)}` });
    return;
  }
  (host[method] as (...args: unknown[]) => Promise<unknown>)(...args).then(
    (value) => post({ kind: 'reply', id, value }),
    (error: unknown) => post({ kind: 'error', id, message: error instanceof Error ? error.message : String(error) }),
  );
});
