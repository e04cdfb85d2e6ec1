/**
 * The core's logging seam. Never log secrets or full SIP messages with credentials;
 * callers pass already-safe text.
 */
export interface CoreLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** A logger writing to stderr with a level threshold. */
export function createConsoleLogger(
  level: 'debug' | 'info' | 'warn' | 'error' = 'info',
  prefix = 'calmline',
): CoreLogger {
  const order = ['debug', 'info', 'warn', 'error'] as const;
  const min = order.indexOf(level);
  const write = (at: (typeof order)[number]) => (message: string) => {
    if (order.indexOf(at) >= min) process.stderr.write(`[${prefix}] ${at}: ${message}\n`);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/** A logger that drops everything (tests that do not read logs). */
export const silentLogger: CoreLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
