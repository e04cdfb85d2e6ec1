/**
 * Notes survive a crash at any moment: a child process
 * (tests/support/storage-crash-writer.ts) saves notes continuously and prints `ACK`
 * after each save resolves; it is killed with SIGKILL at a random moment, 100 times
 * over four folders in parallel.
 * After every kill the history is opened as the app would open it, and must parse
 * without a single kept-aside file and hold every acknowledged note (or a later one).
 *
 * The kill moments come from a seeded generator; the seed is printed, and
 * CALMLINE_CRASH_SEED replays a run.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock';
import { silentLogger } from '../../src/core/logger';
import { FileCallHistory, type HistoryIndexMode } from '../../src/core/storage/history/file-call-history';
import { isKeptAsideName } from '../../src/core/storage/files/quarantine';
import { seededRandom } from '../support/seeded-random';

const WRITER = resolve(import.meta.dirname, '../support/storage-crash-writer.ts');
const KILLS = 100;
const LANES = 4;
const seed = Number(process.env.CALMLINE_CRASH_SEED ?? Date.now() % 1_000_000);
const root = mkdtempSync(join(tmpdir(), 'calmline-crash-'));

afterAll(() => rmSync(root, { recursive: true, force: true }));

interface KillOutcome {
  acks: [string, number][];
  ready: boolean;
  tempFilesLeft: number;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

/** Starts the writer, kills it at a random moment, and returns what it acknowledged. */
function runAndKill(dir: string, run: number, next: () => number): Promise<KillOutcome> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dir, String(run)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let ready = false;
    let killTimer: ReturnType<typeof setTimeout> | undefined;
    const kill = () => child.kill('SIGKILL');
    // One run in ten dies during start-up (opening, cleaning temp files); the rest while writing.
    const duringStartup = next() < 0.1;
    if (duringStartup) killTimer = setTimeout(kill, 150 + next() * 250);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      if (!ready && stdout.includes('READY\n')) {
        ready = true;
        if (!duringStartup) killTimer = setTimeout(kill, next() * 200);
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', fail);
    child.on('close', (code, signal) => {
      clearTimeout(killTimer);
      if (signal !== 'SIGKILL') {
        fail(new Error(`writer ended by itself (code ${code}): ${stderr}`));
        return;
      }
      const acks = stdout
        .split('\n')
        .slice(0, -1)
        .flatMap((line): [string, number][] => {
          const match = /^ACK (\S+) (\d+)$/.exec(line);
          return match?.[1] && match[2] ? [[match[1], Number(match[2])]] : [];
        });
      let tempFilesLeft = 0;
      try {
        tempFilesLeft = walk(dir).filter((path) => /\.tmp-\d+-\d+$/.test(path)).length;
      } catch {
        // Killed before the folder existed.
      }
      done({ acks, ready, tempFilesLeft });
    });
  });
}

/**
 * Opens the store as the app would and checks every acknowledged note is there. The
 * index runs on the main thread except in each lane's last check: starting an index
 * worker (~0.5 s under tsx) after each of the 100 kills would not fit the time limit,
 * and the writer, which is what gets killed, never needs the index.
 */
async function verify(dir: string, acked: Map<string, number>, index: HistoryIndexMode): Promise<void> {
  const history = await FileCallHistory.open({ dir, clock: systemClock, logger: silentLogger, index });
  try {
    await history.warmUp();
    expect(history.notices()).toEqual([]);
    for (const path of walk(dir)) {
      expect(isKeptAsideName(path)).toBe(false);
      expect(() => JSON.parse(readFileSync(path, 'utf8')) as unknown).not.toThrow();
    }
    for (const [callId, version] of acked) {
      const text = (await history.getCall(callId))?.note?.text ?? '';
      const stored = Number(/^\S+ v(\d+) /.exec(text)?.[1] ?? 0);
      if (stored < version) expect.fail(`${callId}: acknowledged v${version}, found v${stored} (seed ${seed})`);
    }
  } finally {
    // Stops the index worker this open started.
    await history.close();
  }
}

describe('storage crash safety', () => {
  it(`keeps every acknowledged note through ${KILLS} SIGKILLs at random moments`, async () => {
    console.log(`storage crash test seed ${seed} (replay with CALMLINE_CRASH_SEED=${seed})`);
    const lanes = Array.from({ length: LANES }, async (_, lane) => {
      const dir = join(root, `lane-${lane}`);
      const next = seededRandom(seed * 31 + lane);
      const acked = new Map<string, number>();
      let acks = 0;
      let killedWhileWriting = 0;
      let tempFilesLeft = 0;
      for (let i = 0; i < KILLS / LANES; i += 1) {
        const outcome = await runAndKill(dir, lane * 1000 + i, next);
        for (const [callId, version] of outcome.acks) acked.set(callId, Math.max(acked.get(callId) ?? 0, version));
        acks += outcome.acks.length;
        if (outcome.acks.length > 0) killedWhileWriting += 1;
        tempFilesLeft += outcome.tempFilesLeft;
        await verify(dir, acked, i === KILLS / LANES - 1 ? 'worker' : 'main-thread');
      }
      return { acks, notes: acked.size, killedWhileWriting, tempFilesLeft };
    });
    const results = await Promise.all(lanes);
    const sum = (pick: (r: (typeof results)[number]) => number) => results.reduce((total, r) => total + pick(r), 0);
    console.log(
      `${KILLS} kills: ${sum((r) => r.acks)} acknowledged saves of ${sum((r) => r.notes)} notes, ` +
        `${sum((r) => r.killedWhileWriting)} kills after at least one acknowledged save, ` +
        `${sum((r) => r.tempFilesLeft)} half-written temp files found (and removed) after kills`,
    );
    expect(sum((r) => r.killedWhileWriting)).toBeGreaterThan(KILLS / 3);
    expect(sum((r) => r.acks)).toBeGreaterThan(KILLS);
  });
});
