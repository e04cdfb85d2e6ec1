/**
 * Saves what the agent types in the notes pad without the agent ever pressing Save
 * (P7, H1 in docs/practice.md): at most a second after the last keystroke, at least
 * once a second while typing goes on, and at once on `flush()` (window close, app
 * quit). A note is reported `saved` only when `CallHistory.saveNote` has resolved,
 * i.e. the text is on disk, and only if nothing was typed since.
 *
 * When a save fails (disk full, read-only disk) the text stays here in memory, the
 * status says why, and the save is retried with backoff (1 s, 2 s, 4 s … 30 s) until
 * it succeeds or the agent types again (which tries again after the usual pause).
 *
 * Per note:
 *
 *            edit            timer or flush(): saveNote(…)
 *   saved ─────────► unsaved ─────────────────────────────► saving
 *     ▲                 ▲                                     │
 *     │                 └───── resolved, edited meanwhile ────┤
 *     └──────────────────────── resolved, nothing since ──────┤
 *                                                             │ rejected
 *   error ◄───────────────────────────────────────────────────┘
 *     └─ retry timer (1 s, 2 s, 4 s … 30 s) or an edit → saving again; the text stays in memory
 */
import type { Clock, TimerHandle } from '../../clock';
import type { CoreLogger } from '../../logger';
import type { CallHistory } from './call-history';
import { StorageError, type StorageErrorCode } from '../files/storage-error';

/** Where a note stands. */
export type NoteSaveState = 'unsaved' | 'saving' | 'saved' | 'error';

/** The status the notes pad shows for one call's note. */
export interface NoteSaveStatus {
  callId: string;
  state: NoteSaveState;
  /** When the last successful save completed (epoch ms). */
  savedAt?: number;
  /** Why the last save failed (state `error`). */
  error?: { code: StorageErrorCode; message: string };
  /** When the next automatic attempt runs (state `error`; absent when retrying cannot help). */
  retryAt?: number;
}

/** The outcome of `flush()`. */
export interface FlushResult {
  saved: string[];
  failed: { callId: string; error: { code: StorageErrorCode; message: string } }[];
}

/** What a NotesAutosaver needs. */
export interface NotesAutosaverOptions {
  history: Pick<CallHistory, 'saveNote'>;
  clock: Clock;
  logger: CoreLogger;
  /** The agent's name, written as the note's author. */
  author: () => string;
  /** Pause after the last keystroke before saving (default 500 ms, at most 1000). */
  quietMs?: number;
  /** Longest time an edit stays unsaved while typing goes on (default 1000 ms, at most 1000). */
  maxDelayMs?: number;
  /** Backoff of automatic retries after a failed save. */
  retry?: { firstMs: number; maxMs: number };
}

interface NoteEntry {
  readonly callId: string;
  text: string;
  /** Bumped on every edit; `savedVersion` is the one on disk. */
  version: number;
  savedVersion: number;
  /** When the oldest edit not yet in a save was made. */
  dirtySince: number | undefined;
  timer: TimerHandle | undefined;
  inFlight: Promise<boolean> | undefined;
  failures: number;
  status: NoteSaveStatus;
}

const RETRY_USELESS: ReadonlySet<StorageErrorCode> = new Set(['not-found', 'invalid-input']);

/** Debounced, durable, retrying autosave of call notes. */
export class NotesAutosaver {
  private readonly notes = new Map<string, NoteEntry>();
  private readonly listeners = new Set<(status: NoteSaveStatus) => void>();
  private readonly quietMs: number;
  private readonly maxDelayMs: number;
  private readonly retry: { firstMs: number; maxMs: number };
  private disposed = false;

  constructor(private readonly options: NotesAutosaverOptions) {
    this.quietMs = Math.min(options.quietMs ?? 500, 1000);
    this.maxDelayMs = Math.min(options.maxDelayMs ?? 1000, 1000);
    this.retry = options.retry ?? { firstMs: 1000, maxMs: 30_000 };
  }

  /** The agent typed: keep `text` as the call's note and schedule a save. */
  edit(callId: string, text: string): NoteSaveStatus {
    let note = this.notes.get(callId);
    if (!note) {
      note = {
        callId,
        text,
        version: 0,
        savedVersion: 0,
        dirtySince: undefined,
        timer: undefined,
        inFlight: undefined,
        failures: 0,
        status: { callId, state: 'saved' },
      };
      this.notes.set(callId, note);
    } else if (note.text === text) {
      return { ...note.status };
    }
    note.text = text;
    note.version += 1;
    note.dirtySince ??= this.options.clock.now();
    // After a failure the error stays on show until a save succeeds.
    if (!note.inFlight && note.status.state !== 'error') {
      this.setStatus(note, { callId, state: 'unsaved', ...this.savedAtOf(note) });
    }
    this.schedule(note);
    return { ...note.status };
  }

  /** The current text of a note, saved or not. */
  text(callId: string): string | undefined {
    return this.notes.get(callId)?.text;
  }

  status(callId: string): NoteSaveStatus | undefined {
    const status = this.notes.get(callId)?.status;
    return status && { ...status };
  }

  /** Every note not yet on disk (unsaved, saving or failed). */
  unsaved(): NoteSaveStatus[] {
    return [...this.notes.values()]
      .filter((note) => note.version !== note.savedVersion)
      .map((note) => ({ ...note.status }));
  }

  /** Called on every status change; returns the unsubscribe function. */
  onStatus(listener: (status: NoteSaveStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Saves every unsaved note now (window close, app quit); resolves when each has succeeded or failed. */
  async flush(): Promise<FlushResult> {
    const dirty = [...this.notes.values()].filter((note) => note.version !== note.savedVersion);
    const outcomes = await Promise.all(dirty.map(async (note) => ({ note, ok: await this.saveNow(note) })));
    const result: FlushResult = { saved: [], failed: [] };
    for (const { note, ok } of outcomes) {
      if (ok) result.saved.push(note.callId);
      else {
        const error = note.status.error ?? { code: 'io-error' as const, message: 'Not saved.' };
        result.failed.push({ callId: note.callId, error });
      }
    }
    return result;
  }

  /** Drops a saved note from memory (its call is over); false, and kept, while it is not on disk. */
  release(callId: string): boolean {
    const note = this.notes.get(callId);
    if (!note) return true;
    if (note.version !== note.savedVersion || note.inFlight) return false;
    this.cancelTimer(note);
    this.notes.delete(callId);
    return true;
  }

  /** Stops all timers; call `flush()` first. */
  dispose(): void {
    this.disposed = true;
    for (const note of this.notes.values()) this.cancelTimer(note);
  }

  private schedule(note: NoteEntry): void {
    if (this.disposed) return;
    const now = this.options.clock.now();
    const due = Math.min(now + this.quietMs, (note.dirtySince ?? now) + this.maxDelayMs);
    this.setTimer(note, Math.max(0, due - now));
  }

  private setTimer(note: NoteEntry, ms: number): void {
    this.cancelTimer(note);
    note.timer = this.options.clock.setTimeout(() => {
      note.timer = undefined;
      // A save in flight reschedules itself when it completes.
      if (!note.inFlight && note.version !== note.savedVersion) void this.startSave(note);
    }, ms);
  }

  private cancelTimer(note: NoteEntry): void {
    if (note.timer !== undefined) this.options.clock.clearTimeout(note.timer);
    note.timer = undefined;
  }

  private async saveNow(note: NoteEntry): Promise<boolean> {
    for (;;) {
      if (note.inFlight) {
        await note.inFlight;
        continue;
      }
      if (note.version === note.savedVersion) return true;
      return this.startSave(note);
    }
  }

  private startSave(note: NoteEntry): Promise<boolean> {
    this.cancelTimer(note);
    const version = note.version;
    const text = note.text;
    note.dirtySince = undefined;
    const lastError = note.status.error;
    this.setStatus(note, {
      callId: note.callId,
      state: 'saving',
      ...this.savedAtOf(note),
      ...(lastError ? { error: lastError } : {}),
    });
    const attempt = this.options.history.saveNote(note.callId, text, this.options.author()).then(
      (receipt) => {
        note.savedVersion = Math.max(note.savedVersion, version);
        note.failures = 0;
        note.inFlight = undefined;
        if (note.version === note.savedVersion) {
          this.setStatus(note, { callId: note.callId, state: 'saved', savedAt: receipt.savedAt });
        } else {
          note.dirtySince ??= this.options.clock.now();
          this.setStatus(note, { callId: note.callId, state: 'unsaved', savedAt: receipt.savedAt });
          this.schedule(note);
        }
        return true;
      },
      (error: unknown) => {
        note.inFlight = undefined;
        note.failures += 1;
        const failure =
          error instanceof StorageError
            ? { code: error.code, message: error.message }
            : { code: 'io-error' as const, message: 'The note could not be saved.' };
        const status: NoteSaveStatus = { callId: note.callId, state: 'error', error: failure, ...this.savedAtOf(note) };
        note.dirtySince ??= this.options.clock.now();
        if (!RETRY_USELESS.has(failure.code) && !this.disposed) {
          const delay = Math.min(this.retry.firstMs * 2 ** (note.failures - 1), this.retry.maxMs);
          status.retryAt = this.options.clock.now() + delay;
          this.setTimer(note, delay);
        }
        this.options.logger.warn(`Note for call ${note.callId} not saved (${failure.code}); kept in memory.`);
        this.setStatus(note, status);
        return false;
      },
    );
    note.inFlight = attempt;
    return attempt;
  }

  private savedAtOf(note: NoteEntry): { savedAt?: number } {
    return note.status.savedAt === undefined ? {} : { savedAt: note.status.savedAt };
  }

  private setStatus(note: NoteEntry, status: NoteSaveStatus): void {
    note.status = status;
    for (const listener of this.listeners) listener({ ...status });
  }
}
