/**
 * `npm run bench`: builds what the browser phases load if it is stale, runs every bench
 * module listed in {@link BENCHES}, prints and writes each table to
 * bench/results/<name>-<date>.md and .json, and ends with one summary table of every
 * goal (met or NO), written as bench/results/summary-<date>.md and .json.
 *
 * The run exits non-zero when a phase fails, when a measured series has fewer samples
 * than it asked for, or when a goal is missed: a bench that measures nothing cannot
 * pass.
 *
 * `npm run bench -- --quick` (or BENCH_QUICK=1) is the smoke run `npm test` makes
 * (tests/integration/bench-quick.test.ts): a few samples per phase, no goal judged
 * (a goal row reads "not judged"), but a phase that fails or takes fewer samples than
 * asked still fails it. Its results go to a temp folder unless BENCH_RESULTS_DIR is set.
 *
 * Environment: BENCH_CALLS (measured calls per user agent and metric, default 200),
 * BENCH_WARMUP (warm-up calls per user agent, default 10), BENCH_UI_CALLS (caller-card
 * calls, default 60), BENCH_AUDIO_CALLS (Answer → first audio calls per path, default 30),
 * BENCH_SHIFT_CALLS (calls in the shift, default 300), BENCH_ONLY=<stem>[,<stem>] (run
 * only those modules, e.g. `audio`), BENCH_SKIP_BUILD=1 (do not build), BENCH_RESULTS_DIR.
 *
 * Adding a phase is one entry in {@link BENCHES}.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type BenchGoal,
  type BenchTable,
  machineInfo,
  resultStamp,
  toMarkdown,
  writeResult,
  writeSummary,
  type SummaryRow,
} from './support';

/** Whether this is the quick smoke run (few samples, no goals judged). */
const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';

/** Reads a whole number from the environment; `quick` is the value in the quick run. */
function envInt(name: string, fallback: number, quick: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return QUICK ? quick : fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`${name} must be a whole number, got ${JSON.stringify(raw)}`);
  return value;
}

/** One bench module: where it is, which export runs it, and with what options. */
interface BenchModule {
  /** Path relative to this file. */
  file: string;
  /** The exported function that runs it and returns its table. */
  exportName: string;
  options: () => Record<string, unknown>;
  /** Left out of the quick run (a phase with its own tests, too slow to smoke). */
  skipQuick?: boolean;
}

const BENCHES: BenchModule[] = [
  {
    file: './startup.ts',
    exportName: 'runStartupBench',
    options: () => ({ rounds: envInt('BENCH_START_ROUNDS', 10, 2) }),
  },
  {
    file: './phone.ts',
    exportName: 'runPhoneBench',
    options: () => ({ calls: envInt('BENCH_CALLS', 200, 3), warmup: envInt('BENCH_WARMUP', 10, 1) }),
  },
  { file: './storage.ts', exportName: 'runStorageBench', options: () => ({}), skipQuick: true },
  {
    file: './workspace.ts',
    exportName: 'runWorkspaceBench',
    options: () => ({ calls: envInt('BENCH_UI_CALLS', 60, 3), warmup: envInt('BENCH_WARMUP', 5, 1) }),
  },
  {
    file: './audio.ts',
    exportName: 'runAudioBench',
    options: () => ({ calls: envInt('BENCH_AUDIO_CALLS', 30, 2), warmup: envInt('BENCH_WARMUP', 3, 1) }),
  },
  // The caller directory service; its BENCH_DIRECTORY_* settings are read by bench/directory.ts.
  {
    file: './directory.ts',
    exportName: 'runDirectoryBench',
    options: () => ({
      callers: envInt('BENCH_DIRECTORY_CALLERS', 1_000_000, 20_000),
      lookups: envInt('BENCH_DIRECTORY_LOOKUPS', 2_000, 50),
      agents: envInt('BENCH_DIRECTORY_AGENTS', 2_000, 20),
      seconds: envInt('BENCH_DIRECTORY_SECONDS', 15, 2),
      rate: envInt('BENCH_DIRECTORY_RATE', 20, 5),
      writers: envInt('BENCH_DIRECTORY_WRITERS', 8, 2),
    }),
  },
  { file: './shift.ts', exportName: 'runShiftBench', options: () => ({ calls: envInt('BENCH_SHIFT_CALLS', 300, 6) }) },
];

const ROOT = fileURLToPath(new URL('../', import.meta.url));

type BenchRunner = (options: Record<string, unknown>) => Promise<BenchTable>;

/** Newest modification time of any file under `dir` (0 if it does not exist). */
function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/**
 * The browser phases load out/renderer and out/webhost/bridge.js: build them when
 * missing or older than their sources (a fresh clone, or a change since the last build).
 */
function ensureBuilt(): void {
  if (process.env.BENCH_SKIP_BUILD === '1') return;
  const outputs = [join(ROOT, 'out/renderer/index.html'), join(ROOT, 'out/webhost/bridge.js')];
  const built = Math.min(...outputs.map((file) => (existsSync(file) ? statSync(file).mtimeMs : 0)));
  const sources = Math.max(
    ...['src/renderer', 'src/shared', 'src/preload', 'src/webhost/bridge'].map((dir) => newestMtime(join(ROOT, dir))),
  );
  if (built > 0 && built >= sources) return;
  console.log(
    built === 0
      ? 'bench: out/ is missing; running `npm run build` first…'
      : 'bench: out/ is older than src/; running `npm run build` first…',
  );
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
}

/** The summary rows of one table: its goals and any series short of samples. */
function summaryRows(bench: string, table: BenchTable): SummaryRow[] {
  const rows: SummaryRow[] = [];
  for (const count of table.sampleCounts ?? []) {
    if (count.got >= count.asked) continue;
    rows.push({
      bench,
      goal: '6 bench cannot rot',
      metric: `samples: ${count.series}`,
      target: `${count.asked} samples`,
      measured: `${count.got} samples`,
      verdict: 'NO',
      why: 'the phase took fewer samples than it asked for',
    });
  }
  for (const goal of table.goals ?? []) rows.push(goalRow(bench, goal));
  return rows;
}

function goalRow(bench: string, goal: BenchGoal): SummaryRow {
  return {
    bench,
    goal: goal.goal,
    metric: goal.metric,
    target: goal.target,
    measured: goal.measured,
    verdict: QUICK ? 'not judged (quick)' : goal.met ? 'met' : 'NO',
    why: goal.why ?? '',
  };
}

async function main(): Promise<number> {
  const stamp = resultStamp();
  const resultsDir =
    process.env.BENCH_RESULTS_DIR ??
    (QUICK ? mkdtempSync(join(tmpdir(), 'calmline-bench-quick-')) : join(ROOT, 'bench/results'));
  ensureBuilt();
  const only = process.env.BENCH_ONLY?.split(',').map((stem) => `./${stem.trim()}.ts`);
  const selected = BENCHES.filter((b) => (only ? only.includes(b.file) : !(QUICK && b.skipQuick)));
  if (only && selected.length !== only.length)
    throw new Error(`BENCH_ONLY names an unknown bench: ${process.env.BENCH_ONLY ?? ''}`);
  const summary: SummaryRow[] = [];
  const startedAll = performance.now();
  for (const bench of selected) {
    const name = bench.file.slice(2, -3);
    const started = performance.now();
    try {
      const module = (await import(new URL(bench.file, import.meta.url).href)) as Record<string, unknown>;
      const run = module[bench.exportName];
      if (typeof run !== 'function') throw new Error(`${bench.file} exports no ${bench.exportName}`);
      const table = await (run as BenchRunner)({ ...bench.options(), quick: QUICK });
      console.log(`\n${toMarkdown(table)}`);
      const written = writeResult(table, resultsDir, stamp);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.log(`(${bench.file} took ${seconds} s; written to ${written.markdown} and ${written.json})`);
      summary.push(...summaryRows(name, table));
    } catch (error) {
      console.error(`\n${bench.file} failed:`, error);
      summary.push({
        bench: name,
        goal: '6 bench cannot rot',
        metric: 'the phase ran',
        target: 'no error',
        measured: String(error instanceof Error ? error.message : error).split('\n')[0] ?? 'failed',
        verdict: 'NO',
        why: 'the phase failed',
      });
    }
  }
  const failed = summary.filter((row) => row.verdict === 'NO').length;
  const written = writeSummary(summary, resultsDir, stamp, {
    quick: QUICK,
    seconds: Math.round((performance.now() - startedAll) / 100) / 10,
    machine: machineInfo(),
  });
  console.log(`\n${written.text}`);
  console.log(`(summary written to ${written.markdown} and ${written.json})`);
  console.log(
    failed === 0
      ? `bench: ${QUICK ? 'quick run passed (no goals judged)' : 'every goal met'}`
      : `bench: NO — ${failed} row(s) failed`,
  );
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main();
