/**
 * Last-resort handlers for the host process. sip.js leaves promises without a catch
 * (the registerer's refresh, the Replaces auto-BYE; docs/sipjs-pitfalls.md#s2): in Node an
 * unhandled rejection ends the process, which for an agent means a dropped caller.
 * Log them instead; the phone's own state machine recovers the connection.
 */
import type { CoreLogger } from './logger';

let installed = false;

/** Installs the handlers once per process. */
export function installProcessGuards(logger: CoreLogger): void {
  if (installed) return;
  installed = true;
  process.on('unhandledRejection', (reason) => {
    logger.error(
      `Unhandled rejection (kept running): ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`,
    );
  });
  process.on('uncaughtException', (error) => {
    logger.error(`Uncaught exception (kept running): ${error.stack ?? error.message}`);
  });
}
