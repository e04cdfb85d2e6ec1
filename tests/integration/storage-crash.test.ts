/**
 * Notes survive a crash at any moment: a child process
 * (tests/support/storage-crash-writer.ts) saves notes continuously and prints `ACK`
 * after each save resolves; it is killed with SIGKILL, 100 times over four folders in parallel. After every kill the
 * history is opened as the app would open it, and must parse without a single
 * kept-aside file and hold every acknowledged note (or a later one).
 *
 * The writer is bundled once (esbuild, in beforeAll) and each child is plain `node` on
 * the bundle: no TypeScript compiled per spawn. The parent kills on what the child
 * reports, never after a sleep: one run in ten as the child starts opening the history,
 * the rest after a seeded number of acknowledged saves, with more saves in flight. The
 * seed is printed, and again if the test fails; CALMLINE_CRASH_SEED replays a run (the
 * same kill points; the exact instant within the write still varies with scheduling).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock';
import { silentLogger } from '../../src/core/logger';
import { FileCallHistory, type HistoryIndexMode } from '../../src/core/storage/history/file-call-history';
import { isKeptAsideName } from '../../src/core/storage/files/quarantine';
import { seededRandom } from '../support/seeded-random';

const WRITER_SOURCE = resolve(import.meta.dirname, '../support/storage-crash-writer.ts');
const KILLS = 100;
const LANES = 4;
/** A writing run is killed after 0 to this many acknowledged saves (0: as soon as the history is open). */
const MAX_ACKS_BEFORE_KILL = 16;
/**
 * The time limit follows from the work, not from a fixed 60 s. One kill is one unit: a
 * child's start (plain Node loading the bundle, ~0.15 s of CPU), its open and its saves
 * up to the kill, then one main-thread check of the lane's folder. With the four lanes
 * side by side on a 2-core machine a lane takes ~0.7 s a kill (17 s for the test), ~1 s
 * with one core kept busy (25 s). The budget allows KILL_BUDGET_MS a kill as if the
 * lanes ran one after another: four times that, or more, for lanes running together.
 */
const KILL_BUDGET_MS = 1_000;
/** Each lane's last check starts the index worker, which loads through tsx (~0.5 s, more on a busy machine). */
const WORKER_CHECK_BUDGET_MS = 5_000;
const TEST_BUDGET_MS = KILLS * KILL_BUDGET_MS + LANES * WORKER_CHECK_BUDGET_MS;

const seed = Number(process.env.CALMLINE_CRASH_SEED ?? Date.now() % 1_000_000);
const root = mkdtempSync(join(tmpdir(), 'calmline-crash-'));
const writer = join(root, 'writer', 'storage-crash-writer.mjs');
/** Children not yet reaped: killed if the test ends (fails, times out) while they run. */
const running = new Set<ChildProcess>();
/** Set when a lane fails or the test ends: no further child starts. */
let finished = false;
let lanesSettled: Promise<unknown> = Promise.resolve();

beforeAll(async () => {
  // Everything bundled, zod included: the bundle lives outside the repo, where bare imports would not resolve.
  await build({
    entryPoints: [WRITER_SOURCE],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: writer,
    logLevel: 'silent',
  });
});

afterAll(async () => {
  finished = true;
  for (const child of running) child.kill('SIGKILL');
  // After a time-out the lanes may still be checking a folder: let them stop before it goes.
  await lanesSettled;
  rmSync(root, { recursive: true, force: true });
});

/** Where a run is killed: as it starts opening the history, or after its n-th acknowledged save. */
type KillPoint = { on: 'opening' } | { on: 'ack'; count: number };

function killPoint(next: () => number): KillPoint {
  // One run in ten dies during start-up (opening, cleaning temp files); the rest while writing.
  if (next() < 0.1) return { on: 'opening' };
  return { on: 'ack', count: Math.floor(next() * (MAX_ACKS_BEFORE_KILL + 1)) };
}

interface KillOutcome {
  acks: [string, number][];
  duringStartup: boolean;
  ready: boolean;
  tempFilesLeft: number;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

/** Starts the writer, kills it at the kill point, and returns what it acknowledged. */
function runAndKill(dir: string, run: number, at: KillPoint): Promise<KillOutcome> {
  return new Promise((done, fail) => {
    if (finished) {
      fail(new Error('the test has ended'));
      return;
    }
    const child = spawn(process.execPath, [writer, dir, String(run)], { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    const acks: [string, number][] = [];
    let pending = '';
    let stderr = '';
    let ready = false;
    const kill = () => child.kill('SIGKILL');
    const onLine = (line: string) => {
      const ack = /^ACK (\S+) (\d+)$/.exec(line);
      if (ack?.[1] && ack[2]) {
        acks.push([ack[1], Number(ack[2])]);
        if (at.on === 'ack' && acks.length === at.count) kill();
      } else if (line === 'READY') {
        ready = true;
        if (at.on === 'ack' && at.count === 0) kill();
      } else if (line === 'OPENING') {
        if (at.on === 'opening') kill();
      }
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      // Lines after the kill are still read: saves acknowledged before the signal landed.
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      lines.forEach(onLine);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', fail);
    child.on('close', (code, signal) => {
      running.delete(child);
      if (signal !== 'SIGKILL') {
        fail(new Error(`writer ended by itself (code ${code}, seed ${seed}): ${stderr}`));
        return;
      }
      // The writer logs through a console logger: storage warnings, or an index started, would show here.
      if (stderr !== '') {
        fail(new Error(`writer run ${run} wrote to stderr (seed ${seed}): ${stderr}`));
        return;
      }
      let tempFilesLeft = 0;
      try {
        tempFilesLeft = walk(dir).filter((path) => /\.tmp-\d+-\d+$/.test(path)).length;
      } catch {
        // Killed before the folder existed.
      }
      done({ acks, duringStartup: at.on === 'opening', ready, tempFilesLeft });
    });
  });
}

/**
 * Opens the store as the app would and checks every acknowledged note is there. The
 * index runs on the main thread except in each lane's last check: the writer, which is
 * what gets killed, never needs the index, and starting an index worker (~0.5 s under
 * tsx) after each of the 100 kills would only add time.
 */
async function verify(dir: string, acked: Map<string, number>, index: HistoryIndexMode): Promise<void> {
  const history = await FileCallHistory.open({ dir, clock: systemClock, logger: silentLogger, index });
  try {
    await history.warmUp();
    expect(history.notices(), `storage notices (seed ${seed})`).toEqual([]);
    for (const path of walk(dir)) {
      expect(isKeptAsideName(path), `${path} is a kept-aside file (seed ${seed})`).toBe(false);
      expect(() => JSON.parse(readFileSync(path, 'utf8')) as unknown, `${path} parses (seed ${seed})`).not.toThrow();
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
  it(
    `keeps every acknowledged note through ${KILLS} SIGKILLs at random moments`,
    async ({ onTestFailed }) => {
      console.log(`storage crash test seed ${seed} (replay with CALMLINE_CRASH_SEED=${seed})`);
      onTestFailed(() =>
        console.log(`storage crash test failed with seed ${seed} (replay with CALMLINE_CRASH_SEED=${seed})`),
      );
      const lanes = Array.from({ length: LANES }, async (_, lane) => {
        const dir = join(root, `lane-${lane}`);
        const next = seededRandom(seed * 31 + lane);
        const acked = new Map<string, number>();
        let acks = 0;
        let killedWhileWriting = 0;
        let startupKills = 0;
        let killedBeforeReady = 0;
        let tempFilesLeft = 0;
        for (let i = 0; i < KILLS / LANES; i += 1) {
          const outcome = await runAndKill(dir, lane * 1000 + i, killPoint(next));
          for (const [callId, version] of outcome.acks) acked.set(callId, Math.max(acked.get(callId) ?? 0, version));
          acks += outcome.acks.length;
          if (outcome.acks.length > 0) killedWhileWriting += 1;
          if (outcome.duringStartup) startupKills += 1;
          if (!outcome.ready) killedBeforeReady += 1;
          tempFilesLeft += outcome.tempFilesLeft;
          await verify(dir, acked, i === KILLS / LANES - 1 ? 'worker' : 'main-thread');
        }
        return { acks, notes: acked.size, killedWhileWriting, startupKills, killedBeforeReady, tempFilesLeft };
      });
      // A failing lane stops the others at their next kill; afterAll waits for all of them.
      const watched = lanes.map((laneRun) =>
        laneRun.catch((error: unknown) => {
          finished = true;
          throw error;
        }),
      );
      lanesSettled = Promise.allSettled(watched);
      const results = await Promise.all(watched);
      const sum = (pick: (r: (typeof results)[number]) => number) => results.reduce((total, r) => total + pick(r), 0);
      console.log(
        `${KILLS} kills: ${sum((r) => r.acks)} acknowledged saves of ${sum((r) => r.notes)} notes, ` +
          `${sum((r) => r.killedWhileWriting)} kills after at least one acknowledged save, ` +
          `${sum((r) => r.startupKills)} kills on start-up (${sum((r) => r.killedBeforeReady)} landed before the history was open), ` +
          `${sum((r) => r.tempFilesLeft)} half-written temp files found (and removed) after kills`,
      );
      expect(
        sum((r) => r.killedWhileWriting),
        `seed ${seed}`,
      ).toBeGreaterThan(KILLS / 3);
      expect(
        sum((r) => r.acks),
        `seed ${seed}`,
      ).toBeGreaterThan(KILLS);
    },
    TEST_BUDGET_MS,
  );
});
