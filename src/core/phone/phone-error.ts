/**
 * The one error type the core throws at its callers. Its `code` is an IPC error
 * code, so the command router can pass it to the renderer without guessing.
 */
import type { CoreErrorCode, PhoneErrorCode } from '../../shared/result';
import { CallTransitionError } from './call-state';

/** A refused or failed phone command. */
export class PhoneError extends Error {
  override name = 'PhoneError';
  constructor(
    /** A phone code, or one of the core's own (an uncallable target is `invalid-payload`, the unforeseen `internal`). */
    readonly code: PhoneErrorCode | CoreErrorCode,
    message: string,
  ) {
    super(message);
  }

  /** Wraps anything thrown inside the core, keeping a call-state refusal's code. */
  static from(error: unknown): PhoneError {
    if (error instanceof PhoneError) return error;
    if (error instanceof CallTransitionError) return new PhoneError(error.code, error.message);
    return new PhoneError('internal', error instanceof Error ? error.message : String(error));
  }
}
