/**
 * The child of the storage crash test (tests/integration/storage-crash.test.ts): opens
 * the call history in the folder given, then saves notes as fast as it can, three at
 * once, across ~40 days (so new day files and month folders keep being created). The
 * three lanes run independently, so when one save is acknowledged the others are at
 * any step of their write.
 * It reports on stdout, one line each, the moments the parent kills it on:
 *
 * - `OPENING` just before it opens the history (listing the folder, removing the temp
 *   files the last kill left, loading the newest day);
 * - `READY` once the history is open;
 * - `ACK <callId> <version>` the moment each save has resolved.
 *
 * The parent kills it with SIGKILL on one of these lines and checks that every
 * acknowledged note survived. The test runs it as a bundle (esbuild, built once per
 * run) under plain `node`; from source it runs with `node --import tsx`.
 *
 * The writer never starts the history index: `recordCall` loads the call's own day and
 * `saveNote` finds the call held there, so the bundle needs no index worker file. Were
 * the index ever started, `spawnHistoryIndexWorker` would find no worker beside the
 * bundle and log that it indexes on the main thread; the log goes to stderr, which the
 * test requires to stay empty.
 *
 * Notes carry their version in the text (`<callId> v<version> …`), so the parent can
 * tell that the stored note is the acknowledged one or a later one.
 */
import { systemClock } from '../../src/core/clock';
import { createConsoleLogger } from '../../src/core/logger';
import { FileCallHistory } from '../../src/core/storage/history/file-call-history';

const DAY = 86_400_000;
const BASE = Date.UTC(2025, 0, 20, 8, 0);
const CALLS_PER_RUN = 6;
const PARALLEL = 3;

function parseArgs(): { dir: string; run: number } {
  const [dir, run] = process.argv.slice(2);
  if (!dir || !run) {
    process.stderr.write('usage: storage-crash-writer <dir> <run>\n');
    process.exit(2);
  }
  return { dir, run: Number(run) };
}
const { dir, run } = parseArgs();

function filler(seed: number): string {
  const words = [
    'Kunde',
    'angry',
    'refund',
    'Rechnung',
    'Techniker',
    'callback',
    'لطفا',
    'promised',
    'status',
    'Faktura',
  ];
  const length = 5 + ((seed * 7919) % 300);
  return Array.from({ length }, (_, i) => words[(seed + i * 31) % words.length]).join(' ');
}

async function main(): Promise<void> {
  // A pipe write is synchronous on Linux: once it returns the parent will read the line.
  process.stdout.write('OPENING\n');
  const history = await FileCallHistory.open({
    dir,
    clock: systemClock,
    logger: createConsoleLogger('debug', 'crash-writer'),
  });
  process.stdout.write('READY\n');
  const calls = Array.from({ length: CALLS_PER_RUN }, (_, k) => ({
    callId: `r${run}-c${k}`,
    startedAt: BASE + ((run * CALLS_PER_RUN + k) % 40) * DAY + k * 60_000,
  }));
  // Each lane saves its own two calls in turn, without waiting for the others: were the lanes in
  // step, a kill on one acknowledgement would find every other save in flight at its end too.
  await Promise.all(
    Array.from({ length: PARALLEL }, async (_, lane) => {
      const own = calls.filter((_call, k) => k % PARALLEL === lane);
      for (let turn = 0; ; turn += 1) {
        const call = own[turn % own.length];
        if (!call) return;
        const version = Math.floor(turn / own.length) + 1;
        if (version === 1) {
          await history.recordCall({
            callId: call.callId,
            number: `+4930${run}${lane}`,
            name: `Caller ${run}`,
            direction: 'inbound',
            startedAt: call.startedAt,
            agent: 'Crash Test',
          });
        }
        await history.saveNote(call.callId, `${call.callId} v${version} ${filler(version + run)}`, 'Crash Test');
        process.stdout.write(`ACK ${call.callId} ${version}\n`);
      }
    }),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
