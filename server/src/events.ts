/**
 * Live updates: every committed change sends a PostgreSQL NOTIFY (in the same transaction,
 * so only committed changes are announced), each service instance LISTENs on one
 * connection of its own and forwards the events to its server-sent-event clients. So
 * agents connected to different instances behind a load balancer all hear every change.
 *
 * When the LISTEN connection is lost (PostgreSQL restarted, failed over) it reconnects
 * with backoff and replays what it missed from the audit trail, by audit id.
 */
import pg from 'pg';
import type { CallerChangedEvent } from '../../src/shared/directory-api';

/** The NOTIFY channel. */
export const NOTIFY_CHANNEL = 'calmline_directory';

/** Audit rows that announce a caller change (the SSE events). */
export const CALLER_EVENT_SQL = `SELECT id, number, action, agent, ms(at) AS at FROM audit
  WHERE id > $1 AND number IS NOT NULL ORDER BY id LIMIT $2`;

/** Rows of CALLER_EVENT_SQL as events. */
export function toEvent(row: {
  id: string;
  number: string;
  action: string;
  agent: string;
  at: string;
}): CallerChangedEvent {
  return { id: Number(row.id), number: row.number, action: row.action, agent: row.agent, at: Number(row.at) };
}

type Listener = (event: CallerChangedEvent) => void;

export class EventHub {
  private client: pg.Client | undefined;
  private readonly listeners = new Set<Listener>();
  private lastId = 0;
  private readonly seen = new Set<number>();
  private closed = false;
  private retryMs = 100;
  private timer: NodeJS.Timeout | undefined;
  private connected = false;

  constructor(
    private readonly connectionString: string,
    private readonly pool: pg.Pool,
    private readonly log: (message: string) => void,
  ) {}

  /** Connects and starts listening; resolves once the first LISTEN is in place. */
  async start(): Promise<void> {
    const { rows } = await this.pool.query<{ id: string | null }>('SELECT max(id) AS id FROM audit');
    this.lastId = Number(rows[0]?.id ?? 0);
    await this.connect();
  }

  /** True while the LISTEN connection is up. */
  get listening(): boolean {
    return this.connected;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** How many SSE clients are subscribed. */
  get size(): number {
    return this.listeners.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.listeners.clear();
    await this.client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    client.on('notification', (message) => {
      if (message.channel !== NOTIFY_CHANNEL || !message.payload) return;
      try {
        this.emit(JSON.parse(message.payload) as CallerChangedEvent);
      } catch {
        this.log(`ignored a malformed notification: ${message.payload.slice(0, 200)}`);
      }
    });
    this.client = client;
    await client.connect();
    await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
    this.connected = true;
    this.retryMs = 100;
    // Whatever was committed while we were not listening.
    await this.replay();
  }

  private async replay(): Promise<void> {
    for (;;) {
      const { rows } = await this.pool.query<{ id: string; number: string; action: string; agent: string; at: string }>(
        CALLER_EVENT_SQL,
        [this.lastId, 1000],
      );
      for (const row of rows) this.emit(toEvent(row));
      if (rows.length < 1000) return;
    }
  }

  private emit(event: CallerChangedEvent): void {
    // Audit ids are handed out before commit, so notifications may arrive slightly out of
    // order: de-duplicate by id (a replay may repeat one) rather than drop smaller ids.
    if (this.seen.has(event.id)) return;
    this.seen.add(event.id);
    if (this.seen.size > 10_000) this.seen.delete(this.seen.values().next().value as number);
    this.lastId = Math.max(this.lastId, event.id);
    for (const listener of this.listeners) listener(event);
  }

  private lost(client: pg.Client, error: Error): void {
    if (client !== this.client || this.closed) return;
    this.client = undefined;
    this.connected = false;
    this.log(`LISTEN connection lost (${error.message}); reconnecting`);
    client.end().catch(() => undefined);
    this.schedule();
  }

  private schedule(): void {
    if (this.closed) return;
    const delay = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, 5_000);
    this.timer = setTimeout(() => {
      this.connect().catch((error: Error) => {
        const stale = this.client;
        this.client = undefined;
        stale?.end().catch(() => undefined);
        this.log(`LISTEN reconnect failed (${error.message})`);
        this.schedule();
      });
    }, delay);
  }
}
