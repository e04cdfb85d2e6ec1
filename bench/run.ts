/**
 * `npm run bench`: runs every bench module listed in {@link BENCHES}, prints each table
 * and writes it to bench/results/<name>-<date>.md and .json.
 *
 * Modules are imported dynamically so that one that does not exist yet is skipped
 * with a note instead of failing the run. Only a missing bench module itself is
 * skipped: a module that exists but fails to import (a missing dependency of its
 * own, a syntax error) still fails the run. A module whose source exports no
 * `run…Bench` function is not imported at all, because importing a standalone bench
 * script would run it as a side effect; it is skipped with a note.
 *
 * Environment: BENCH_CALLS (measured calls per user agent and metric, default 200),
 * BENCH_WARMUP (warm-up calls per user agent, default 10), BENCH_UI_CALLS (caller-card
 * calls, default 60), BENCH_AUDIO_CALLS (Answer → first audio calls per path, default 30),
 * BENCH_ONLY=<stem> (run one module, e.g. `audio`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type BenchTable, resultStamp, toMarkdown, writeResult } from './support';

/** One bench module: where it is, which export runs it, and with what options. */
interface BenchModule {
  /** Path relative to this file. */
  file: string;
  /** Preferred export name; otherwise the module's one exported `run…Bench` function is used. */
  exportName: string;
  options: () => Record<string, unknown>;
}

/** Reads a positive integer from the environment. */
function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`${name} must be a whole number, got ${JSON.stringify(raw)}`);
  return value;
}

const BENCHES: BenchModule[] = [
  {
    file: './phone.ts',
    exportName: 'runPhoneBench',
    options: () => ({ calls: envInt('BENCH_CALLS', 200), warmup: envInt('BENCH_WARMUP', 10) }),
  },
  { file: './storage.ts', exportName: 'runStorageBench', options: () => ({}) },
  {
    file: './workspace.ts',
    exportName: 'runWorkspaceBench',
    options: () => ({ calls: envInt('BENCH_UI_CALLS', 60), warmup: envInt('BENCH_WARMUP', 5) }),
  },
  {
    file: './audio.ts',
    exportName: 'runAudioBench',
    options: () => ({ calls: envInt('BENCH_AUDIO_CALLS', 30), warmup: envInt('BENCH_WARMUP', 3) }),
  },
  // The caller directory service; its BENCH_DIRECTORY_* settings are read by bench/directory.ts.
  { file: './directory.ts', exportName: 'runDirectoryBench', options: () => ({}) },
];

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));

type BenchRunner = (options: Record<string, unknown>) => Promise<BenchTable>;

/** True when `error` says that `file` itself could not be found (not one of its imports). */
function isMissingModule(error: unknown, file: string): boolean {
  if ((error as { code?: unknown } | null)?.code !== 'ERR_MODULE_NOT_FOUND') return false;
  return !existsSync(file);
}

/**
 * Whether the module's source exports a `run…Bench` function, checked before importing
 * it. A file that cannot be read is left to the import to report.
 */
function exportsRunner(file: string): boolean {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch {
    return true;
  }
  return /^\s*export\s+(?:(?:async\s+)?function\*?|const|let)\s+run\w*Bench\b|^\s*export\s*\{[^}]*\brun\w*Bench\b/m.test(
    source,
  );
}

function pickRunner(module: Record<string, unknown>, preferred: string): BenchRunner | undefined {
  const named = module[preferred];
  if (typeof named === 'function') return named as BenchRunner;
  const candidates = Object.entries(module).filter(
    ([name, value]) => /^run\w*Bench$/.test(name) && typeof value === 'function',
  );
  return candidates.length === 1 ? (candidates[0]?.[1] as BenchRunner) : undefined;
}

async function main(): Promise<number> {
  const stamp = resultStamp();
  let failed = 0;
  // BENCH_ONLY=workspace (a file stem) runs one bench module.
  const only = process.env.BENCH_ONLY;
  for (const bench of BENCHES.filter((b) => !only || b.file === `./${only}.ts`)) {
    const url = new URL(bench.file, import.meta.url);
    const path = fileURLToPath(url);
    if (existsSync(path) && !exportsRunner(path)) {
      console.log(
        `\nSkipped ${bench.file}: it exports no ${bench.exportName} (or other run…Bench function) yet, and importing it would run it as a script. Run it on its own with \`npx tsx bench/${bench.file.slice(2)}\`.\n`,
      );
      continue;
    }
    let module: Record<string, unknown>;
    try {
      module = (await import(url.href)) as Record<string, unknown>;
    } catch (error) {
      if (isMissingModule(error, path)) {
        console.log(`\nSkipped ${bench.file}: the module does not exist (yet).\n`);
        continue;
      }
      throw error;
    }
    const run = pickRunner(module, bench.exportName);
    if (!run) {
      console.error(`\n${bench.file} exports no ${bench.exportName} (nor a single run…Bench function): not run.\n`);
      failed += 1;
      continue;
    }
    const started = performance.now();
    try {
      const table = await run(bench.options());
      console.log(`\n${toMarkdown(table)}`);
      const written = writeResult(table, RESULTS_DIR, stamp);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.log(`(${bench.file} took ${seconds} s; written to ${written.markdown} and ${written.json})`);
    } catch (error) {
      console.error(`\n${bench.file} failed:`, error);
      failed += 1;
    }
  }
  return failed ? 1 : 0;
}

process.exitCode = await main();
