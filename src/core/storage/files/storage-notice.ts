/**
 * What the agent is told when a store file could not be read. The file is not
 * deleted: it is moved aside as `<name>.corrupt-<timestamp>` and the message names
 * it, so the agent (or IT) can hand it on for recovery. (A kept-aside history file
 * is deleted by the retention sweep once it has been kept longer than the period.)
 */

/** Why a file was judged unreadable. */
export const corruptionReasons = [
  'empty',
  'not-text',
  'not-json',
  'wrong-format',
  'schema',
  'newer-version',
  'migration-failed',
  'unreadable',
  'encrypted',
  'cannot-decrypt',
] as const;

/** One of `corruptionReasons`. */
export type CorruptionReason = (typeof corruptionReasons)[number];

/** A problem found while opening the stores, for the agent to see. */
export interface StorageNotice {
  /**
   * `file-kept-aside`: moved aside, the app goes on without (or with part of) it.
   * `file-blocked`: could not even be moved; it is left in place and not overwritten.
   */
  code: 'file-kept-aside' | 'file-blocked';
  /** The file that could not be read (absolute path). */
  file: string;
  /** Where it is kept now (absolute path), for `file-kept-aside`. */
  keptAs?: string;
  reason: CorruptionReason;
  /** Entries (call records, callers) recovered from it; 0 when none. */
  recovered: number;
  /** An English sentence for the agent naming the kept file (the UI may translate from the fields). */
  message: string;
  /** When it was found (epoch ms). */
  at: number;
}

const REASON_TEXT: Record<CorruptionReason, string> = {
  empty: 'the file is empty',
  'not-text': 'the file is not text',
  'not-json': 'the file is not valid JSON',
  'wrong-format': 'the file is not a Calmline data file',
  schema: 'the data in the file does not have the expected shape',
  'newer-version': 'the file was written by a newer version of Calmline',
  'migration-failed': 'the file could not be upgraded to this version of Calmline',
  unreadable: 'the system could not read the file',
  encrypted: 'the file is encrypted and Calmline has no key for it',
  'cannot-decrypt': 'the file could not be decrypted: it was written with another key, or changed since',
};

/** A human explanation of `reason`. */
export function describeCorruption(reason: CorruptionReason): string {
  return REASON_TEXT[reason];
}
