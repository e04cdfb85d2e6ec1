/**
 * Why the workspace core refused something, as a stable code the IPC layer and the
 * UI can branch on (the UI translates the code; `message` is English for logs and
 * says what to do instead). Nothing here touches the phone: a refusal leaves every
 * state as it was.
 *
 * A refused command (`WorkspaceError`) and a bad IT-provided file found at startup
 * (`WorkspaceSetupError`) are different types, so only the first can become a
 * command's answer: the compiler, not a string check, keeps the second out.
 */

/** Every reason a workspace command is refused; each is also a command error code. */
export const workspaceErrorCodes = [
  /** The agent's state does not allow that move (e.g. ending a break while not on one). */
  'invalid-transition',
  /** Wrap-up was completed without choosing an outcome. */
  'outcome-required',
  /** A wrap-up note is longer than MAX_WRAP_UP_NOTE_LENGTH. */
  'note-too-long',
  /** There is no break offer to decline. */
  'no-break-offer',
  /** The reminder named is not showing, so it cannot be snoozed, skipped or started. */
  'no-reminder',
  /** The checklist run has no step with that id. */
  'unknown-step',
  /** No loaded checklist has that id. */
  'unknown-checklist',
  /** The checklist has no step that records a commitment. */
  'no-commitment-step',
  /** The promised date or status update lies in the past. */
  'commitment-in-past',
  /** The promised date lies further ahead than MAX_COMMITMENT_AHEAD_MS. */
  'commitment-too-far',
  /** The commitment is malformed (unknown kind, a due that is not a time, text too long). */
  'invalid-commitment',
] as const;

/** One of `workspaceErrorCodes`. */
export type WorkspaceErrorCode = (typeof workspaceErrorCodes)[number];

/** A refusal of the workspace core; `message` names what to do instead. */
export class WorkspaceError extends Error {
  override name = 'WorkspaceError';

  constructor(
    readonly code: WorkspaceErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Every way an IT-provided workspace file is refused: startup problems, never a command's answer. */
export const workspaceSetupErrorCodes = [
  /** An IT-provided checklist file does not validate. */
  'invalid-checklist',
  /** An IT-provided workspace policy does not validate. */
  'invalid-policy',
] as const;

/** One of `workspaceSetupErrorCodes`. */
export type WorkspaceSetupErrorCode = (typeof workspaceSetupErrorCodes)[number];

/** An IT-provided file that does not validate; `message` names the file and every bad path. */
export class WorkspaceSetupError extends Error {
  override name = 'WorkspaceSetupError';

  constructor(
    readonly code: WorkspaceSetupErrorCode,
    message: string,
  ) {
    super(message);
  }
}
