/**
 * The child of the storage crash test (tests/integration/storage-crash.test.ts): opens
 * the call history in the folder given, then saves notes as fast as it can, several
 * at once, across ~40 days (so new day files and month folders keep being created),
 * and prints `ACK <callId> <version>` the moment each save has resolved. The parent
 * kills it with SIGKILL at a random moment and checks that every acknowledged note
 * survived. Run with `node --import tsx`.
 *
 * Notes carry their version in the text (`<callId> v<version> …`), so the parent can
 * tell that the stored note is the acknowledged one or a later one.
 */
import { systemClock } from '../../src/core/clock';
import { silentLogger } from '../../src/core/logger';
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
  const words = ['Kunde', 'angry', 'refund', 'Rechnung', 'Techniker', 'callback', 'لطفا', 'promised', 'status', 'Faktura'];
  const length = 5 + ((seed * 7919) % 300);
  return Array.from({ length }, (_, i) => words[(seed + i * 31) % words.length]).join(' ');
}

async function main(): Promise<void> {
  const history = await FileCallHistory.open({ dir, clock: systemClock, logger: silentLogger });
  process.stdout.write('READY\n');
  const calls = Array.from({ length: CALLS_PER_RUN }, (_, k) => ({
    callId: `r${run}-c${k}`,
    startedAt: BASE + ((run * CALLS_PER_RUN + k) % 40) * DAY + k * 60_000,
  }));
  const versions = new Map<string, number>();
  for (let tick = 0; ; tick += 1) {
    await Promise.all(
      Array.from({ length: PARALLEL }, async (_, lane) => {
        const call = calls[(tick * PARALLEL + lane) % calls.length];
        if (!call) return;
        const version = (versions.get(call.callId) ?? 0) + 1;
        versions.set(call.callId, version);
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
        // A pipe write is synchronous on Linux: once this returns the parent will read it.
        process.stdout.write(`ACK ${call.callId} ${version}\n`);
      }),
    );
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
