/**
 * Shared helpers for `npm run bench`: percentiles, the table every bench module returns,
 * its markdown rendering, machine information and the result files under bench/results/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';

/** What a bench module returns: one table plus the notes needed to read it. */
export interface BenchTable {
  /** File-name stem: results are written as `<name>-<date>.md` and `.json`. */
  name: string;
  /** Heading of the printed and written table. */
  title: string;
  /** Column headers. */
  columns: string[];
  /** One row per metric, already formatted as text, in column order. */
  rows: string[][];
  /** Lines printed under the table: method, caveats, verdict. */
  notes: string[];
  /** Machine the figures were taken on (see {@link machineInfo}). */
  machine: Record<string, string | number>;
  /** Raw figures kept in the JSON file only (summaries, sample counts, settings). */
  data?: Record<string, unknown>;
  /** The issue's goals this table judges: each becomes a row of the run's summary. */
  goals?: BenchGoal[];
  /** Samples asked and taken per measured series: fewer than asked fails the run. */
  sampleCounts?: SampleCount[];
}

/** One goal judged by a bench module (a row of the summary `npm run bench` ends with). */
export interface BenchGoal {
  /** The issue's goal it belongs to, e.g. "1 screen pop". */
  goal: string;
  /** What is measured, e.g. "WS frame → ringing emitted". */
  metric: string;
  /** The target in words, e.g. "p50 ≤ 0.5 ms, p99 ≤ 2 ms". */
  target: string;
  /** The measured figure in words. */
  measured: string;
  /** Whether the target was met. */
  met: boolean;
  /** Why not, or what else to know. */
  why?: string;
}

/** Samples asked for and taken in one measured series. */
export interface SampleCount {
  series: string;
  asked: number;
  got: number;
}

/** Distribution summary of one series of samples, in milliseconds. */
export interface Summary {
  n: number;
  p50: number;
  p99: number;
  min: number;
  max: number;
  mean: number;
}

/**
 * The p-th percentile (0 < p ≤ 100) by the nearest-rank method: the smallest sample
 * with at least p % of the samples at or below it. It is always a sample that was
 * observed (no interpolation), so p99 of 200 samples is the 198th smallest.
 */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

/** p50, p99, min, max and mean of a series. */
export function summarize(samples: readonly number[]): Summary {
  const n = samples.length;
  return {
    n,
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
    min: n ? Math.min(...samples) : Number.NaN,
    max: n ? Math.max(...samples) : Number.NaN,
    mean: n ? samples.reduce((sum, value) => sum + value, 0) / n : Number.NaN,
  };
}

/** Milliseconds with three decimals (µs resolution); "n/a" for a missing figure. */
export function formatMs(ms: number): string {
  return Number.isFinite(ms) ? ms.toFixed(3) : 'n/a';
}

/** Milliseconds with an explicit sign, for deltas. */
export function formatDeltaMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  return `${ms >= 0 ? '+' : '−'}${Math.abs(ms).toFixed(3)}`;
}

/** Escapes a cell so `|` and line breaks cannot break the markdown table. */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Renders a table, its machine information and its notes as markdown. */
export function toMarkdown(table: BenchTable): string {
  const lines = [
    `## ${table.title}`,
    '',
    `| ${table.columns.map(cell).join(' | ')} |`,
    `| ${table.columns.map(() => '---').join(' | ')} |`,
    ...table.rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
    '',
    `Machine: ${Object.entries(table.machine)
      .map(([key, value]) => `${key} ${String(value)}`)
      .join(', ')}.`,
  ];
  if (table.sampleCounts?.length)
    lines.push(
      '',
      `Samples (taken/asked): ${table.sampleCounts
        .map((count) => `${count.series} ${count.got}/${count.asked}${count.got < count.asked ? ' NO' : ''}`)
        .join('; ')}.`,
    );
  if (table.notes.length) lines.push('', ...table.notes.map((note) => `- ${note}`));
  return `${lines.join('\n')}\n`;
}

/** Node version, CPU count and model, OS release, memory and load at the time of the call. */
export function machineInfo(): Record<string, string | number> {
  const cpuList = cpus();
  return {
    node: process.version,
    cpus: cpuList.length,
    'cpu model': cpuList[0]?.model.trim() ?? 'unknown',
    platform: `${process.platform} ${release()} ${process.arch}`,
    'memory GiB': Math.round((totalmem() / 2 ** 30) * 10) / 10,
    'load avg (1 min)': Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

/** A file-name-safe UTC timestamp, e.g. `2026-11-23T20-45-16Z`, so runs on one day do not overwrite each other. */
export function resultStamp(date: Date = new Date()): string {
  return `${date.toISOString().slice(0, 19).replace(/:/g, '-')}Z`;
}

/** Writes `<dir>/<name>-<stamp>.md` and `.json` (creating `dir`); returns both paths. */
export function writeResult(
  table: BenchTable,
  dir: string,
  stamp: string = resultStamp(),
): { markdown: string; json: string } {
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `${table.name}-${stamp}`);
  const markdown = `${base}.md`;
  const json = `${base}.json`;
  writeFileSync(markdown, `# Benchmark ${table.name}, ${stamp}\n\n${toMarkdown(table)}`);
  writeFileSync(json, `${JSON.stringify({ ...table, writtenAt: new Date().toISOString() }, null, 2)}\n`);
  return { markdown, json };
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** One row of the summary `npm run bench` ends with. */
export interface SummaryRow {
  /** The bench module (file stem). */
  bench: string;
  goal: string;
  metric: string;
  target: string;
  measured: string;
  /** `met`, `NO`, or `not judged (quick)`. */
  verdict: string;
  why: string;
}

/** Renders the summary as markdown. */
export function summaryMarkdown(rows: readonly SummaryRow[], heading: string): string {
  const columns = ['goal', 'metric', 'target', 'measured', 'met?', 'why / note'];
  return [
    `## ${heading}`,
    '',
    `| ${columns.join(' | ')} |`,
    `| ${columns.map(() => '---').join(' | ')} |`,
    ...rows.map(
      (row) =>
        `| ${[row.goal, row.metric, row.target, row.measured, row.verdict, row.why].map((text) => cell(text)).join(' | ')} |`,
    ),
    '',
  ].join('\n');
}

/** Writes `<dir>/summary-<stamp>.md` and `.json`; returns both paths and the markdown. */
export function writeSummary(
  rows: readonly SummaryRow[],
  dir: string,
  stamp: string,
  info: { quick: boolean; seconds: number; machine: Record<string, string | number> },
): { markdown: string; json: string; text: string } {
  mkdirSync(dir, { recursive: true });
  const heading = `Benchmark summary ${stamp}${info.quick ? ' (quick run: goals not judged)' : ''}`;
  const text = `${summaryMarkdown(rows, heading)}\nMachine: ${Object.entries(info.machine)
    .map(([key, value]) => `${key} ${String(value)}`)
    .join(', ')}; ${info.seconds} s.\n`;
  const base = join(dir, `summary-${stamp}`);
  writeFileSync(`${base}.md`, `# ${text.slice(3)}`);
  writeFileSync(
    `${base}.json`,
    `${JSON.stringify({ stamp, ...info, rows, writtenAt: new Date().toISOString() }, null, 2)}\n`,
  );
  return { markdown: `${base}.md`, json: `${base}.json`, text };
}
