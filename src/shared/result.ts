/**
 * The answer shape of every command that crosses the process boundary. No raw Error
 * crosses it: a renderer only ever sees a stable `code` it can branch on and a
 * `message` meant for logs and developers (the UI translates the code).
 */
import { workspaceErrorCodes, type WorkspaceErrorCode } from './workspace/workspace-error';

/** A command's answer: its value, or a refusal that is safe to send. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: CommandError };

/**
 * The core's own refusals, outside any one module: the boundary's (an unknown
 * channel, a sender that is not our window, a payload the schema refuses), the
 * agent's data missing from this app, and any failure nobody named.
 */
export const coreErrorCodes = [
  'unknown-channel',
  'forbidden-sender',
  'invalid-payload',
  /** History, notes and the caller directory (or the export folder) are not available in this app. */
  'storage-unavailable',
  /** Something failed that no module named; the details are only in the log. */
  'internal',
] as const;

/** One of `coreErrorCodes`. */
export type CoreErrorCode = (typeof coreErrorCodes)[number];

/** Every reason the phone refuses or fails a call command (see PhoneError). */
export const phoneErrorCodes = [
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
] as const;

/** One of `phoneErrorCodes`. */
export type PhoneErrorCode = (typeof phoneErrorCodes)[number];

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

/** Why a setting cannot be saved: IT's managed policy locks it (src/core/policy/). */
export const policyErrorCodes = ['locked-by-policy'] as const;

/** Codes the main process answers with when a command is refused: the union of the lists above and the workspace's. */
export type CommandErrorCode =
  | CoreErrorCode
  | PhoneErrorCode
  | (typeof storageErrorCodes)[number]
  | WorkspaceErrorCode
  | (typeof policyErrorCodes)[number];

/**
 * Every `CommandErrorCode`, once each (the phone and the workspace both refuse with
 * `invalid-transition`). Built from the lists, so a code added to one is listed here.
 */
export const commandErrorCodes: readonly CommandErrorCode[] = [
  ...new Set<CommandErrorCode>([
    ...coreErrorCodes,
    ...phoneErrorCodes,
    ...storageErrorCodes,
    ...workspaceErrorCodes,
    ...policyErrorCodes,
  ]),
];

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
