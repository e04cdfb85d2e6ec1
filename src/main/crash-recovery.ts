/**
 * When the window's renderer (which also hosts the media engine) crashes or is
 * killed, the log says so and the window is reloaded; the SIP calls live in the main
 * process and go on (the media bridge fails its requests in flight, see ipc.ts, and
 * the reloaded page attaches again). A renderer that keeps crashing is not reloaded
 * in a loop: after `maxReloads` within `windowMs` it is left for the agent to restart.
 */
import type { Clock } from '../core/clock';
import type { CoreLogger } from '../core/logger';
import { reloadAfterRendererGone } from './desktop-policy';

/** Why a renderer went away, as Electron reports it (`RenderProcessGoneDetails`). */
export interface GoneDetails {
  reason: string;
  exitCode: number;
}

/** The part of a BrowserWindow this needs (tests pass a fake). */
export interface RecoverableWindow {
  isDestroyed(): boolean;
  webContents: {
    on(event: 'render-process-gone', listener: (event: unknown, details: GoneDetails) => void): unknown;
    on(event: 'unresponsive', listener: () => void): unknown;
    reload(): void;
  };
}

/** Options of {@link reloadAfterCrash}. */
export interface CrashRecoveryOptions {
  logger: CoreLogger;
  clock: Clock;
  /** Default 3. */
  maxReloads?: number;
  /** Default one minute. */
  windowMs?: number;
}

/** Logs every renderer crash and reloads the window, a bounded number of times. */
export function reloadAfterCrash(window: RecoverableWindow, options: CrashRecoveryOptions): void {
  const reloads: number[] = [];
  const max = options.maxReloads ?? 3;
  const windowMs = options.windowMs ?? 60_000;
  window.webContents.on('render-process-gone', (_event, details) => {
    if (details.reason === 'clean-exit') return;
    options.logger.error(`The Calmline window's renderer is gone (${details.reason}, exit code ${details.exitCode}).`);
    // A failed launch or integrity check would only crash again (desktop-policy.ts).
    if (window.isDestroyed() || !reloadAfterRendererGone(details.reason, 0)) return;
    const now = options.clock.now();
    while (reloads.length && now - reloads[0]! > windowMs) reloads.shift();
    if (reloads.length >= max) {
      options.logger.error(`The window crashed ${max + 1} times within a minute; it is not reloaded again.`);
      return;
    }
    reloads.push(now);
    options.logger.warn('Reloading the Calmline window; calls continue in the main process.');
    window.webContents.reload();
  });
  window.webContents.on('unresponsive', () => {
    options.logger.warn('The Calmline window is not responding.');
  });
}

/** Logs the crash of any other Electron child process (GPU, utility, audio service). */
export function logChildProcessCrashes(
  app: {
    on(
      event: 'child-process-gone',
      listener: (event: unknown, details: GoneDetails & { type: string; name?: string }) => void,
    ): unknown;
  },
  logger: CoreLogger,
): void {
  app.on('child-process-gone', (_event, details) => {
    if (details.reason === 'clean-exit') return;
    logger.error(
      `Electron's ${details.name ?? details.type} process is gone (${details.reason}, exit code ${details.exitCode}).`,
    );
  });
}
