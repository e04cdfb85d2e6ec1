/**
 * Last-resort handlers for the host process, narrow on purpose.
 *
 * sip.js leaves some promises without a catch (the registerer's refresh, the Replaces
 * auto-BYE, a non-graceful stop; docs/sipjs-pitfalls.md#s2). In Node an unhandled
 * rejection ends the process, which for an agent means a dropped caller, and the
 * phone's own state machine recovers from these. So those, and only those, are
 * logged and survived: a failure whose class is one of sip.js's own exceptions (or one
 * of our session description handlers' errors, which sip.js carries), or a plain
 * `Error` thrown by sip.js's code (its first stack frame is in sip.js).
 *
 * Anything else is a bug of ours or of another library: the process state is unknown,
 * and Node documents that carrying on after an uncaught exception is unsafe. It is
 * logged with its stack, the host gets one chance to end calls cleanly (`onFatal`),
 * and the process ends with exit code 70 and a message saying so.
 */
import {
  ContentTypeUnsupportedError,
  Core,
  RequestPendingError,
  SessionDescriptionHandlerError,
  SessionTerminatedError,
  StateTransitionError,
} from 'sip.js';
import type { CoreLogger } from './logger';
import { MediaError } from './media/bridged-media';
import { MediaClosedError } from './phone/signalling-media';

/** The sip.js exception classes survived by name. */
const SURVIVED_SIPJS_CLASSES: ReadonlyArray<{ name: string; type: abstract new (...args: never[]) => Error }> = [
  { name: 'RequestPendingError', type: RequestPendingError },
  { name: 'StateTransitionError', type: StateTransitionError },
  { name: 'SessionTerminatedError', type: SessionTerminatedError },
  { name: 'SessionDescriptionHandlerError', type: SessionDescriptionHandlerError },
  { name: 'ContentTypeUnsupportedError', type: ContentTypeUnsupportedError },
  { name: 'TransportError', type: Core.TransportError },
  { name: 'TransactionStateError', type: Core.TransactionStateError },
  // Our session description handlers' failures travel through sip.js's promise chains,
  // which may leave them without a catch; the call they belong to ends on its own.
  { name: 'MediaError', type: MediaError },
  { name: 'MediaClosedError', type: MediaClosedError },
];

/** The exit code of a process ended by an unexpected failure (EX_SOFTWARE). */
export const FATAL_EXIT_CODE = 70;

/** How a failure that reached the process is treated. */
export type FailureVerdict =
  | { kind: 'sip.js'; what: string }
  | {
      kind: 'fatal';
      /** The failure's stack (or its text when it has none). */
      detail: string;
    };

const SIPJS_FRAME = /[/\\]node_modules[/\\]sip\.js[/\\]/;

/** The first `at …` line of a stack, if any. */
function firstFrame(stack: string | undefined): string | undefined {
  return stack?.split('\n').find((line) => line.trimStart().startsWith('at '));
}

/** Classifies an uncaught exception or unhandled rejection; pure. */
export function classifyFailure(reason: unknown): FailureVerdict {
  if (reason instanceof Error) {
    for (const known of SURVIVED_SIPJS_CLASSES) {
      if (reason instanceof known.type) return { kind: 'sip.js', what: `${known.name}: ${reason.message}` };
    }
    const frame = firstFrame(reason.stack);
    if (frame !== undefined && SIPJS_FRAME.test(frame)) return { kind: 'sip.js', what: `Error: ${reason.message}` };
    return { kind: 'fatal', detail: reason.stack ?? `${reason.name}: ${reason.message}` };
  }
  let text: string;
  try {
    text = typeof reason === 'string' ? reason : JSON.stringify(reason);
  } catch {
    text = String(reason);
  }
  return { kind: 'fatal', detail: `A non-Error value was thrown: ${text}` };
}

/** What the guards need besides the logger. */
export interface ProcessGuardOptions {
  /**
   * Runs once before the process ends for a fatal failure, e.g. to end calls with a
   * BYE and flush notes. Its own failure is logged; it is not waited for longer than
   * `fatalGraceMs`.
   */
  onFatal?: (detail: string) => Promise<void> | void;
  /** How long `onFatal` may take (default 3 s). */
  fatalGraceMs?: number;
  /** Ends the process; injected by tests (default `process.exit`). */
  exit?: (code: number) => void;
  /** The process to watch; injected by tests (default the real one). */
  target?: Pick<NodeJS.Process, 'on'>;
}

/** The message the process ends with: what happened and what the agent should do. */
export function fatalMessage(origin: 'uncaught exception' | 'unhandled rejection', detail: string): string {
  return (
    `Calmline stops after an unexpected error (${origin}); it is not safe to keep running. ` +
    `Start Calmline again; calls in progress were ended. Report this to IT with the details below.\n${detail}`
  );
}

let installed = false;

/**
 * Installs the handlers once per process (a second call with the real process is a
 * no-op; an injected `target` always installs, for tests).
 */
export function installProcessGuards(logger: CoreLogger, options: ProcessGuardOptions = {}): void {
  const target = options.target ?? process;
  if (!options.target) {
    if (installed) return;
    installed = true;
  }
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let ending = false;

  const handle = (origin: 'uncaught exception' | 'unhandled rejection', reason: unknown): void => {
    const verdict = classifyFailure(reason);
    if (verdict.kind === 'sip.js') {
      // docs/sipjs-pitfalls.md#s2: the phone's state machine recovers from these.
      logger.warn(`sip.js ${origin} (a known sip.js failure, kept running): ${verdict.what}`);
      return;
    }
    logger.error(fatalMessage(origin, verdict.detail));
    if (ending) return;
    ending = true;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      exit(FATAL_EXIT_CODE);
    };
    if (!options.onFatal) {
      finish();
      return;
    }
    // The grace timer is a last resort for a stop that hangs; it does not keep the loop alive.
    setTimeout(finish, options.fatalGraceMs ?? 3_000).unref();
    Promise.resolve()
      .then(() => options.onFatal?.(verdict.detail))
      .catch((error: unknown) => logger.error(`Ending calls before stopping failed: ${String(error)}`))
      .finally(finish);
  };

  target.on('unhandledRejection', (reason: unknown) => handle('unhandled rejection', reason));
  target.on('uncaughtException', (error: Error) => handle('uncaught exception', error));
}
