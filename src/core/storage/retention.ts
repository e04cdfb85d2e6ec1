/**
 * The privacy sweep: calls and notes older than the configured number of days are
 * deleted soon after start and then every few hours, so a workstation never holds
 * more history than policy allows. History files kept aside as unreadable
 * (`<day>.json.corrupt-<time>`) go too once they were moved aside longer ago than the
 * period: they may hold notes just as old.
 *
 * The same sweep covers the rest of what the agent's desk keeps about callers, each
 * with its own period (settings.ts, `retentionPolicyFrom`):
 * - the caller directory: a caller with no active flag and nothing newer than the
 *   directory period is removed whole (an active flag stays until someone clears it);
 * - threat incidents older than the incident period are removed, flag or not;
 * - exported records older than the export period are deleted from the export folder.
 */
import { join } from 'node:path';
import type { Clock, TimerHandle } from '../clock';
import type { CoreLogger } from '../logger';
import type { DirectoryPurgeResult, RetentionBounds } from './callers/local-caller-directory';
import { exportFileTime } from './callers/caller-export';
import { errorCode, type StorageFs } from './files/storage-fs';
import type { CallHistory, PurgeResult } from './history/call-history';

const DAY_MS = 86_400_000;

/** The periods of the stores other than the history, in days; undefined keeps everything. */
export interface RetentionPeriods {
  directoryDays?: number;
  incidentDays?: number;
  exportDays?: number;
}

/** What one sweep removed, per store (a store that is off or absent is missing). */
export interface RetentionReport {
  history?: PurgeResult;
  directory?: DirectoryPurgeResult;
  exports?: { filesRemoved: number };
}

/** Deletes export files whose time (from their name) is before `before`; returns how many. */
export async function purgeExports(fs: StorageFs, dir: string, before: number): Promise<number> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return 0;
    throw error;
  }
  let removed = 0;
  for (const name of names) {
    const at = exportFileTime(name);
    if (at === undefined || at >= before) continue;
    try {
      await fs.unlink(join(dir, name));
      removed += 1;
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error;
    }
  }
  return removed;
}

/** What the sweep needs. */
export interface RetentionOptions {
  history: Pick<CallHistory, 'purgeOlderThan'>;
  clock: Clock;
  logger: CoreLogger;
  /** The retention period in days, read at each sweep; undefined keeps everything. */
  days: () => number | undefined;
  /** The caller directory to sweep (optional). */
  directory?: { purge(bounds: RetentionBounds): Promise<DirectoryPurgeResult> };
  /** The export folder to sweep (optional). */
  exports?: { fs: StorageFs; dir: string };
  /** The other stores' periods, read at each sweep. */
  periods?: () => RetentionPeriods;
  /** Delay before the first sweep (default 30 s, after the start-up rush). */
  firstDelayMs?: number;
  /** Time between sweeps (default 6 h). */
  intervalMs?: number;
}

/** A running sweep. */
export interface RetentionSchedule {
  /** Sweeps now (e.g. after a period was shortened). */
  runNow(): Promise<RetentionReport>;
  stop(): void;
}

/** Starts the periodic sweep on the injected clock. */
export function scheduleRetention(options: RetentionOptions): RetentionSchedule {
  const { clock, logger } = options;
  const intervalMs = options.intervalMs ?? 6 * 3_600_000;
  let timer: TimerHandle | undefined;
  let stopped = false;

  const runNow = async (): Promise<RetentionReport> => {
    const now = clock.now();
    const report: RetentionReport = {};
    const days = options.days();
    if (days !== undefined) report.history = await options.history.purgeOlderThan(days, now);
    const periods = options.periods?.() ?? {};
    const before = (periodDays: number | undefined) =>
      periodDays === undefined ? undefined : now - periodDays * DAY_MS;
    if (options.directory) {
      const bounds: RetentionBounds = {};
      const entriesBefore = before(periods.directoryDays);
      const incidentsBefore = before(periods.incidentDays);
      if (entriesBefore !== undefined) bounds.entriesBefore = entriesBefore;
      if (incidentsBefore !== undefined) bounds.incidentsBefore = incidentsBefore;
      if (Object.keys(bounds).length > 0) report.directory = await options.directory.purge(bounds);
    }
    const exportsBefore = before(periods.exportDays);
    if (options.exports && exportsBefore !== undefined) {
      report.exports = { filesRemoved: await purgeExports(options.exports.fs, options.exports.dir, exportsBefore) };
    }
    const removed = [
      report.directory?.callersRemoved ? `${report.directory.callersRemoved} caller(s)` : '',
      report.directory?.incidentsRemoved ? `${report.directory.incidentsRemoved} incident(s)` : '',
      report.exports?.filesRemoved ? `${report.exports.filesRemoved} export file(s)` : '',
    ].filter(Boolean);
    if (removed.length > 0) logger.info(`Retention removed ${removed.join(', ')}.`);
    return report;
  };
  const arm = (ms: number): void => {
    if (stopped) return;
    timer = clock.setTimeout(() => {
      void runNow()
        .catch((error: unknown) => logger.error(`Retention sweep failed: ${String(error)}`))
        .finally(() => arm(intervalMs));
    }, ms);
  };
  arm(options.firstDelayMs ?? 30_000);
  return {
    runNow,
    stop: () => {
      stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer);
    },
  };
}
