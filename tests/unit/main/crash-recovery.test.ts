/**
 * The window reloads after a renderer crash, with the crash logged; a renderer that
 * keeps crashing is not reloaded in a loop. Driven with a fake window and clock.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { logChildProcessCrashes, reloadAfterCrash } from '../../../src/main/crash-recovery';
import type { CoreLogger } from '../../../src/core/logger';
import { createFakeClock } from '../../support/fake-clock';

function recordingLogger() {
  const lines: string[] = [];
  const logger: CoreLogger = {
    debug: (m) => lines.push(`debug ${m}`),
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
  };
  return { logger, lines };
}

function fakeWindow() {
  const contents = Object.assign(new EventEmitter(), { reloads: 0, reload: () => contents.reloads++ });
  return { window: { isDestroyed: () => false, webContents: contents }, contents };
}

describe('crash recovery', () => {
  it('logs a crash and reloads the window; a clean exit is not a crash', () => {
    const { logger, lines } = recordingLogger();
    const { window, contents } = fakeWindow();
    reloadAfterCrash(window, { logger, clock: createFakeClock() });
    contents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 11 });
    expect(contents.reloads).toBe(1);
    expect(lines[0]).toBe("error The Calmline window's renderer is gone (crashed, exit code 11).");
    contents.emit('render-process-gone', {}, { reason: 'clean-exit', exitCode: 0 });
    expect(contents.reloads).toBe(1);
  });

  it('stops reloading after three crashes within a minute, and starts again later', () => {
    const { logger, lines } = recordingLogger();
    const clock = createFakeClock();
    const { window, contents } = fakeWindow();
    reloadAfterCrash(window, { logger, clock });
    for (let i = 0; i < 5; i++) contents.emit('render-process-gone', {}, { reason: 'oom', exitCode: 1 });
    expect(contents.reloads).toBe(3);
    expect(lines.at(-1)).toMatch(/not reloaded again/);
    clock.advance(61_000);
    contents.emit('render-process-gone', {}, { reason: 'killed', exitCode: 9 });
    expect(contents.reloads).toBe(4);
  });

  it("logs other child processes' crashes", () => {
    const { logger, lines } = recordingLogger();
    const app = new EventEmitter();
    logChildProcessCrashes(app, logger);
    app.emit('child-process-gone', {}, { type: 'GPU', reason: 'crashed', exitCode: 3 });
    expect(lines).toEqual(["error Electron's GPU process is gone (crashed, exit code 3)."]);
  });
});
