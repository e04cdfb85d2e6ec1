/**
 * The process guards survive only sip.js's own failures (docs/sipjs-pitfalls.md#s2);
 * anything else is logged with its stack, gets one chance to end calls, and ends the
 * process with exit code 70. Driven through an injected process, so no real handler
 * is installed in the test runner.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Core, RequestPendingError, SessionTerminatedError, StateTransitionError } from 'sip.js';
import {
  classifyFailure,
  FATAL_EXIT_CODE,
  installProcessGuards,
  type ProcessGuardOptions,
} from '../../../src/core/process-guards';
import type { CoreLogger } from '../../../src/core/logger';
import { MediaError } from '../../../src/core/media/bridged-media';
import { MediaClosedError } from '../../../src/core/phone/signalling-media';

function recordingLogger(): CoreLogger & { lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (message: string) => void lines.push(`${level}: ${message}`);
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

function guarded(options: Omit<ProcessGuardOptions, 'target' | 'exit'> = {}) {
  const target = new EventEmitter();
  const logger = recordingLogger();
  const exits: number[] = [];
  let exited: (code: number) => void = () => undefined;
  const exitedOnce = new Promise<number>((resolve) => (exited = resolve));
  installProcessGuards(logger, {
    ...options,
    target: target as unknown as Pick<NodeJS.Process, 'on'>,
    exit: (code) => {
      exits.push(code);
      exited(code);
    },
  });
  return { target, logger, exits, exitedOnce };
}

/** A plain Error as sip.js's session code throws it ("Invalid session state …"). */
function errorFromSipJs(): Error {
  const error = new Error('Invalid session state Terminated');
  error.stack =
    'Error: Invalid session state Terminated\n' +
    '    at Invitation.bye (/app/node_modules/sip.js/lib/api/session.js:261:31)\n' +
    '    at Object.onInvite (/app/src/core/phone/phone.ts:10:1)';
  return error;
}

describe('classifyFailure', () => {
  it('names the sip.js exception classes it survives', () => {
    expect(classifyFailure(new RequestPendingError('REGISTER request already in progress'))).toEqual({
      kind: 'sip.js',
      what: 'RequestPendingError: REGISTER request already in progress',
    });
    expect(classifyFailure(new StateTransitionError('Invalid state transition'))).toMatchObject({ kind: 'sip.js' });
    expect(classifyFailure(new SessionTerminatedError())).toMatchObject({ kind: 'sip.js' });
    expect(classifyFailure(new Core.TransportError('socket closed'))).toMatchObject({
      kind: 'sip.js',
      what: 'TransportError: socket closed',
    });
  });

  it("survives our session description handlers' errors, which travel through sip.js", () => {
    expect(classifyFailure(new MediaClosedError('media handler closed'))).toEqual({
      kind: 'sip.js',
      what: 'MediaClosedError: media handler closed',
    });
    expect(
      classifyFailure(new MediaError('timeout', 'create', 'The audio engine did not answer in time.')),
    ).toMatchObject({
      kind: 'sip.js',
    });
  });

  it('survives a plain Error only when sip.js threw it (its first frame is in sip.js)', () => {
    expect(classifyFailure(errorFromSipJs())).toEqual({
      kind: 'sip.js',
      what: 'Error: Invalid session state Terminated',
    });
    const ours = new Error('Invalid session state Terminated');
    ours.stack =
      'Error: Invalid session state Terminated\n    at handler (/app/src/core/phone/phone.ts:1:1)\n' +
      '    at Invitation.bye (/app/node_modules/sip.js/lib/api/session.js:261:31)';
    expect(classifyFailure(ours)).toMatchObject({ kind: 'fatal' });
  });

  it('treats every other failure as fatal, with its stack', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'id')");
    const verdict = classifyFailure(bug);
    expect(verdict).toEqual({ kind: 'fatal', detail: bug.stack });
    expect(classifyFailure('just a string')).toEqual({
      kind: 'fatal',
      detail: 'A non-Error value was thrown: just a string',
    });
    expect(classifyFailure({ code: 1 })).toEqual({ kind: 'fatal', detail: 'A non-Error value was thrown: {"code":1}' });
    expect(classifyFailure(undefined)).toMatchObject({ kind: 'fatal' });
  });
});

describe('installProcessGuards', () => {
  it('logs a sip.js rejection and keeps running', () => {
    const { target, logger, exits } = guarded();
    target.emit('unhandledRejection', new RequestPendingError('REGISTER request already in progress'));
    target.emit('uncaughtException', errorFromSipJs());
    expect(exits).toEqual([]);
    expect(logger.lines).toEqual([
      'warn: sip.js unhandled rejection (a known sip.js failure, kept running): RequestPendingError: REGISTER request already in progress',
      'warn: sip.js uncaught exception (a known sip.js failure, kept running): Error: Invalid session state Terminated',
    ]);
  });

  it('ends the process on any other uncaught exception, logging its stack and a clear message', async () => {
    const { target, logger, exitedOnce } = guarded();
    const bug = new TypeError('boom');
    target.emit('uncaughtException', bug);
    expect(await exitedOnce).toBe(FATAL_EXIT_CODE);
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).toContain('error: Calmline stops after an unexpected error (uncaught exception)');
    expect(logger.lines[0]).toContain('Start Calmline again');
    expect(logger.lines[0]).toContain(bug.stack);
  });

  it('ends the process on an unhandled rejection that is not sip.js', async () => {
    const { target, exitedOnce } = guarded();
    target.emit('unhandledRejection', new Error('our bug'));
    expect(await exitedOnce).toBe(FATAL_EXIT_CODE);
  });

  it('lets the host end its calls first, then exits once even if more failures follow', async () => {
    const steps: string[] = [];
    let release: () => void = () => undefined;
    const { target, exits, exitedOnce } = guarded({
      onFatal: async (detail) => {
        steps.push(`stopping after: ${detail.split('\n')[0]}`);
        await new Promise<void>((resolve) => (release = resolve));
        steps.push('calls ended');
      },
    });
    target.emit('uncaughtException', new Error('first'));
    target.emit('uncaughtException', new Error('second'));
    await expect.poll(() => steps).toEqual(['stopping after: Error: first']);
    expect(exits).toEqual([]);
    release();
    expect(await exitedOnce).toBe(FATAL_EXIT_CODE);
    expect(steps).toEqual(['stopping after: Error: first', 'calls ended']);
    expect(exits).toEqual([FATAL_EXIT_CODE]);
  });

  it('exits even when ending the calls fails or never finishes', async () => {
    const failing = guarded({ onFatal: () => Promise.reject(new Error('BYE failed')) });
    failing.target.emit('uncaughtException', new Error('bug'));
    expect(await failing.exitedOnce).toBe(FATAL_EXIT_CODE);
    expect(failing.logger.lines.at(-1)).toBe('error: Ending calls before stopping failed: Error: BYE failed');

    const hanging = guarded({ onFatal: () => new Promise<void>(() => undefined), fatalGraceMs: 1 });
    hanging.target.emit('uncaughtException', new Error('bug'));
    expect(await hanging.exitedOnce).toBe(FATAL_EXIT_CODE);
  });
});
