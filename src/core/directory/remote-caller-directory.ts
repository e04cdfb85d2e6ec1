/**
 * The caller directory shared by the whole call centre (server/, README "Caller
 * directory service"), behind the same CallerDirectory interface as the local one, so
 * the next agent who takes a flagged caller's call is prepared (rule D3 of
 * docs/practice.md) whichever desk the call reaches.
 *
 * - Look-ups on ring run with a short timeout; a slow or dead service falls back to the
 *   last record seen from it (or the local directory), so the caller card is never late.
 * - Writes go to a durable outbox first (directory-outbox.ts) and are delivered in
 *   order, each with its own idempotency key, retried with backoff until the service
 *   takes them: exactly once. While queued they are shown as if made.
 * - Changes by other agents arrive over the service's server-sent events; listeners
 *   (the open caller card) hear the number that changed.
 * - Numbers that are not E.164 (a SIP user name) stay in the local directory.
 */
import { randomUUID } from 'node:crypto';
import { MAX_REASON_LENGTH, type CallerRecord } from '../../shared/caller-record';
import {
  callerChangedEventSchema,
  callerViewSchema,
  flagAnswerSchema,
  followUpAnswerSchema,
  incidentAnswerSchema,
  isE164,
  type CallerView,
  type RecordCallBody,
} from '../../shared/directory-api';
import type { Clock, TimerHandle } from '../clock';
import type { CoreLogger } from '../logger';
import type {
  CallerDirectory,
  CallerFlag,
  FollowUp,
  FollowUpListItem,
  FollowUpQuery,
  NewFlag,
  NewFollowUp,
  NewIncident,
  ThreatIncident,
} from '../storage/callers/caller-directory';
import { callerKey } from '../storage/callers/caller-key';
import { StorageError } from '../storage/files/storage-error';
import { nodeStorageFs, type StorageFs } from '../storage/files/storage-fs';
import { DirectoryOutbox, type OutboxEntry } from './directory-outbox';

/** How the shared directory is doing, for the caller card. */
export interface DirectoryStatus {
  /** online: answering; unreachable: not answering (changes are queued); unauthorized: the token was refused. */
  state: 'online' | 'unreachable' | 'unauthorized';
  /** Changes waiting in the outbox. */
  queued: number;
}

/** What the remote directory needs. */
export interface RemoteCallerDirectoryOptions {
  /** The service's base URL, e.g. https://directory.example.com:8443 */
  url: string;
  /** The agent's bearer token (a secret, like the SIP password). */
  token: () => string | undefined;
  /** Where non-E.164 callers live, and the last resort of a look-up that gets no answer. */
  local: CallerDirectory;
  /** The folder of the outbox file. */
  dir: string;
  clock: Clock;
  logger: CoreLogger;
  fs?: StorageFs;
  fetch?: typeof fetch;
  /** How long a look-up waits for the service before it answers from the cache (default 300 ms). */
  lookupTimeoutMs?: number;
  /** How long a write waits to be confirmed (else it stays queued and is shown as made; default 1500 ms). */
  confirmTimeoutMs?: number;
  /** Per-request timeout of a queued write's delivery (default 5000 ms). */
  requestTimeoutMs?: number;
  /** Retry delays of deliveries and the event stream (default 250 ms doubling to 10 s). */
  backoffMs?: readonly number[];
  /**
   * Whether the centre shares wrap-up note text (the service's
   * CALMLINE_DIRECTORY_SHARE_NOTE_TEXT). Default false: a finished call is sent with its
   * outcome and commitment only, and the note never leaves the desk.
   */
  shareNoteText?: boolean;
}

/** A finished call's wrap-up, as the next agent should see it (README "Caller directory service"). */
export interface FinishedCall {
  callId: string;
  outcome: RecordCallBody['outcome'];
  commitment?: string;
  note?: string;
  endedAt: number;
}

const DEFAULT_BACKOFF = [250, 500, 1_000, 2_000, 5_000, 10_000] as const;

/** A delivery that must be tried again (the service was not reachable or not ready). */
class RetryLater extends Error {
  constructor(
    message: string,
    readonly unauthorized = false,
  ) {
    super(message);
  }
}

/** Replays the queued writes of `number` on its last known record, so they show while queued. */
export function applyPending(
  number: string,
  record: CallerRecord | undefined,
  pending: readonly OutboxEntry[],
): CallerRecord | undefined {
  const mine = pending.filter((entry) => entry.number === number);
  if (mine.length === 0) return record;
  const next: CallerRecord = structuredClone(
    record ?? { number, flags: [], followUps: [], incidents: [] },
  ) as CallerRecord;
  for (const entry of mine) {
    const result = entry.result as Record<string, unknown>;
    switch (entry.op) {
      case 'add-flag':
        if (!next.flags.some((flag) => flag.id === (result as CallerFlag).id)) next.flags.push(result as CallerFlag);
        break;
      case 'clear-flag': {
        const cleared = result as CallerFlag;
        next.flags = next.flags.map((flag) =>
          flag.id === cleared.id && flag.clearedAt === undefined ? cleared : flag,
        );
        break;
      }
      case 'set-address': {
        const address = result as { preferredAddress?: CallerRecord['preferredAddress'] };
        if (address.preferredAddress) next.preferredAddress = address.preferredAddress;
        else delete next.preferredAddress;
        break;
      }
      case 'add-follow-up':
        if (!next.followUps.some((f) => f.id === (result as FollowUp).id)) next.followUps.push(result as FollowUp);
        break;
      case 'complete-follow-up': {
        const done = result as FollowUp;
        next.followUps = next.followUps.map((f) => (f.id === done.id ? done : f));
        break;
      }
      case 'record-incident': {
        const { incident, flag } = result as { incident: ThreatIncident; flag: CallerFlag };
        if (!next.flags.some((f) => f.id === flag.id)) next.flags.push(flag);
        if (!next.incidents.some((i) => i.id === incident.id)) next.incidents.push(incident);
        break;
      }
      case 'record-call':
        // The last calls are not part of the record the card shows.
        break;
    }
  }
  return next;
}

function toRecord(view: CallerView): CallerRecord {
  const { calls: _calls, ...record } = view;
  return record;
}

/** The shared caller directory, with its local cache and outbox. */
export class RemoteCallerDirectory implements CallerDirectory {
  private readonly fetch: typeof fetch;
  private readonly base: string;
  /** The last record the service answered for each number (with delivered writes applied). */
  private readonly cache = new Map<string, CallerRecord | undefined>();
  private readonly changeListeners = new Set<(number: string) => void>();
  private readonly statusListeners = new Set<(status: DirectoryStatus) => void>();
  private state: DirectoryStatus['state'] = 'unreachable';
  private pumping: Promise<void> | undefined;
  private retryTimer: TimerHandle | undefined;
  private retryIndex = 0;
  private readonly delivered = new Map<
    string,
    Set<(outcome: { ok: true; answer: unknown } | { ok: false; error: Error }) => void>
  >();
  private stream: AbortController | undefined;
  private streamTimer: TimerHandle | undefined;
  private streamRetryIndex = 0;
  private lastEventId: number | undefined;
  private closed = false;

  private constructor(
    private readonly options: RemoteCallerDirectoryOptions,
    private readonly outbox: DirectoryOutbox,
  ) {
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.base = options.url.replace(/\/+$/, '');
  }

  /** Opens the outbox, starts delivering what it holds and listening for changes. */
  static async open(options: RemoteCallerDirectoryOptions): Promise<RemoteCallerDirectory> {
    const { outbox, problem } = await DirectoryOutbox.open(options.fs ?? nodeStorageFs, options.dir);
    if (problem) options.logger.error(problem);
    const directory = new RemoteCallerDirectory(options, outbox);
    directory.kick();
    directory.connectStream();
    return directory;
  }

  /** Status now. */
  status(): DirectoryStatus {
    return { state: this.state, queued: this.outbox.size };
  }

  onStatus(listener: (status: DirectoryStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Called with a number whenever the service reports a change to it (by any agent). */
  onChange(listener: (number: string) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Stops delivering and listening (queued writes stay on disk for the next start). */
  async close(): Promise<void> {
    this.closed = true;
    this.stream?.abort();
    if (this.retryTimer) this.options.clock.clearTimeout(this.retryTimer);
    if (this.streamTimer) this.options.clock.clearTimeout(this.streamTimer);
    await this.pumping?.catch(() => undefined);
  }

  // -------------------------------------------------------------------------------------------
  // CallerDirectory

  async lookup(raw: string): Promise<CallerRecord | undefined> {
    const number = this.remoteKey(raw);
    if (!number) return this.options.local.lookup(raw);
    try {
      const response = await this.request('GET', `/v1/callers/${encodeURIComponent(number)}`, undefined, {
        timeoutMs: this.options.lookupTimeoutMs ?? 300,
      });
      let record: CallerRecord | undefined;
      if (response.status === 200) {
        record = toRecord(callerViewSchema.parse(((await response.json()) as { caller: unknown }).caller));
      } else if (response.status === 404) {
        await response.body?.cancel();
        record = undefined;
      } else {
        await response.body?.cancel();
        throw new RetryLater(`look-up answered ${response.status}`, response.status === 401);
      }
      this.cache.set(number, record);
      this.setState('online');
      return applyPending(number, record, this.outbox.list());
    } catch (error) {
      this.noteFailure(error);
      const cached = this.cache.has(number) ? this.cache.get(number) : await this.options.local.lookup(number);
      return applyPending(number, cached, this.outbox.list());
    }
  }

  async addFlag(raw: string, flag: NewFlag): Promise<CallerFlag> {
    const number = this.remoteKey(raw);
    if (!number) return this.options.local.addFlag(raw, flag);
    const reason = flag.reason.trim();
    const result: CallerFlag = {
      id: randomUUID(),
      kind: flag.kind,
      reason,
      author: flag.author.slice(0, 128),
      createdAt: this.options.clock.now(),
      ...(flag.callId ? { callId: flag.callId } : {}),
    };
    const answer = await this.enqueue(
      number,
      'add-flag',
      'POST',
      `/flags`,
      {
        id: result.id,
        kind: flag.kind,
        reason,
        ...(flag.callId ? { callId: flag.callId } : {}),
      },
      result,
    );
    return answer ? flagAnswerSchema.parse(answer).flag : result;
  }

  async clearFlag(raw: string, flagId: string, clearedBy: string): Promise<CallerFlag> {
    const number = this.remoteKey(raw);
    if (!number) return this.options.local.clearFlag(raw, flagId, clearedBy);
    const current = await this.known(number);
    const flag = current?.flags.find((candidate) => candidate.id === flagId);
    if (!flag) throw new StorageError('not-found', 'No such flag.');
    const result: CallerFlag = { ...flag, clearedAt: this.options.clock.now(), clearedBy: clearedBy.slice(0, 128) };
    const answer = await this.enqueue(number, 'clear-flag', 'POST', `/flags/${flagId}/clear`, {}, result);
    return answer ? flagAnswerSchema.parse(answer).flag : result;
  }

  async setPreferredAddress(raw: string, text: string | undefined, author: string): Promise<CallerRecord | undefined> {
    const number = this.remoteKey(raw);
    if (!number) return this.options.local.setPreferredAddress(raw, text, author);
    const trimmed = text?.trim() ?? '';
    const result = {
      preferredAddress:
        trimmed === ''
          ? undefined
          : { text: trimmed, author: author.slice(0, 128), updatedAt: this.options.clock.now() },
    };
    await this.enqueue(
      number,
      'set-address',
      'PUT',
      '/preferred-address',
      { text: trimmed === '' ? null : trimmed },
      result,
    );
    return this.known(number);
  }

  async addFollowUp(raw: string, followUp: NewFollowUp): Promise<FollowUp> {
    const number = this.remoteKey(raw);
    if (!number) return this.options.local.addFollowUp(raw, followUp);
    const result: FollowUp = {
      id: randomUUID(),
      callId: followUp.callId,
      kind: followUp.kind,
      due: followUp.due,
      text: followUp.text.trim(),
      done: false,
      author: followUp.author.slice(0, 128),
      createdAt: this.options.clock.now(),
    };
    const answer = await this.enqueue(
      number,
      'add-follow-up',
      'POST',
      '/follow-ups',
      {
        id: result.id,
        callId: result.callId,
        kind: result.kind,
        due: result.due,
        text: result.text,
      },
      result,
    );
    return answer ? followUpAnswerSchema.parse(answer).followUp : result;
  }

  async completeFollowUp(raw: string, followUpId: string): Promise<FollowUp> {
    const number = this.remoteKey(raw);
    if (!number) return this.options.local.completeFollowUp(raw, followUpId);
    const current = await this.known(number);
    const followUp = current?.followUps.find((candidate) => candidate.id === followUpId);
    if (!followUp) throw new StorageError('not-found', 'No such follow-up.');
    const result: FollowUp = { ...followUp, done: true, doneAt: this.options.clock.now() };
    const answer = await this.enqueue(
      number,
      'complete-follow-up',
      'POST',
      `/follow-ups/${followUpId}/complete`,
      {},
      result,
    );
    return answer ? followUpAnswerSchema.parse(answer).followUp : result;
  }

  async listFollowUps(query?: FollowUpQuery): Promise<FollowUpListItem[]> {
    // The agent's own list of promises; the centre-wide one is the service's /v1/follow-ups.
    return this.options.local.listFollowUps(query);
  }

  async recordIncident(raw: string, incident: NewIncident): Promise<{ incident: ThreatIncident; flag: CallerFlag }> {
    const number = this.remoteKey(raw);
    if (!number) return this.options.local.recordIncident(raw, incident);
    const now = this.options.clock.now();
    const whatWasSaid = incident.whatWasSaid.trim();
    const current = await this.known(number);
    const flag: CallerFlag = current?.flags.find((f) => f.kind === incident.kind && f.clearedAt === undefined) ?? {
      id: randomUUID(),
      kind: incident.kind,
      reason: whatWasSaid.length > 200 ? `${whatWasSaid.slice(0, 199)}…` : whatWasSaid,
      author: incident.recordedBy.slice(0, 128),
      createdAt: now,
      callId: incident.callId,
    };
    const created: ThreatIncident = {
      id: randomUUID(),
      callId: incident.callId,
      kind: incident.kind,
      whatWasSaid,
      occurredAt: incident.occurredAt,
      saidBy: incident.saidBy?.trim() || 'the caller',
      recordedBy: incident.recordedBy.slice(0, 128),
      recordedAt: now,
      flagId: flag.id,
    };
    const answer = await this.enqueue(
      number,
      'record-incident',
      'POST',
      '/incidents',
      {
        id: created.id,
        flagId: flag.id,
        callId: created.callId,
        kind: created.kind,
        whatWasSaid,
        occurredAt: created.occurredAt,
        saidBy: created.saidBy,
      },
      { incident: created, flag },
    );
    return answer ? incidentAnswerSchema.parse(answer) : { incident: created, flag };
  }

  /**
   * Queues a finished call's outcome and commitment (`POST /v1/callers/{e164}/calls`),
   * so the next agent's look-up lists it among the last calls. The note text goes only
   * where the centre shares it (`shareNoteText`). Callers that are not E.164 are skipped.
   */
  async recordCall(raw: string, call: FinishedCall): Promise<void> {
    const number = this.remoteKey(raw);
    if (!number) return;
    const clip = (value: string | undefined) => value?.trim().slice(0, MAX_REASON_LENGTH) || undefined;
    const commitment = clip(call.commitment);
    const note = this.options.shareNoteText ? clip(call.note) : undefined;
    const body: RecordCallBody = {
      callId: call.callId.slice(0, 128),
      outcome: call.outcome,
      ...(commitment ? { commitment } : {}),
      ...(note ? { note } : {}),
      endedAt: call.endedAt,
    };
    await this.enqueue(number, 'record-call', 'POST', '/calls', body, {});
  }

  // -------------------------------------------------------------------------------------------
  // Outbox and delivery

  /** The E.164 number the service files `raw` under, or undefined for a local-only caller. */
  private remoteKey(raw: string): string | undefined {
    const key = callerKey(raw);
    return key !== undefined && isE164(key) ? key : undefined;
  }

  /** The record as the agent should see it now: the cache (or the local one) with queued writes applied. */
  private known(number: string): Promise<CallerRecord | undefined> {
    return this.lookup(number);
  }

  /**
   * Puts a write in the outbox (on disk before anything else), starts delivery, and waits
   * a moment for the service's answer: the answer when it comes in time, undefined when
   * the write stays queued. A refusal by the service (403, a bad request) rejects.
   */
  private async enqueue(
    number: string,
    op: OutboxEntry['op'],
    method: OutboxEntry['method'],
    subPath: string,
    body: Record<string, unknown>,
    result: unknown,
  ): Promise<unknown> {
    const entry: OutboxEntry = {
      key: `calmline-${randomUUID()}`,
      op,
      number,
      method,
      path: `/v1/callers/${encodeURIComponent(number)}${subPath}`,
      body,
      result,
      createdAt: this.options.clock.now(),
    };
    await this.outbox.add(entry);
    this.emitStatus();
    const outcome = new Promise<{ ok: true; answer: unknown } | { ok: false; error: Error } | undefined>((resolve) => {
      const waiters = this.delivered.get(entry.key) ?? new Set();
      waiters.add(resolve);
      this.delivered.set(entry.key, waiters);
      if (this.state !== 'online') resolve(undefined);
      const timer = this.options.clock.setTimeout(() => resolve(undefined), this.options.confirmTimeoutMs ?? 1_500);
      waiters.add(() => this.options.clock.clearTimeout(timer));
    });
    this.kick();
    const settled = await outcome;
    if (settled && !settled.ok) throw settled.error;
    return settled?.answer;
  }

  /** Starts delivering the outbox unless a delivery run is under way or waiting to retry. */
  private kick(): void {
    if (this.closed || this.pumping || this.outbox.size === 0) return;
    if (this.retryTimer) {
      this.options.clock.clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    }
    this.pumping = this.pump().finally(() => {
      this.pumping = undefined;
    });
  }

  /** Delivers queued writes in order, one at a time, until the outbox is empty or the service fails. */
  private async pump(): Promise<void> {
    while (!this.closed) {
      const entry = this.outbox.list()[0];
      if (!entry) return;
      let outcome: { ok: true; answer: unknown } | { ok: false; error: Error };
      try {
        outcome = { ok: true, answer: await this.deliver(entry) };
      } catch (error) {
        if (error instanceof RetryLater || !(error instanceof StorageError)) {
          this.noteFailure(error);
          this.scheduleRetry();
          return;
        }
        // The service refused this write for good (forbidden, invalid): it leaves the queue.
        this.options.logger.warn(`The caller directory refused a queued change (${entry.op}): ${error.message}`);
        outcome = { ok: false, error };
      }
      await this.outbox.remove(entry.key);
      if (outcome.ok) this.applyDelivered(entry);
      this.retryIndex = 0;
      this.setState('online');
      this.emitStatus();
      for (const resolve of this.delivered.get(entry.key) ?? []) resolve(outcome);
      this.delivered.delete(entry.key);
      if (outcome.ok) for (const listener of [...this.changeListeners]) listener(entry.number);
    }
  }

  /** Sends one entry; resolves with the answer body, throws RetryLater or a StorageError refusal. */
  private async deliver(entry: OutboxEntry): Promise<unknown> {
    const response = await this.request(entry.method, entry.path, entry.body, {
      timeoutMs: this.options.requestTimeoutMs ?? 5_000,
      idempotencyKey: entry.key,
    });
    const text = await response.text();
    if (response.ok) return text === '' ? undefined : (JSON.parse(text) as unknown);
    const message = (() => {
      try {
        return (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text;
      } catch {
        return text;
      }
    })();
    if (response.status === 401) throw new RetryLater(`the directory refused the token: ${message}`, true);
    if (response.status === 429 || response.status >= 500) throw new RetryLater(`${response.status}: ${message}`);
    // Cleared or completed meanwhile by someone else: the change has happened.
    if (response.status === 409 && (entry.op === 'clear-flag' || entry.op === 'complete-follow-up')) return undefined;
    // 403 (e.g. another agent's flag, which only a supervisor clears) and 4xx refusals alike.
    throw new StorageError(response.status === 404 ? 'not-found' : 'invalid-input', `${response.status}: ${message}`);
  }

  /** A delivered write changes the cached record the same way, so a later fallback still shows it. */
  private applyDelivered(entry: OutboxEntry): void {
    if (!this.cache.has(entry.number)) return;
    this.cache.set(entry.number, applyPending(entry.number, this.cache.get(entry.number), [entry]));
  }

  private scheduleRetry(): void {
    if (this.closed || this.retryTimer) return;
    const backoff = this.options.backoffMs ?? DEFAULT_BACKOFF;
    const delay = backoff[Math.min(this.retryIndex, backoff.length - 1)] ?? 1_000;
    this.retryIndex += 1;
    this.retryTimer = this.options.clock.setTimeout(() => {
      this.retryTimer = undefined;
      this.kick();
    }, delay);
  }

  private noteFailure(error: unknown): void {
    const unauthorized = error instanceof RetryLater && error.unauthorized;
    if (!unauthorized && this.state !== 'unreachable') {
      this.options.logger.warn(`The caller directory is unreachable: ${String(error)}`);
    }
    this.setState(unauthorized ? 'unauthorized' : 'unreachable');
  }

  private setState(state: DirectoryStatus['state']): void {
    if (this.state === state) return;
    this.state = state;
    this.emitStatus();
  }

  private emitStatus(): void {
    const status = this.status();
    for (const listener of [...this.statusListeners]) listener(status);
  }

  private async request(
    method: string,
    path: string,
    body: unknown,
    options: { timeoutMs: number; idempotencyKey?: string },
  ): Promise<Response> {
    const token = this.options.token();
    if (!token) throw new RetryLater('no directory token is configured', true);
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
    try {
      return await this.fetch(`${this.base}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      throw new RetryLater(`${method} ${path}: ${String(error)}`);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Live updates

  private connectStream(): void {
    if (this.closed) return;
    const token = this.options.token();
    const controller = new AbortController();
    this.stream = controller;
    const headers: Record<string, string> = { authorization: `Bearer ${token ?? ''}`, accept: 'text/event-stream' };
    if (this.lastEventId !== undefined) headers['last-event-id'] = String(this.lastEventId);
    void this.fetch(`${this.base}/v1/events`, { headers, signal: controller.signal })
      .then(async (response) => {
        if (!response.ok || !response.body) {
          await response.body?.cancel();
          throw new RetryLater(`event stream answered ${response.status}`, response.status === 401);
        }
        await this.readStream(response.body);
        throw new RetryLater('event stream ended');
      })
      .catch((error: unknown) => {
        if (this.closed) return;
        this.noteFailure(error);
        const backoff = this.options.backoffMs ?? DEFAULT_BACKOFF;
        const delay = backoff[Math.min(this.streamRetryIndex, backoff.length - 1)] ?? 1_000;
        this.streamRetryIndex += 1;
        this.streamTimer = this.options.clock.setTimeout(() => this.connectStream(), delay);
      });
  }

  private async readStream(body: ReadableStream<Uint8Array>): Promise<void> {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const type = /^event: ?(.*)$/m.exec(block)?.[1];
        const data = /^data: ?(.*)$/m.exec(block)?.[1];
        if (type === 'ready') {
          // Connected: the service is back, so whatever waited in the outbox goes now.
          this.streamRetryIndex = 0;
          this.setState('online');
          this.retryIndex = 0;
          this.kick();
        } else if (type === 'caller-changed' && data) {
          const parsed = callerChangedEventSchema.safeParse(JSON.parse(data));
          if (!parsed.success) continue;
          this.lastEventId = parsed.data.id;
          for (const listener of [...this.changeListeners]) listener(parsed.data.number);
        }
      }
    }
  }
}
