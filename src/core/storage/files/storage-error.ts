/**
 * Why the storage core refused or failed, as a stable code the IPC layer and the UI
 * can branch on (the UI translates the code; `message` is English for logs). A disk
 * that is full or read-only must reach the agent as such, not as "EIO".
 */
import { storageErrorCodes } from '../../../shared/result';
import { errorCode } from './storage-fs';

// The codes are part of the IPC contract, so they live in src/shared/result.ts.
export { storageErrorCodes };

/** One of `storageErrorCodes`. */
export type StorageErrorCode = (typeof storageErrorCodes)[number];

/** A storage failure with a code the app can act on. */
export class StorageError extends Error {
  override readonly name = 'StorageError';

  constructor(
    readonly code: StorageErrorCode,
    message: string,
    /** The file concerned, when there is one. */
    readonly path?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const SYSTEM_CODES: Record<string, StorageErrorCode> = {
  ENOSPC: 'disk-full',
  EDQUOT: 'disk-full',
  EROFS: 'read-only',
  EACCES: 'no-permission',
  EPERM: 'no-permission',
};

const EXPLANATIONS: Record<StorageErrorCode, string> = {
  'disk-full': 'the disk is full',
  'read-only': 'the disk is read-only',
  'no-permission': 'the system refused access to the data folder',
  'io-error': 'the disk reported an error',
  'file-blocked': 'an unreadable file is in the way and could not be moved aside',
  'not-found': 'it does not exist',
  'invalid-input': 'the input is not valid',
};

/** Wraps a Node error from `action` on `path` (e.g. "save", "history/2025-03/2025-03-14.json"). */
export function toStorageError(error: unknown, action: string, path: string): StorageError {
  if (error instanceof StorageError) return error;
  const system = errorCode(error);
  const code: StorageErrorCode = (system === undefined ? undefined : SYSTEM_CODES[system]) ?? 'io-error';
  const detail = system !== undefined && code === 'io-error' ? ` (${system})` : '';
  return new StorageError(code, `Could not ${action} ${path}: ${EXPLANATIONS[code]}${detail}.`, path, { cause: error });
}
