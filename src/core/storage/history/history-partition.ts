/**
 * How call history is cut into files. A note save rewrites the one partition file
 * of its call, so the cost of a save is bounded by the size of a partition, not by
 * the size of the history.
 *
 * Granularity, decided by measurement (bench/storage.ts; bench/results/storage-*.md):
 * with 100 calls a working day, a month is ~2,100 records (≈670 KB of JSON); rewriting
 * and fsyncing it per save measured p50 ≈ 9–10 ms, p99 ≈ 14–20 ms, max ≈ 30 ms on the
 * build VM's disk (ext4 on virtio): at the 20 ms goal already, with no margin for a slower laptop
 * disk or a busier desk (a 3,000-record month measured p99 ≈ 17 ms). A day is ~100
 * records (≈60–70 KB) and measured p50 ≈ 2 ms, p99 ≈ 4–9 ms with 1 day, 1 year and 5
 * years of history alike, so the default is one file per UTC day, in a folder per
 * month: `history/2025-03/2025-03-14.json`. Days in UTC keep a call's partition
 * independent of the machine's time zone, and retention deletes whole days as files.
 * An append-only journal would write fewer bytes per save but needs torn-tail
 * recovery and compaction of its own; a day file keeps every write a plain atomic
 * replace.
 * Month partitions stay available for the benchmark's comparison.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { callRecordSchema, type CallRecord } from '../../../shared/call-record';
import { decodeDocument, type DocumentSpec } from '../files/document-store';
import { isSealed, openSealedFile, type FileCipher } from '../files/file-cipher';
import type { PartitionRead } from './history-index-host';
import { errorCode } from '../files/storage-fs';

/** One file per UTC day (default) or per UTC month (benchmark comparison). */
export type PartitionGranularity = 'day' | 'month';

/** The data of one partition file. */
export interface HistoryPartitionData {
  records: CallRecord[];
}

const partitionDataSchema = z.object({ records: z.array(callRecordSchema) });

/** Version 1 of the partition format; add a migration here when the record shape changes. */
export const historyPartitionSpec: DocumentSpec<HistoryPartitionData> = {
  format: 'calmline/call-history-partition',
  version: 1,
  schema: partitionDataSchema,
  migrations: [],
  empty: () => ({ records: [] }),
  salvage: (data) => {
    const records = typeof data === 'object' && data !== null && 'records' in data ? data.records : undefined;
    if (!Array.isArray(records)) return undefined;
    const kept = records.flatMap((record: unknown) => {
      const parsed = callRecordSchema.safeParse(record);
      return parsed.success ? [parsed.data] : [];
    });
    return kept.length > 0 ? { data: { records: kept }, recovered: kept.length } : undefined;
  },
};

/** The partition key (`2025-03-14` or `2025-03`) of a call started at `at` (epoch ms). */
export function partitionKeyFor(at: number, granularity: PartitionGranularity): string {
  const iso = new Date(at).toISOString();
  return granularity === 'day' ? iso.slice(0, 10) : iso.slice(0, 7);
}

/** The file of a partition under the history root. */
export function partitionPath(root: string, key: string): string {
  return key.length === 10 ? join(root, key.slice(0, 7), `${key}.json`) : join(root, `${key}.json`);
}

/** Epoch ms at which the partition's period ends (exclusive). */
export function partitionEnd(key: string): number {
  const [year, month, day] = key.split('-').map(Number);
  if (year === undefined || month === undefined) throw new Error(`Not a partition key: ${key}`);
  return day === undefined ? Date.UTC(year, month, 1) : Date.UTC(year, month - 1, day + 1);
}

/** True for a month folder name (`2025-03`). */
export function isMonthFolderName(name: string): boolean {
  return /^\d{4}-\d{2}$/.test(name);
}

/** The partition key of a file name of the given granularity, or undefined. */
export function partitionKeyOfFile(name: string, granularity: PartitionGranularity): string | undefined {
  const match = granularity === 'day' ? /^(\d{4}-\d{2}-\d{2})\.json$/.exec(name) : /^(\d{4}-\d{2})\.json$/.exec(name);
  return match?.[1];
}

/**
 * Reads and decodes one partition file without writing anything: a missing file is
 * an empty partition, a file that cannot be read or decoded is `unreadable` (the
 * main thread then moves it aside). Used by the history index, in its worker or not.
 * `beforeDecode` is awaited between reading and parsing (the in-thread loader lets a
 * note save go first there).
 */
export async function readPartitionFile(
  readFile: (path: string) => Promise<Uint8Array>,
  path: string,
  beforeDecode?: () => Promise<void>,
  cipher?: FileCipher,
): Promise<PartitionRead> {
  let raw: Uint8Array;
  try {
    raw = await readFile(path);
  } catch (error) {
    return errorCode(error) === 'ENOENT' ? { records: [] } : { unreadable: true };
  }
  if (beforeDecode) await beforeDecode();
  try {
    const plain = isSealed(raw) && cipher ? openSealedFile(cipher, raw) : raw;
    return { records: decodeDocument(plain, historyPartitionSpec).data.records };
  } catch {
    return { unreadable: true };
  }
}

/**
 * How a partition file is encrypted with the data key: the partition key is the
 * authenticated context, so a day file cannot be swapped for another day's.
 */
export function partitionCipher(dataKey: Uint8Array, key: string): FileCipher {
  return { key: dataKey, context: `${historyPartitionSpec.format} ${key}` };
}
