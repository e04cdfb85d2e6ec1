/**
 * The one translation from whatever a command handler threw to what the renderer
 * may see. Each module's error carries a code from a list in src/shared/result.ts,
 * and `CommandErrorCode` is the union of those lists, so passing a code on needs no
 * cast; anything else becomes `internal` with a fixed message, never its own text.
 */
import type { CommandError } from '../shared/result';
import { WorkspaceError } from '../shared/workspace/workspace-error';
import { CallTransitionError } from './phone/call-state';
import { PhoneError } from './phone/phone-error';
import { PolicyLockedError } from './policy/policy-store';
import { StorageError } from './storage/files/storage-error';

/** What the renderer is told about a failure nobody named; the details go to the log. */
export const INTERNAL_ERROR_MESSAGE = 'Something went wrong in the app; the details are in its log.';

/**
 * The refusal to answer a command with. A startup problem (WorkspaceSetupError) or
 * any other exception is not a refusal: it becomes `internal`, and `onUnexpected`
 * receives it (the router logs it with its stack).
 */
export function toCommandError(error: unknown, onUnexpected?: (error: unknown) => void): CommandError {
  if (
    error instanceof PhoneError ||
    error instanceof StorageError ||
    error instanceof WorkspaceError ||
    error instanceof CallTransitionError ||
    error instanceof PolicyLockedError
  ) {
    return { code: error.code, message: error.message };
  }
  onUnexpected?.(error);
  return { code: 'internal', message: INTERNAL_ERROR_MESSAGE };
}
