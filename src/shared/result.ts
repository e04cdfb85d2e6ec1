/**
 * The answer shape of every command that crosses the process boundary. No raw Error
 * crosses it: a renderer only ever sees a stable `code` it can branch on and a
 * `message` meant for logs and developers (the UI translates the code).
 */
export type Result<T> = { ok: true; value: T } | { ok: false; error: CommandError };

/** Every reason a storage operation fails. */
export const storageErrorCodes = [
  /** ENOSPC / EDQUOT: nothing more fits on the disk. */
  'disk-full',
  /** EROFS: the file system is mounted read-only. */
  'read-only',
  /** EACCES / EPERM: the OS refuses access to the data folder. */
  'no-permission',
  /** Any other I/O failure. */
  'io-error',
  /** A file that could not be read could not be moved aside either; it is not overwritten. */
  'file-blocked',
  /** The call, caller, flag or follow-up named does not exist. */
  'not-found',
  /** The input breaks a limit (too long, empty, unknown number). */
  'invalid-input',
] as const;

/** Codes the main process answers with when a command is refused. */
export const commandErrorCodes = [
  'unknown-channel',
  'forbidden-sender',
  'invalid-payload',
  'call-not-found',
  'invalid-transition',
  'not-configured',
  'sip-error',
  /** The call's audio failed (no microphone, negotiation, the engine did not answer). */
  'media-error',
  'other-call-active',
  'consent-required',
  'consent-declined',
  'consent-mismatch',
  'consent-used',
  'consent-expired',
  'no-escalation-target',
  'storage-unavailable',
  ...storageErrorCodes,
  'outcome-required',
  'unknown-step',
  'unknown-checklist',
  'no-commitment-step',
  'commitment-in-past',
  'commitment-too-far',
  'invalid-commitment',
  'no-break-offer',
  'internal',
] as const;

export type CommandErrorCode = (typeof commandErrorCodes)[number];

/** A refusal that is safe to send to the renderer. */
export interface CommandError {
  code: CommandErrorCode;
  message: string;
}

/** Builds a successful result. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

/** Builds a refused result. */
export function fail<T = never>(code: CommandErrorCode, message: string): Result<T> {
  return { ok: false, error: { code, message } };
}
