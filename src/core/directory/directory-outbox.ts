/**
 * The remote directory's outbox: every change the agent makes is written here (on disk,
 * atomically) before the write is acknowledged, and leaves only once the directory
 * service has taken it. Each entry keeps the idempotency key it was created with, so a
 * retry after a lost answer or an app restart takes effect once on the service.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { atomicWriteFile } from '../storage/files/atomic-write';
import { errorCode, PRIVATE_DIR_MODE, type StorageFs } from '../storage/files/storage-fs';

/** One queued write. */
export const outboxEntrySchema = z.object({
  /** The Idempotency-Key sent with every attempt. */
  key: z.string().min(8).max(128),
  /** Which change (what `applyPending` replays on a cached record). */
  op: z.enum([
    'add-flag',
    'clear-flag',
    'set-address',
    'add-follow-up',
    'complete-follow-up',
    'record-incident',
    'record-call',
  ]),
  /** The caller's E.164 number. */
  number: z.string(),
  method: z.enum(['POST', 'PUT']),
  /** The path under the service URL, e.g. `/v1/callers/%2B4930…/flags`. */
  path: z.string(),
  body: z.record(z.string(), z.unknown()),
  /** The optimistic result shown while queued (a flag, a follow-up …). */
  result: z.unknown(),
  createdAt: z.number(),
});
export type OutboxEntry = z.infer<typeof outboxEntrySchema>;

const fileSchema = z.object({
  format: z.literal('calmline/directory-outbox'),
  version: z.literal(1),
  entries: z.array(outboxEntrySchema),
});

/** The outbox file, one JSON document rewritten atomically on every change. */
export class DirectoryOutbox {
  private entries: OutboxEntry[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly fs: StorageFs,
    private readonly path: string,
  ) {}

  /** Opens (or creates) the outbox at `<dir>/directory-outbox.json`; an unreadable file is kept aside, not lost. */
  static async open(fs: StorageFs, dir: string): Promise<{ outbox: DirectoryOutbox; problem?: string }> {
    await fs.mkdir(dir, PRIVATE_DIR_MODE);
    const outbox = new DirectoryOutbox(fs, join(dir, 'directory-outbox.json'));
    let text: string | undefined;
    try {
      text = new TextDecoder().decode(await fs.readFile(outbox.path));
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error;
    }
    if (text === undefined) return { outbox };
    try {
      outbox.entries = fileSchema.parse(JSON.parse(text)).entries;
      return { outbox };
    } catch (error) {
      const aside = `${outbox.path}.unreadable-${Date.now()}`;
      await fs.rename(outbox.path, aside);
      return { outbox, problem: `The directory outbox was unreadable and was kept as ${aside}: ${String(error)}` };
    }
  }

  /** The queued writes, oldest first. */
  list(): readonly OutboxEntry[] {
    return this.entries;
  }

  get size(): number {
    return this.entries.length;
  }

  /** Appends an entry; resolves once it is on disk. */
  add(entry: OutboxEntry): Promise<void> {
    return this.persist((entries) => [...entries, entry]);
  }

  /** Removes the entry with `key`; resolves once that is on disk. */
  remove(key: string): Promise<void> {
    return this.persist((entries) => entries.filter((entry) => entry.key !== key));
  }

  /** Changes run one at a time; the list changes only once the file is written. */
  private persist(change: (entries: OutboxEntry[]) => OutboxEntry[]): Promise<void> {
    const run = this.queue.then(async () => {
      const next = change(this.entries);
      await atomicWriteFile(
        this.fs,
        this.path,
        JSON.stringify({ format: 'calmline/directory-outbox', version: 1, entries: next }),
      );
      this.entries = next;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}
