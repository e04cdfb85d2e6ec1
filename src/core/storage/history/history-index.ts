/**
 * The in-memory view of the whole call history that search, a caller's past calls
 * and retention need: every record by call id and by partition, calls by caller key,
 * and the word index. Pure (no I/O, no timers), so the same code runs in the history's
 * index worker and, as a fallback, on the main thread (see history-index-host.ts).
 */
import type { CallSearchHit, HistoryQuery, SearchResult } from './call-history';
import type { CallRecord } from '../../../shared/call-record';
import { callerKey, keyDigits } from '../callers/caller-key';
import { SearchIndex, tokenize } from './search-index';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;
const MAX_QUERY_WORDS = 16;

/** A call's place in the index. */
interface CallEntry {
  key: string;
  ordinal: number;
}

interface NumberEntry {
  digits: string;
  callIds: Set<string>;
}

/** What one partition holds that retention would delete. */
export interface RetentionCandidate {
  key: string;
  /** Calls in the partition that started before the cut-off. */
  old: number;
  /** All calls in the partition. */
  total: number;
}

function recordTokens(record: CallRecord): Set<string> {
  return tokenize(record.note ? `${record.name}\n${record.note.text}` : record.name);
}

/** Newest first; ties by call id, so results do not depend on load order. */
export function newestFirst(a: CallRecord, b: CallRecord): number {
  return b.startedAt - a.startedAt || (a.callId < b.callId ? -1 : 1);
}

/** `+49 30 123-45` → `+493012345`: a typed number stays one word (only when it starts like a number). */
function compactPhoneNumbers(text: string): string {
  return text.replace(/(?:\+|\b00|\()[\d\s\-()./]*\d/g, (match) => match.replace(/[^\d+]/g, ''));
}

function snippetOf(record: CallRecord, words: string[]): string {
  const text = record.note?.text.replace(/\s+/g, ' ').trim() ?? '';
  if (text.length <= 160) return text;
  const lower = text.toLowerCase();
  const at = words.map((word) => lower.indexOf(word)).find((index) => index >= 0) ?? 0;
  const start = Math.max(0, at - 60);
  return `${start > 0 ? '…' : ''}${text.slice(start, start + 160).trim()}${start + 160 < text.length ? '…' : ''}`;
}

/** Clamps a requested number of results. */
function clampLimit(limit: number | undefined, min: number): number {
  return Math.max(min, Math.min(limit ?? DEFAULT_LIMIT, MAX_LIMIT));
}

/** Every loaded call record, indexed for search and by caller. */
export class HistoryIndex {
  private readonly partitions = new Map<string, Set<string>>();
  private readonly calls = new Map<string, CallEntry>();
  private readonly byOrdinal: (CallRecord | undefined)[] = [];
  private readonly byNumber = new Map<string, NumberEntry>();
  private readonly words = new SearchIndex();

  get callCount(): number {
    return this.calls.size;
  }

  get termCount(): number {
    return this.words.termCount;
  }

  /**
   * Replaces what the index holds for partition `key` with `records`. A call id that
   * is already filed in another partition keeps its place there (the newest copy loads
   * first, as it did when the history was loaded on the main thread).
   */
  setPartition(key: string, records: readonly CallRecord[]): void {
    this.dropPartition(key);
    this.partitions.set(key, new Set());
    for (const record of records) {
      if (this.calls.has(record.callId)) continue;
      this.register(key, record);
    }
  }

  /** Files or replaces one call (a save on the main thread). */
  upsert(key: string, record: CallRecord): void {
    const entry = this.calls.get(record.callId);
    const previous = entry && this.byOrdinal[entry.ordinal];
    if (!entry || !previous) {
      if (!this.partitions.has(key)) this.partitions.set(key, new Set());
      this.register(key, record);
      return;
    }
    this.byOrdinal[entry.ordinal] = record;
    if (previous.number !== record.number) {
      this.unfileNumber(previous);
      this.fileNumber(record);
    }
    if (previous.name !== record.name || previous.note?.text !== record.note?.text) {
      this.words.update(entry.ordinal, recordTokens(previous), recordTokens(record));
    }
  }

  remove(callIds: Iterable<string>): void {
    for (const callId of callIds) this.unregister(callId);
  }

  dropPartition(key: string): void {
    const ids = this.partitions.get(key);
    if (!ids) return;
    for (const callId of [...ids]) this.unregister(callId);
    this.partitions.delete(key);
  }

  /** The call and its partition, if loaded. */
  locate(callId: string): { key: string; record: CallRecord } | undefined {
    const entry = this.calls.get(callId);
    const record = entry && this.byOrdinal[entry.ordinal];
    return entry && record ? { key: entry.key, record } : undefined;
  }

  /** The calls of the caller with key `key` (from `callerKey`), newest first. */
  callsFor(key: string, limit: number | undefined): CallRecord[] {
    const ids = this.byNumber.get(key)?.callIds ?? new Set<string>();
    const records: CallRecord[] = [];
    for (const id of ids) {
      const record = this.locate(id)?.record;
      if (record) records.push(record);
    }
    return records.sort(newestFirst).slice(0, clampLimit(limit, 0));
  }

  search(query: HistoryQuery): SearchResult {
    const words = [...tokenize(compactPhoneNumbers(query.text))].slice(0, MAX_QUERY_WORDS);
    if (words.length === 0) return { hits: [], total: 0 };
    // counts[o] = how many of the words so far record o matched, in order; a record
    // is a hit when it matched every word. Several matching terms count once.
    const counts = new Uint8Array(this.byOrdinal.length);
    const matched: number[] = [];
    words.forEach((word, position) => {
      const last = position === words.length - 1;
      const visit = (ordinal: number): void => {
        if (counts[ordinal] !== position) return;
        counts[ordinal] = position + 1;
        if (last) matched.push(ordinal);
      };
      this.words.forEachPrefixMatch(word, visit);
      if (/^\d{3,}$/.test(word)) {
        for (const { digits, callIds } of this.byNumber.values()) {
          if (!digits.includes(word)) continue;
          for (const id of callIds) {
            const entry = this.calls.get(id);
            if (entry) visit(entry.ordinal);
          }
        }
      }
    });
    const records: CallRecord[] = [];
    for (const ordinal of matched) {
      const record = this.byOrdinal[ordinal];
      if (record) records.push(record);
    }
    records.sort(newestFirst);
    const hits: CallSearchHit[] = records.slice(0, clampLimit(query.limit, 1)).map((record) => ({
      callId: record.callId,
      number: record.number,
      name: record.name,
      direction: record.direction,
      startedAt: record.startedAt,
      agent: record.agent,
      snippet: snippetOf(record, words),
    }));
    return { hits, total: records.length };
  }

  /** Partitions holding calls that started before `cutoff`, with how many of their calls did. */
  retentionCandidates(cutoff: number): RetentionCandidate[] {
    const candidates: RetentionCandidate[] = [];
    for (const [key, ids] of this.partitions) {
      let old = 0;
      for (const id of ids) {
        const record = this.locate(id)?.record;
        if (record && record.startedAt < cutoff) old += 1;
      }
      if (old > 0) candidates.push({ key, old, total: ids.size });
    }
    return candidates;
  }

  /** Number of calls filed under each of `keys` (0 for a partition not held). */
  sizes(keys: readonly string[]): number[] {
    return keys.map((key) => this.partitions.get(key)?.size ?? 0);
  }

  private register(key: string, record: CallRecord): void {
    const ordinal = this.byOrdinal.length;
    this.byOrdinal.push(record);
    this.calls.set(record.callId, { key, ordinal });
    this.partitions.get(key)?.add(record.callId);
    this.fileNumber(record);
    this.words.add(ordinal, recordTokens(record));
  }

  private unregister(callId: string): void {
    const entry = this.calls.get(callId);
    const record = entry && this.byOrdinal[entry.ordinal];
    if (!entry || !record) return;
    this.words.remove(entry.ordinal, recordTokens(record));
    this.unfileNumber(record);
    this.byOrdinal[entry.ordinal] = undefined;
    this.calls.delete(callId);
    this.partitions.get(entry.key)?.delete(callId);
  }

  private fileNumber(record: CallRecord): void {
    const key = callerKey(record.number);
    if (key === undefined) return;
    let entry = this.byNumber.get(key);
    if (!entry) {
      entry = { digits: keyDigits(key), callIds: new Set() };
      this.byNumber.set(key, entry);
    }
    entry.callIds.add(record.callId);
  }

  private unfileNumber(record: CallRecord): void {
    const key = callerKey(record.number);
    const entry = key === undefined ? undefined : this.byNumber.get(key);
    if (!entry || key === undefined) return;
    entry.callIds.delete(record.callId);
    if (entry.callIds.size === 0) this.byNumber.delete(key);
  }
}
