/**
 * The privacy sweep: calls and notes older than the configured number of days are
 * deleted soon after start and then every few hours, so a workstation never holds
 * more history than policy allows. History files kept aside as unreadable
 * (`<day>.json.corrupt-<time>`) go too once they were moved aside longer ago than the
 * period: they may hold notes just as old. Flags, incidents and follow-ups live in
 * the caller directory and are not touched (flags stay until cleared).
 */
import type { Clock, TimerHandle } from '../clock';
import type { CoreLogger } from '../logger';
import type { CallHistory, PurgeResult } from './history/call-history';

/** What the sweep needs. */
export interface RetentionOptions {
  history: Pick<CallHistory, 'purgeOlderThan'>;
  clock: Clock;
  logger: CoreLogger;
  /** The retention period in days, read at each sweep; undefined keeps everything. */
  days: () => number | undefined;
  /** Delay before the first sweep (default 30 s, after the start-up rush). */
  firstDelayMs?: number;
  /** Time between sweeps (default 6 h). */
  intervalMs?: number;
}

/** A running sweep. */
export interface RetentionSchedule {
  /** Sweeps now (e.g. after the period was shortened); undefined when retention is off. */
  runNow(): Promise<PurgeResult | undefined>;
  stop(): void;
}

/** Starts the periodic sweep on the injected clock. */
export function scheduleRetention(options: RetentionOptions): RetentionSchedule {
  const { clock, logger } = options;
  const intervalMs = options.intervalMs ?? 6 * 3_600_000;
  let timer: TimerHandle | undefined;
  let stopped = false;

  const runNow = async (): Promise<PurgeResult | undefined> => {
    const days = options.days();
    if (days === undefined) return undefined;
    return options.history.purgeOlderThan(days, clock.now());
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
