/**
 * The caller directory on the agent's own disk. Lookups hit an in-memory Map by
 * caller key (the caller card needs them in well under a millisecond). On disk the
 * callers are spread over 64 shard files by a hash of the key, so adding a flag
 * rewrites about 1/64 of the directory: with 100,000 callers that is ~1,600 callers,
 * not all of them.
 *
 * With a data key (the same one as the history's, files/data-key.ts) every shard is
 * encrypted at rest (AES-256-GCM, the shard's file name as authenticated context, so
 * shards cannot be swapped). Plain shards from before are read and rewritten
 * encrypted when the directory opens.
 *
 * A change becomes visible to `lookup` only once it is on disk: writes to a shard
 * run one at a time on a copy, and the copy replaces the entry after the write. A
 * failed write (disk full, read-only) changes nothing and rejects with the reason.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import type { Clock } from '../../clock';
import type { CoreLogger } from '../../logger';
import { isTempFileName } from '../files/atomic-write';
import {
  activeFlags,
  callerRecordSchema,
  MAX_REASON_LENGTH,
  MAX_STATEMENT_LENGTH,
  type CallerDirectory,
  type CallerFlag,
  type CallerRecord,
  type FollowUp,
  type FollowUpListItem,
  type FollowUpQuery,
  type NewFlag,
  type NewFollowUp,
  type NewIncident,
  type ThreatIncident,
} from './caller-directory';
import { callerKey } from './caller-key';
import type { DataKeyProvider } from '../files/data-key';
import { DocumentStore, type DocumentSpec } from '../files/document-store';
import type { FileCipher } from '../files/file-cipher';
import { StorageError, toStorageError } from '../files/storage-error';
import { errorCode, nodeStorageFs, PRIVATE_DIR_MODE, type StorageFs } from '../files/storage-fs';
import type { StorageNotice } from '../files/storage-notice';

/** Shards on disk. Fixed: changing it would file existing callers under the wrong shard. */
export const CALLER_SHARD_COUNT = 64;

/** The data of one shard file. */
export interface CallerShardData {
  callers: CallerRecord[];
}

/** Version 1 of the shard format. */
export const callerShardSpec: DocumentSpec<CallerShardData> = {
  format: 'calmline/caller-directory-shard',
  version: 1,
  schema: z.object({ callers: z.array(callerRecordSchema) }),
  migrations: [],
  empty: () => ({ callers: [] }),
  salvage: (data) => {
    const callers = typeof data === 'object' && data !== null && 'callers' in data ? data.callers : undefined;
    if (!Array.isArray(callers)) return undefined;
    const kept = callers.flatMap((caller: unknown) => {
      const parsed = callerRecordSchema.safeParse(caller);
      return parsed.success ? [parsed.data] : [];
    });
    return kept.length > 0 ? { data: { callers: kept }, recovered: kept.length } : undefined;
  },
};

/** The shard file name (`shard-2a.json`) a caller key is filed in; FNV-1a, stable across versions. */
export function callerShardFile(key: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i += 1) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `shard-${(hash % CALLER_SHARD_COUNT).toString(16).padStart(2, '0')}.json`;
}

/** What a LocalCallerDirectory needs. */
export interface LocalCallerDirectoryOptions {
  /** The directory folder, e.g. `<user data>/callers`. */
  dir: string;
  clock: Clock;
  logger: CoreLogger;
  fs?: StorageFs;
  /** Id generator for flags, follow-ups and incidents (default: random UUIDs). */
  newId?: () => string;
  /** Encrypts the shards at rest with this key; clear text without. */
  dataKeys?: DataKeyProvider;
}

/** What a retention sweep of the directory removed. */
export interface DirectoryPurgeResult {
  /** Callers removed whole: no active flag, nothing newer than the period. */
  callersRemoved: number;
  /** Threat incidents removed for being older than their own period. */
  incidentsRemoved: number;
}

/** How a shard is encrypted with the data key: its file name is the authenticated context. */
export function callerShardCipher(dataKey: Uint8Array, file: string): FileCipher {
  return { key: dataKey, context: `${callerShardSpec.format} ${file}` };
}

interface Shard {
  readonly store: DocumentStore<CallerShardData>;
  readonly keys: Set<string>;
  queue: Promise<unknown>;
}

const SHARD_FILE = /^shard-[0-9a-f]{2}\.json$/;

function isEmpty(record: CallerRecord): boolean {
  return (
    record.preferredAddress === undefined &&
    record.flags.length === 0 &&
    record.followUps.length === 0 &&
    record.incidents.length === 0
  );
}

/** A flag raised by a threat incident gives the statement as its reason (shortened). */
function incidentFlagReason(whatWasSaid: string): string {
  return whatWasSaid.length > 200 ? `${whatWasSaid.slice(0, 199)}…` : whatWasSaid;
}

/** The reason of such a flag once retention removed its incident. */
export const REDACTED_INCIDENT_REASON =
  'A threat was recorded; what was said was deleted after the retention period for incidents.';

/** Retention bounds (epoch ms); an undefined bound switches that part off. */
export interface RetentionBounds {
  /** Callers with no active flag and nothing newer than this go whole. */
  entriesBefore?: number;
  /** Threat incidents recorded before this go. */
  incidentsBefore?: number;
}

/** What retention keeps of one caller: `next` undefined removes the caller. */
function retained(
  record: CallerRecord,
  bounds: RetentionBounds,
): { next: CallerRecord | undefined; incidentsRemoved: number; unchanged: boolean } {
  const { incidentsBefore, entriesBefore } = bounds;
  const incidents =
    incidentsBefore === undefined
      ? record.incidents
      : record.incidents.filter((incident) => incident.recordedAt >= incidentsBefore);
  const removed = record.incidents.filter((incident) => !incidents.includes(incident));
  // A flag raised by an incident quotes it: the quote goes with the incident.
  const flags = record.flags.map((flag) => {
    const source = removed.find((incident) => incident.flagId === flag.id);
    if (!source || flag.reason !== incidentFlagReason(source.whatWasSaid)) return flag;
    return { ...flag, reason: REDACTED_INCIDENT_REASON };
  });
  const trimmed: CallerRecord = { ...record, flags, incidents };
  const stale =
    entriesBefore !== undefined && activeFlags(trimmed).length === 0 && latestActivity(trimmed) < entriesBefore;
  const next = stale || isEmpty(trimmed) ? undefined : trimmed;
  const incidentsRemoved = record.incidents.length - incidents.length;
  return { next, incidentsRemoved, unchanged: next !== undefined && incidentsRemoved === 0 };
}

/** The latest date in a caller's entry (epoch ms). */
function latestActivity(record: CallerRecord): number {
  const dates = [
    record.preferredAddress?.updatedAt ?? 0,
    ...record.flags.flatMap((flag) => [flag.createdAt, flag.clearedAt ?? 0]),
    ...record.followUps.flatMap((followUp) => [followUp.createdAt, followUp.doneAt ?? 0, followUp.due]),
    ...record.incidents.flatMap((incident) => [incident.recordedAt, incident.occurredAt]),
  ];
  return Math.max(0, ...dates);
}

function requireText(text: string, max: number, what: string): string {
  const trimmed = text.trim();
  if (trimmed.length === 0 || trimmed.length > max) {
    throw new StorageError('invalid-input', `${what} must be 1 to ${max} characters.`);
  }
  return trimmed;
}

/** The caller directory kept in shard files on the local disk. */
export class LocalCallerDirectory implements CallerDirectory {
  private readonly fs: StorageFs;
  private readonly newId: () => string;
  private readonly entries = new Map<string, CallerRecord>();
  private readonly shards = new Map<string, Shard>();
  /** The shard each caller is in (normally its hashed one; a hand-moved entry stays where it was found). */
  private readonly home = new Map<string, Shard>();
  private readonly withFollowUps = new Set<string>();
  private readonly found: StorageNotice[] = [];
  private dataKey: Uint8Array | undefined;

  private constructor(private readonly options: LocalCallerDirectoryOptions) {
    this.fs = options.fs ?? nodeStorageFs;
    this.newId = options.newId ?? randomUUID;
  }

  /** Opens the folder and loads every shard; unreadable shards are moved aside and reported. */
  static async open(options: LocalCallerDirectoryOptions): Promise<LocalCallerDirectory> {
    const directory = new LocalCallerDirectory(options);
    if (options.dataKeys) directory.dataKey = await options.dataKeys.dataKey();
    await directory.load();
    return directory;
  }

  /** Files found unreadable while opening. */
  notices(): StorageNotice[] {
    return [...this.found];
  }

  /** True when the shards are encrypted at rest. */
  get encrypted(): boolean {
    return this.dataKey !== undefined;
  }

  /** Callers with an entry. */
  get size(): number {
    return this.entries.size;
  }

  lookup(number: string): Promise<CallerRecord | undefined> {
    return Promise.resolve(this.peek(number));
  }

  /**
   * The record at once, without waiting for the event loop: the directory is in
   * memory, and the ringing call's card must not wait for sip.js to finish with the
   * INVITE frame first (docs/performance.md#caller-card).
   */
  peek(number: string): CallerRecord | undefined {
    const key = callerKey(number);
    const entry = key === undefined ? undefined : this.entries.get(key);
    return entry && structuredClone(entry);
  }

  async addFlag(number: string, flag: NewFlag): Promise<CallerFlag> {
    const reason = requireText(flag.reason, MAX_REASON_LENGTH, 'The reason');
    return this.mutate(number, (record) => {
      const created: CallerFlag = {
        id: this.newId(),
        kind: flag.kind,
        reason,
        author: flag.author.slice(0, 128),
        createdAt: this.options.clock.now(),
        ...(flag.callId === undefined ? {} : { callId: flag.callId }),
      };
      record.flags.push(created);
      return created;
    });
  }

  async clearFlag(number: string, flagId: string, clearedBy: string): Promise<CallerFlag> {
    return this.mutate(number, (record) => {
      const flag = record.flags.find((candidate) => candidate.id === flagId);
      if (!flag) throw new StorageError('not-found', 'This caller has no such flag.');
      if (flag.clearedAt === undefined) {
        flag.clearedAt = this.options.clock.now();
        flag.clearedBy = clearedBy.slice(0, 128);
      }
      return flag;
    });
  }

  async setPreferredAddress(
    number: string,
    text: string | undefined,
    author: string,
  ): Promise<CallerRecord | undefined> {
    const address = text?.trim() ? requireText(text, 128, 'The form of address') : undefined;
    await this.mutate(number, (record) => {
      if (address === undefined) delete record.preferredAddress;
      else
        record.preferredAddress = { text: address, author: author.slice(0, 128), updatedAt: this.options.clock.now() };
      return undefined;
    });
    return this.lookup(number);
  }

  async addFollowUp(number: string, followUp: NewFollowUp): Promise<FollowUp> {
    const text = requireText(followUp.text, MAX_REASON_LENGTH, 'The follow-up text');
    if (!Number.isInteger(followUp.due) || followUp.due < 0) {
      throw new StorageError('invalid-input', 'The due time is not valid.');
    }
    return this.mutate(number, (record) => {
      const created: FollowUp = {
        id: this.newId(),
        callId: followUp.callId,
        kind: followUp.kind,
        due: followUp.due,
        text,
        done: false,
        author: followUp.author.slice(0, 128),
        createdAt: this.options.clock.now(),
      };
      record.followUps.push(created);
      return created;
    });
  }

  async completeFollowUp(number: string, followUpId: string): Promise<FollowUp> {
    return this.mutate(number, (record) => {
      const followUp = record.followUps.find((candidate) => candidate.id === followUpId);
      if (!followUp) throw new StorageError('not-found', 'This caller has no such follow-up.');
      if (!followUp.done) {
        followUp.done = true;
        followUp.doneAt = this.options.clock.now();
      }
      return followUp;
    });
  }

  listFollowUps(query: FollowUpQuery = {}): Promise<FollowUpListItem[]> {
    const items: FollowUpListItem[] = [];
    for (const key of this.withFollowUps) {
      for (const followUp of this.entries.get(key)?.followUps ?? []) {
        if (followUp.done && !query.includeDone) continue;
        if (query.dueBefore !== undefined && followUp.due >= query.dueBefore) continue;
        items.push({ ...structuredClone(followUp), number: key });
      }
    }
    return Promise.resolve(items.sort((a, b) => a.due - b.due));
  }

  async recordIncident(number: string, incident: NewIncident): Promise<{ incident: ThreatIncident; flag: CallerFlag }> {
    const whatWasSaid = requireText(incident.whatWasSaid, MAX_STATEMENT_LENGTH, 'What was said');
    const saidBy = requireText(incident.saidBy ?? 'the caller', 256, 'Who said it');
    return this.mutate(number, (record) => {
      const now = this.options.clock.now();
      let flag = activeFlags(record).find((candidate) => candidate.kind === incident.kind);
      if (!flag) {
        flag = {
          id: this.newId(),
          kind: incident.kind,
          reason: incidentFlagReason(whatWasSaid),
          author: incident.recordedBy.slice(0, 128),
          createdAt: now,
          callId: incident.callId,
        };
        record.flags.push(flag);
      }
      const created: ThreatIncident = {
        id: this.newId(),
        callId: incident.callId,
        kind: incident.kind,
        whatWasSaid,
        occurredAt: incident.occurredAt,
        saidBy,
        recordedBy: incident.recordedBy.slice(0, 128),
        recordedAt: now,
        flagId: flag.id,
      };
      record.incidents.push(created);
      return { incident: created, flag };
    });
  }

  /**
   * Applies `change` to a copy of the caller's entry, writes the shard with the copy,
   * and only then makes the copy the entry. One write per shard at a time.
   */
  private mutate<R>(number: string, change: (record: CallerRecord) => R): Promise<R> {
    const key = callerKey(number);
    if (key === undefined) {
      return Promise.reject(new StorageError('invalid-input', 'An anonymous or invalid number cannot be filed.'));
    }
    const shard = this.home.get(key) ?? this.shardFor(callerShardFile(key));
    const run = shard.queue.then(async () => {
      const current = this.entries.get(key);
      const draft: CallerRecord = current
        ? structuredClone(current)
        : { number: key, flags: [], followUps: [], incidents: [] };
      const result = change(draft);
      const parsed = callerRecordSchema.safeParse(draft);
      if (!parsed.success) throw new StorageError('invalid-input', 'The change does not fit the caller record.');
      const next = isEmpty(parsed.data) ? undefined : parsed.data;
      await shard.store.write(() => ({
        callers: [...new Set([...shard.keys, key])].flatMap((member) => {
          const record = member === key ? next : this.entries.get(member);
          return record ? [record] : [];
        }),
      }));
      this.commit(key, next, shard);
      return structuredClone(result);
    });
    shard.queue = run.catch(() => undefined);
    return run;
  }

  private commit(key: string, record: CallerRecord | undefined, shard: Shard): void {
    if (record) {
      this.entries.set(key, record);
      this.home.set(key, shard);
      shard.keys.add(key);
    } else {
      this.entries.delete(key);
      this.home.delete(key);
      shard.keys.delete(key);
    }
    if (record && record.followUps.length > 0) this.withFollowUps.add(key);
    else this.withFollowUps.delete(key);
  }

  private shardFor(file: string): Shard {
    let shard = this.shards.get(file);
    if (!shard) {
      shard = {
        store: new DocumentStore({
          fs: this.fs,
          path: join(this.options.dir, file),
          spec: callerShardSpec,
          clock: this.options.clock,
          logger: this.options.logger,
          label: `callers/${file}`,
          ...(this.dataKey ? { cipher: callerShardCipher(this.dataKey, file) } : {}),
        }),
        keys: new Set(),
        queue: Promise.resolve(),
      };
      this.shards.set(file, shard);
    }
    return shard;
  }

  private async load(): Promise<void> {
    const { dir, logger } = this.options;
    try {
      await this.fs.mkdir(dir, PRIVATE_DIR_MODE);
    } catch (error) {
      throw toStorageError(error, 'create', dir);
    }
    let names: string[];
    try {
      names = await this.fs.readdir(dir);
    } catch (error) {
      throw toStorageError(error, 'read', dir);
    }
    await Promise.all(
      names.filter(isTempFileName).map((name) =>
        this.fs.unlink(join(dir, name)).catch((error: unknown) => {
          if (errorCode(error) !== 'ENOENT') logger.warn(`Could not remove the stale temp file ${name}.`);
        }),
      ),
    );
    const files = names.filter((name) => SHARD_FILE.test(name));
    const loaded = await Promise.all(
      files.map(async (file) => ({ file, loaded: await this.shardFor(file).store.load() })),
    );
    const plain: Shard[] = [];
    for (const { file, loaded: document } of loaded) {
      if (document.notice) this.found.push(document.notice);
      const shard = this.shardFor(file);
      if (this.dataKey && document.existed && !document.notice && !document.sealed) plain.push(shard);
      for (const record of document.data.callers) {
        const key = callerKey(record.number);
        if (key === undefined || this.entries.has(key)) continue;
        this.commit(key, record, shard);
      }
    }
    // Shards written before encryption was on: rewrite them encrypted now, not at the
    // next change, so no caller stays readable on disk. Atomic: a crash leaves the plain
    // file or the encrypted one, never neither.
    await Promise.all(
      plain.map((shard) =>
        this.rewrite(shard).catch((error: unknown) => {
          logger.error(`Could not encrypt ${shard.store.path}; it stays as it was: ${String(error)}`);
        }),
      ),
    );
    if (plain.length > 0)
      logger.info(`Encrypted ${plain.length} caller directory file(s) written in the clear before.`);
  }

  /** Writes a shard with its current entries (queued behind its other writes). */
  private rewrite(shard: Shard): Promise<void> {
    const run = shard.queue.then(async () => {
      await shard.store.write(() => ({
        callers: [...shard.keys].flatMap((member) => {
          const record = this.entries.get(member);
          return record ? [record] : [];
        }),
      }));
    });
    shard.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * The retention sweep (retention.ts). Removes incidents recorded before
   * `incidentsBefore`, then every caller with no active flag whose latest date (a
   * flag raised or cleared, a follow-up made, done or due, an incident, the form of
   * address) is before `entriesBefore`. A caller with an active flag is kept whole
   * (except old incidents): the warning is for the next agent until someone clears it.
   * Either bound may be undefined (that part is off). Writes one shard at a time.
   */
  async purge(bounds: RetentionBounds): Promise<DirectoryPurgeResult> {
    const result: DirectoryPurgeResult = { callersRemoved: 0, incidentsRemoved: 0 };
    const touched = new Map<Shard, string[]>();
    for (const [key, record] of this.entries) {
      const shard = this.home.get(key);
      if (!shard || retained(record, bounds).unchanged) continue;
      touched.set(shard, [...(touched.get(shard) ?? []), key]);
    }
    for (const [shard, keys] of touched) {
      const run = shard.queue.then(async () => {
        // Decided again inside the queue: a write that ran before may have changed the entry.
        const outcome = new Map<string, ReturnType<typeof retained>>();
        for (const key of keys) {
          const record = this.entries.get(key);
          if (record) outcome.set(key, retained(record, bounds));
        }
        await shard.store.write(() => ({
          callers: [...shard.keys].flatMap((member) => {
            const record = outcome.has(member) ? outcome.get(member)?.next : this.entries.get(member);
            return record ? [record] : [];
          }),
        }));
        for (const [key, { next, incidentsRemoved }] of outcome) {
          this.commit(key, next, shard);
          if (next) result.incidentsRemoved += incidentsRemoved;
          else result.callersRemoved += 1;
        }
      });
      shard.queue = run.catch(() => undefined);
      await run;
    }
    return result;
  }
}
