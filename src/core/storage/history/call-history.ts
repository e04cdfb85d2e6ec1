/**
 * The call history and its notes as the rest of the core sees it. An interface, so
 * the notes autosaver, export and the IPC handlers do not depend on how (or where)
 * the history is kept; `FileCallHistory` is the local implementation.
 */
import type { CallRecord, CallRecordInput } from '../../../shared/call-record';
import type { StorageNotice } from '../files/storage-notice';

/** Proof that a note is on disk. */
export interface NoteReceipt {
  callId: string;
  /** When the write that holds this text completed (epoch ms). */
  savedAt: number;
  /** Bytes written to disk for this save (the whole partition file). */
  bytesWritten: number;
}

/** A search over past calls. */
export interface HistoryQuery {
  /**
   * Words, all of which must match (any order): a word matches the start of a word in
   * the note or the caller's name; a run of digits also matches anywhere in the number.
   */
  text: string;
  /** Most hits returned, newest first (default 50, at most 500). */
  limit?: number;
}

/** One past call found by a search. */
export interface CallSearchHit {
  callId: string;
  number: string;
  name: string;
  direction: CallRecord['direction'];
  startedAt: number;
  agent: string;
  /** Up to ~160 characters of the note around the first match (empty without a note). */
  snippet: string;
}

/** The answer to a search. */
export interface SearchResult {
  hits: CallSearchHit[];
  /** All matches, including those beyond `limit`. */
  total: number;
}

/** What a retention sweep deleted. */
export interface PurgeResult {
  recordsDeleted: number;
  /** Partition files deleted (whole days before the cut-off). */
  filesDeleted: number;
  /** Kept-aside (`.corrupt-<time>`) files deleted because they were moved aside before the cut-off. */
  keptAsideFilesDeleted: number;
  /** Files that could not be updated (they are retried on the next sweep). */
  failedFiles: string[];
}

/** Call records with notes, partitioned on disk so a save stays small. */
export interface CallHistory {
  /** Files a call, or updates it (name, number, end time) keeping its note. Resolves once on disk. */
  recordCall(input: CallRecordInput): Promise<CallRecord>;
  /**
   * Replaces the note of a recorded call. Resolves only after the text is durably on
   * disk; rejects with a StorageError (`not-found`, `disk-full`, `read-only`…).
   */
  saveNote(callId: string, text: string, author: string): Promise<NoteReceipt>;
  getCall(callId: string): Promise<CallRecord | undefined>;
  /** The calls of one caller, newest first. */
  callsFor(number: string, limit?: number): Promise<CallRecord[]>;
  search(query: HistoryQuery): Promise<SearchResult>;
  /**
   * Deletes calls (with their notes) that started more than `days` days before `now`,
   * and kept-aside copies of history files moved aside more than `days` days ago.
   */
  purgeOlderThan(days: number, now: number): Promise<PurgeResult>;
  /** Files found unreadable so far (more may be found as older partitions load). */
  notices(): StorageNotice[];
  /** Called for each notice found from now on; returns the unsubscribe function. */
  onNotice(listener: (notice: StorageNotice) => void): () => void;
}
