/**
 * The log file IT's helpdesk collects: pino writing JSON lines through pino-roll,
 * one file per day (`calmline.2026-12-04.1.log`), rolled again when a file reaches
 * `diagnostics.maxLogFileMB`, keeping `diagnostics.keepLogFiles` older files, so the
 * folder never grows past (keep + 1) × max size. The level comes from policy
 * (`diagnostics.logLevel`). Every message passes the one {@link Redactor} first.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import pinoRoll from 'pino-roll';
import type { DiagnosticsSettings } from '../../shared/policy';
import type { CoreLogger } from '../logger';
import type { Redactor } from './redactor';

/** How many recent warnings and errors the diagnostics bundle shows. */
const RECENT_PROBLEMS = 20;

/** A problem kept for the diagnostics bundle, already redacted. */
export interface LoggedProblem {
  at: string;
  level: 'warn' | 'error';
  message: string;
}

/** The file log: a CoreLogger with a way to flush and close it. */
export interface FileLog extends CoreLogger {
  /** The folder the log files are in. */
  readonly dir: string;
  /** The last warnings and errors, newest last (redacted). */
  recentProblems(): LoggedProblem[];
  /** Writes out what is buffered. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Options of {@link openFileLog}. */
export interface FileLogOptions {
  dir: string;
  settings: DiagnosticsSettings;
  redactor: Redactor;
  /** Also write here (the console logger); it gets the redacted text too. */
  mirror?: CoreLogger;
  /** Time for the recent-problems list. */
  now?: () => number;
  /** For tests: a size like `8k` instead of whole megabytes. */
  maxFileSize?: string;
}

/** Opens the rolling log in `dir`. */
export async function openFileLog(options: FileLogOptions): Promise<FileLog> {
  const { settings, redactor } = options;
  await mkdir(options.dir, { recursive: true, mode: 0o700 });
  const stream = await pinoRoll({
    file: join(options.dir, 'calmline'),
    extension: '.log',
    frequency: 'daily',
    dateFormat: 'yyyy-MM-dd',
    size: options.maxFileSize ?? `${settings.maxLogFileMB}m`,
    limit: { count: settings.keepLogFiles },
    mkdir: true,
    mode: 0o600,
    // Each line reaches the file before the next, so a roll takes effect at once and
    // nothing is lost in a crash; the log writes little, so the cost is small.
    sync: true,
  });
  const logger = pino(
    {
      level: settings.logLevel,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Structured fields never carry these; if one ever does, it is blanked here too.
      redact: { paths: ['password', '*.password', 'note', '*.note', 'text', '*.text'], censor: '[redacted]' },
    },
    stream,
  );
  const recent: LoggedProblem[] = [];
  const now = options.now ?? Date.now;
  const write = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string) => {
    const safe = redactor.redact(message);
    logger[level](safe);
    options.mirror?.[level](safe);
    if (level === 'warn' || level === 'error') {
      if (!logger.isLevelEnabled(level)) return;
      recent.push({ at: new Date(now()).toISOString(), level, message: safe });
      if (recent.length > RECENT_PROBLEMS) recent.shift();
    }
  };
  // The stream is synchronous, so every line is on disk once written; waiting one
  // turn lets a pending roll finish. (pino's own flush would wait for a 'drain' that
  // pino-roll's roll also waits for, and the roll would never happen.)
  const flush = () => new Promise<void>((resolve) => setImmediate(resolve));
  return {
    dir: options.dir,
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    recentProblems: () => [...recent],
    flush,
    close: async () => {
      await flush();
      await new Promise<void>((resolve) => {
        stream.once('close', () => resolve());
        stream.end();
      });
    },
  };
}

/**
 * A logger that writes to `initial` until `use` switches it (the host logs to
 * stderr until the log file is open, then to the file).
 */
export function forwardingLogger(initial: CoreLogger): CoreLogger & { use(next: CoreLogger): void } {
  let target = initial;
  return {
    debug: (message) => target.debug(message),
    info: (message) => target.info(message),
    warn: (message) => target.warn(message),
    error: (message) => target.error(message),
    use: (next) => {
      target = next;
    },
  };
}
