/**
 * `npm run bench -- --quick` inside `npm test`: every bench phase runs with a few
 * samples (no goal judged), so a phase that breaks (or silently measures nothing)
 * fails CI instead of rotting until the next full bench (issue 14, goal 6).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SummaryRow } from '../../bench/support';

const resultsDir = mkdtempSync(join(tmpdir(), 'calmline-bench-quick-test-'));
afterAll(() => rmSync(resultsDir, { recursive: true, force: true }));

describe('npm run bench -- --quick', () => {
  it('runs every phase, takes every sample it asks for and writes the summary', { timeout: 240_000 }, async () => {
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'bench/run.ts', '--quick'], {
        env: { ...process.env, BENCH_RESULTS_DIR: resultsDir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => void (text += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => void (text += chunk.toString()));
      child.once('exit', (exitCode) => resolve({ code: exitCode, output: text }));
    });
    const summaryFile = readdirSync(resultsDir).find((name) => /^summary-.*\.json$/.test(name));
    expect(summaryFile, output.slice(-3_000)).toBeDefined();
    const summary = JSON.parse(readFileSync(join(resultsDir, summaryFile ?? ''), 'utf8')) as {
      quick: boolean;
      rows: SummaryRow[];
    };
    expect(summary.quick).toBe(true);
    // A phase that failed or took fewer samples than asked is a NO row, even in the quick run.
    expect(summary.rows.filter((row) => row.verdict === 'NO')).toEqual([]);
    expect(code, output.slice(-3_000)).toBe(0);
    // Every goal of the issue has its row(s), so no phase can drop out unnoticed.
    const goals = new Set(summary.rows.map((row) => row.goal.split(' ')[0]));
    for (const goal of ['1', '2', '3', '4', '5']) expect(goals).toContain(goal);
  });
});
