/**
 * The caller directory service (server/) against a real PostgreSQL, migrated up from
 * empty: API round trips, validation errors with the bad path, auth (401 per case, 403
 * per role), audit rows for every change, supervisor-only actions, idempotent writes,
 * hostile requests (nothing stored), live updates over SSE, a write racing a clear,
 * and PostgreSQL restarted under load.
 */
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerExportSchema, callerViewSchema, type CallerChangedEvent } from '../../src/shared/directory-api';
import { startDirectory, type TestDirectory } from '../support/directory';
import { startPostgres, type Postgres } from '../support/postgres';

let postgres: Postgres;
let directory: TestDirectory;
let alice: string;
let bob: string;
let supervisor: string;
let admin: string;

beforeAll(async () => {
  postgres = await startPostgres({ databases: [] });
  directory = await startDirectory({ postgres });
  [alice, bob, supervisor, admin] = await Promise.all([
    directory.issue('alice'),
    directory.issue('bob'),
    directory.issue('sam', 'supervisor'),
    directory.issue('root', 'admin'),
  ]);
});
afterAll(async () => {
  await directory?.stop();
  await postgres?.stop();
});

interface Answer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- each test checks what it reads
  headers: Record<string, string | string[] | undefined>;
}

/** One HTTP request with a raw body (so bad UTF-8 and broken JSON can be sent as they are). */
function call(
  method: string,
  path: string,
  options: { token?: string; body?: unknown; raw?: Buffer; key?: string | null; headers?: Record<string, string> } = {},
  target: TestDirectory = directory,
): Promise<Answer> {
  const payload =
    options.raw ?? (options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body), 'utf8'));
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (payload) {
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = String(payload.length);
  }
  if (method !== 'GET' && options.key !== null) headers['idempotency-key'] = options.key ?? `test-${randomUUID()}`;
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${target.url}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // Not JSON: keep the text.
        }
        resolve({ status: res.statusCode ?? 0, body, headers: res.headers });
      });
    });
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

let numbers = 0;
/** A fresh E.164 number per test. */
function freshNumber(): string {
  numbers += 1;
  return `+4930${String(process.pid % 1000).padStart(3, '0')}${String(numbers).padStart(5, '0')}`;
}

async function count(sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await directory.db.query<{ n: string }>(sql, params);
  return Number(rows[0]?.n);
}

describe('migrations', () => {
  it('ran up from empty and refuse to touch the append-only audit trail', async () => {
    const { rows } = await directory.db.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY version');
    expect(rows.map((row) => row.name)).toEqual(['0001-initial.sql']);
    await expect(directory.db.query('DELETE FROM audit')).rejects.toThrow(/append-only/);
    await expect(directory.db.query("UPDATE audit SET agent = 'x'")).rejects.toThrow(/append-only/);
    await expect(directory.db.query('TRUNCATE audit')).rejects.toThrow(/append-only/);
  });
});

describe('round trips', () => {
  it('flags, preferred address, follow-ups, incidents and calls come back in the look-up, each with an audit row', async () => {
    const number = freshNumber();
    expect((await call('GET', `/v1/callers/${number}`, { token: alice })).status).toBe(404);

    const flag = await call('POST', `/v1/callers/${number}/flags`, {
      token: alice,
      body: { kind: 'abusive-language', reason: 'Shouted from the first minute', callId: 'call-1' },
    });
    expect(flag.status).toBe(201);
    expect(flag.body.flag).toMatchObject({ kind: 'abusive-language', author: 'alice', callId: 'call-1' });

    const address = await call('PUT', `/v1/callers/${number}/preferred-address`, {
      token: alice,
      body: { text: 'Frau Dr. Schmidt' },
    });
    expect(address.status).toBe(200);
    expect(address.body.caller.preferredAddress).toMatchObject({ text: 'Frau Dr. Schmidt', author: 'alice' });

    const due = Date.UTC(2027, 0, 15);
    const followUp = await call('POST', `/v1/callers/${number}/follow-ups`, {
      token: bob,
      body: { callId: 'call-1', kind: 'due-date', due, text: 'Refund confirmed by the 15th' },
    });
    expect(followUp.status).toBe(201);
    expect(followUp.body.followUp).toMatchObject({ due, done: false, author: 'bob' });

    const incident = await call('POST', `/v1/callers/${number}/incidents`, {
      token: bob,
      body: { callId: 'call-2', kind: 'legal-threat', whatWasSaid: 'I will sue you', occurredAt: due - 1000 },
    });
    expect(incident.status).toBe(201);
    expect(incident.body.incident).toMatchObject({ kind: 'legal-threat', saidBy: 'the caller', recordedBy: 'bob' });
    expect(incident.body.flag).toMatchObject({ kind: 'legal-threat', reason: 'I will sue you' });
    expect(incident.body.incident.flagId).toBe(incident.body.flag.id);

    const callRecorded = await call('POST', `/v1/callers/${number}/calls`, {
      token: bob,
      body: {
        callId: 'call-2',
        outcome: 'follow-up',
        commitment: 'Call back on Friday',
        note: 'Private notes',
        endedAt: due,
      },
    });
    expect(callRecorded.status).toBe(201);

    const lookup = await call('GET', `/v1/callers/${number}`, { token: bob });
    expect(lookup.status).toBe(200);
    const caller = callerViewSchema.parse(lookup.body.caller);
    expect(caller.flags.map((f) => f.kind)).toEqual(['abusive-language', 'legal-threat']);
    expect(caller.followUps).toHaveLength(1);
    expect(caller.incidents).toHaveLength(1);
    // Default policy: outcome and commitment only, the note text is not even stored.
    expect(caller.calls).toEqual([
      { callId: 'call-2', agent: 'bob', endedAt: due, outcome: 'follow-up', commitment: 'Call back on Friday' },
    ]);
    expect(await count('SELECT count(*) AS n FROM calls WHERE number = $1 AND note IS NOT NULL', [number])).toBe(0);

    const done = await call('POST', `/v1/callers/${number}/follow-ups/${caller.followUps[0]!.id}/complete`, {
      token: alice,
      body: {},
    });
    expect(done.status).toBe(200);
    expect(done.body.followUp.done).toBe(true);
    const after = await call('GET', `/v1/callers/${number}`, { token: bob });
    expect(after.body.caller.followUps).toEqual([]);

    const { rows } = await directory.db.query<{ agent: string; action: string }>(
      'SELECT agent, action FROM audit WHERE number = $1 ORDER BY id',
      [number],
    );
    expect(rows).toEqual([
      { agent: 'alice', action: 'flag.add' },
      { agent: 'alice', action: 'address.set' },
      { agent: 'bob', action: 'follow-up.add' },
      { agent: 'bob', action: 'incident.record' },
      { agent: 'bob', action: 'call.record' },
      { agent: 'alice', action: 'follow-up.complete' },
    ]);
  });

  it('clearing a flag keeps it and its history; an agent may clear only their own, a supervisor any', async () => {
    const number = freshNumber();
    const raised = await call('POST', `/v1/callers/${number}/flags`, {
      token: alice,
      body: { kind: 'insults', reason: 'Name-calling' },
    });
    const id = raised.body.flag.id as string;
    const byBob = await call('POST', `/v1/callers/${number}/flags/${id}/clear`, { token: bob, body: {} });
    expect(byBob.status).toBe(403);
    expect(byBob.body.error.code).toBe('forbidden');
    const bySupervisor = await call('POST', `/v1/callers/${number}/flags/${id}/clear`, { token: supervisor, body: {} });
    expect(bySupervisor.status).toBe(200);
    expect(bySupervisor.body.flag).toMatchObject({ id, clearedBy: 'sam' });
    const again = await call('POST', `/v1/callers/${number}/flags/${id}/clear`, { token: alice, body: {} });
    expect(again.status).toBe(409);
    const lookup = await call('GET', `/v1/callers/${number}`, { token: alice });
    expect(lookup.body.caller.flags).toEqual([
      expect.objectContaining({ id, reason: 'Name-calling', clearedBy: 'sam' }),
    ]);
    expect(
      await count("SELECT count(*) AS n FROM audit WHERE number = $1 AND action IN ('flag.add', 'flag.clear')", [
        number,
      ]),
    ).toBe(2);

    const own = await call('POST', `/v1/callers/${number}/flags`, { token: bob, body: { kind: 'other', reason: 'x' } });
    expect(
      (await call('POST', `/v1/callers/${number}/flags/${own.body.flag.id}/clear`, { token: bob, body: {} })).status,
    ).toBe(200);
  });

  it('note text is shared where the centre policy says so', async () => {
    const sharing = await startDirectory({ postgres, shareNoteText: true });
    try {
      const token = await sharing.issue('carol');
      const number = freshNumber();
      const path = `/v1/callers/${number}/calls`;
      const body = { callId: 'c', outcome: 'resolved', note: 'Prefers e-mail', endedAt: 1_000 };
      expect((await call('POST', path, { token, body }, sharing)).status).toBe(201);
      const lookup = await call('GET', `/v1/callers/${number}`, { token }, sharing);
      expect(lookup.body.caller.calls[0].note).toBe('Prefers e-mail');
    } finally {
      await sharing.stop();
    }
  });
});

describe('supervisor-only actions', () => {
  it('exports a caller record with its audit trail for supervisors and admins only, and audits the export', async () => {
    const number = freshNumber();
    await call('POST', `/v1/callers/${number}/incidents`, {
      token: alice,
      body: { callId: 'k', kind: 'physical-threat', whatWasSaid: 'I know where you live', occurredAt: 5_000 },
    });
    const byAgent = await call('GET', `/v1/callers/${number}/export`, { token: alice });
    expect(byAgent.status).toBe(403);
    expect(byAgent.body.error.message).toMatch(/supervisor/);
    const exported = await call('GET', `/v1/callers/${number}/export`, { token: supervisor });
    expect(exported.status).toBe(200);
    const record = callerExportSchema.parse(exported.body);
    expect(record.exportedBy).toBe('sam');
    expect(record.caller.incidents[0]?.whatWasSaid).toBe('I know where you live');
    expect(record.audit.map((row) => row.action)).toEqual(['incident.record']);
    expect((await call('GET', `/v1/callers/${number}/export`, { token: admin })).status).toBe(200);
    expect(
      await count("SELECT count(*) AS n FROM audit WHERE number = $1 AND action = 'caller.export'", [number]),
    ).toBe(2);
  });

  it('token administration needs the admin role', async () => {
    expect((await call('GET', '/v1/admin/tokens', { token: supervisor })).status).toBe(403);
    const listed = await call('GET', '/v1/admin/tokens', { token: admin });
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).not.toMatch(/cld_|hash/);
  });
});

describe('auth', () => {
  const number = '+4930555000';

  it('401 without a token, with a malformed or unknown one', async () => {
    for (const headers of [
      {} as Record<string, string>,
      { authorization: 'Bearer nonsense' },
      { authorization: 'Basic YWxpY2U6eA==' },
    ]) {
      const answer = await call('GET', `/v1/callers/${number}`, { headers });
      expect(answer.status).toBe(401);
      expect(answer.headers['www-authenticate']).toMatch(/^Bearer/);
    }
    const unknown = `cld_abcdefghijkl_${'A'.repeat(43)}`;
    const answer = await call('GET', `/v1/callers/${number}`, { token: unknown });
    expect(answer.status).toBe(401);
    expect(answer.body.error.code).toBe('token-unknown');
  });

  it('401 for an expired token and for a revoked one, on reads and writes alike', async () => {
    const expired = await directory.issue('old-timer');
    await directory.db.query("UPDATE tokens SET expires_at = now() - interval '1 second' WHERE agent = 'old-timer'");
    const read = await call('GET', `/v1/callers/${number}`, { token: expired });
    expect([read.status, read.body.error.code]).toEqual([401, 'token-expired']);

    const revoked = await directory.issue('leaver');
    const id = /^cld_([a-z0-9]{12})_/.exec(revoked)![1]!;
    expect((await call('GET', '/v1/me', { token: revoked })).body).toEqual({ agent: 'leaver', role: 'agent' });
    const revocation = await call('POST', `/v1/admin/tokens/${id}/revoke`, { token: admin, body: {} });
    expect(revocation.body).toEqual({ revoked: true });
    const write = await call('POST', `/v1/callers/${number}/flags`, {
      token: revoked,
      body: { kind: 'other', reason: 'should not land' },
    });
    expect([write.status, write.body.error.code]).toEqual([401, 'token-revoked']);
    expect(await count('SELECT count(*) AS n FROM flags WHERE number = $1', [number])).toBe(0);
  });

  it('the health check needs no token', async () => {
    expect((await call('GET', '/v1/health')).body).toEqual({ ok: true, listening: true });
  });

  it('rate-limits per agent (429), without affecting other agents', async () => {
    const limited = await startDirectory({ postgres, rateLimitPerMinute: 3 });
    try {
      const [greedy, calm] = await Promise.all([limited.issue('greedy'), limited.issue('calm')]);
      const statuses: number[] = [];
      for (let i = 0; i < 5; i += 1) statuses.push((await call('GET', '/v1/me', { token: greedy }, limited)).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      const refused = await call('GET', '/v1/me', { token: greedy }, limited);
      expect(refused.body.error.code).toBe('rate-limited');
      expect((await call('GET', '/v1/me', { token: calm }, limited)).status).toBe(200);
    } finally {
      await limited.stop();
    }
  });
});

describe('validation and hostile requests: clear errors, nothing stored', () => {
  async function storedNothing(): Promise<void> {
    expect(await count("SELECT count(*) AS n FROM audit WHERE agent = 'mallory'")).toBe(0);
  }
  let mallory: string;
  beforeAll(async () => {
    mallory = await directory.issue('mallory');
  });

  it('names the bad path of a refused body', async () => {
    const number = freshNumber();
    const answer = await call('POST', `/v1/callers/${number}/flags`, {
      token: mallory,
      body: { kind: 'rude', reason: 42, extra: true },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('invalid-request');
    const paths = (answer.body.error.issues as { path: string }[]).map((issue) => issue.path).sort();
    expect(paths).toEqual(['body', 'body.kind', 'body.reason']);
    expect(answer.body.error.message).toMatch(/body\.kind/);
    await storedNothing();
  });

  it('refuses numbers that are not E.164, SQL metacharacters included', async () => {
    for (const bad of ["'; DROP TABLE flags; --", '0301234567', '+0', '+49 30 123', '%2B49%27%3B']) {
      const answer = await call('POST', `/v1/callers/${encodeURIComponent(bad)}/flags`, {
        token: mallory,
        body: { kind: 'other', reason: 'x' },
      });
      expect(answer.status).toBe(400);
      expect(answer.body.error.issues[0].path).toBe('params.number');
    }
    await storedNothing();
  });

  it('stores SQL metacharacters in text verbatim, as text', async () => {
    const number = freshNumber();
    const reason = "Robert'); DROP TABLE flags; -- \\x00 $1 %s";
    const answer = await call('POST', `/v1/callers/${number}/flags`, { token: bob, body: { kind: 'other', reason } });
    expect(answer.status).toBe(201);
    expect((await call('GET', `/v1/callers/${number}`, { token: bob })).body.caller.flags[0].reason).toBe(reason);
    expect(await count('SELECT count(*) AS n FROM flags')).toBeGreaterThan(0);
  });

  it('refuses bad UTF-8, broken JSON, NUL and lone surrogates, the wrong content type', async () => {
    const number = freshNumber();
    const path = `/v1/callers/${number}/flags`;
    const badUtf8 = Buffer.concat([
      Buffer.from('{"kind":"other","reason":"'),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from('"}'),
    ]);
    const utf8 = await call('POST', path, { token: mallory, raw: badUtf8 });
    expect([utf8.status, utf8.body.error.code]).toEqual([400, 'invalid-utf8']);
    const broken = await call('POST', path, { token: mallory, raw: Buffer.from('{"kind": "other", ') });
    expect([broken.status, broken.body.error.code]).toEqual([400, 'invalid-json']);
    const nul = await call('POST', path, { token: mallory, raw: Buffer.from('{"kind":"other","reason":"a\\u0000b"}') });
    expect(nul.status).toBe(400);
    expect(nul.body.error.issues[0].path).toBe('body.reason');
    const surrogate = await call('POST', path, {
      token: mallory,
      raw: Buffer.from('{"kind":"other","reason":"\\ud800"}'),
    });
    expect(surrogate.status).toBe(400);
    expect(surrogate.body.error.issues[0].message).toMatch(/surrogate/);
    const text = await call('POST', path, {
      token: mallory,
      raw: Buffer.from('kind=other'),
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);
    await storedNothing();
  });

  it('refuses a huge body (413) and deeply nested JSON, and stays up', async () => {
    const number = freshNumber();
    const huge = { kind: 'other', reason: 'x'.repeat(2 * 1024 * 1024) };
    const answer = await call('POST', `/v1/callers/${number}/flags`, { token: mallory, body: huge });
    expect([answer.status, answer.body.error.code]).toEqual([413, 'body-too-large']);
    const nested = Buffer.from(`${'['.repeat(20_000)}${']'.repeat(20_000)}`);
    const deep = await call('POST', `/v1/callers/${number}/flags`, { token: mallory, raw: nested });
    expect(deep.status).toBe(400);
    expect((await call('GET', '/v1/health')).status).toBe(200);
    await storedNothing();
  });

  it('refuses a write without an idempotency key', async () => {
    const answer = await call('POST', `/v1/callers/${freshNumber()}/flags`, {
      token: mallory,
      body: { kind: 'other', reason: 'x' },
      key: null,
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.issues[0].path).toBe('headers.idempotency-key');
    await storedNothing();
  });
});

describe('idempotency', () => {
  it('a retried write takes effect once and answers the same; a reused key on another request is refused', async () => {
    const number = freshNumber();
    const key = `retry-${randomUUID()}`;
    const body = { kind: 'repeat-unresolved', reason: 'Third call this week' };
    const answers = await Promise.all(
      [1, 2, 3].map(() => call('POST', `/v1/callers/${number}/flags`, { token: alice, body, key })),
    );
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201]);
    expect(new Set(answers.map((a) => a.body.flag.id)).size).toBe(1);
    expect(answers.filter((a) => a.headers['idempotent-replay'] === 'true')).toHaveLength(2);
    expect(await count('SELECT count(*) AS n FROM flags WHERE number = $1', [number])).toBe(1);
    expect(await count("SELECT count(*) AS n FROM audit WHERE number = $1 AND action = 'flag.add'", [number])).toBe(1);
    const other = await call('POST', `/v1/callers/${number}/flags`, {
      token: alice,
      body: { ...body, reason: 'different' },
      key,
    });
    expect([other.status, other.body.error.code]).toEqual([422, 'idempotency-key-reused']);
    // Keys are per agent: bob's identical key is his own write.
    expect((await call('POST', `/v1/callers/${number}/flags`, { token: bob, body, key })).body.flag.author).toBe('bob');
  });
});

/** Reads server-sent events from /v1/events until `until` says enough. */
async function collectEvents(
  token: string,
  until: (events: CallerChangedEvent[]) => boolean,
  onReady: () => Promise<void>,
): Promise<CallerChangedEvent[]> {
  const controller = new AbortController();
  const response = await fetch(`${directory.url}/v1/events`, {
    headers: { authorization: `Bearer ${token}` },
    signal: controller.signal,
  });
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const events: CallerChangedEvent[] = [];
  let buffer = '';
  let ready = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error('event stream ended');
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const type = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (type === 'ready' && !ready) {
          ready = true;
          await onReady();
        } else if (type === 'caller-changed' && data) {
          events.push(JSON.parse(data) as CallerChangedEvent);
        }
      }
      if (until(events)) return events;
    }
  } finally {
    controller.abort();
  }
}

describe('live updates', () => {
  it("another agent's change arrives as a server-sent event fed by LISTEN/NOTIFY", async () => {
    const number = freshNumber();
    const events = await collectEvents(
      bob,
      (seen) => seen.some((event) => event.number === number),
      async () => {
        await call('POST', `/v1/callers/${number}/flags`, { token: alice, body: { kind: 'insults', reason: 'x' } });
      },
    );
    expect(events.find((event) => event.number === number)).toMatchObject({ action: 'flag.add', agent: 'alice' });
  });

  it('two service instances on one database agree: a change through one reaches the other one’s clients', async () => {
    const { buildDirectoryService } = await import('../../server/src/app');
    const pg = (await import('pg')).default;
    const pool = new pg.Pool({ connectionString: directory.databaseUrl, max: 2 });
    const other = await buildDirectoryService({ pool, connectionString: directory.databaseUrl });
    await other.listen({ host: '127.0.0.1', port: 0 });
    const address = other.server.address();
    const otherUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    try {
      const number = freshNumber();
      const events = await collectEvents(
        bob,
        (seen) => seen.some((event) => event.number === number),
        async () => {
          const answer = await fetch(`${otherUrl}/v1/callers/${number}/flags`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${alice}`,
              'content-type': 'application/json',
              'idempotency-key': `other-${randomUUID()}`,
            },
            body: JSON.stringify({ kind: 'other', reason: 'via the second instance' }),
          });
          expect(answer.status).toBe(201);
        },
      );
      expect(events.some((event) => event.number === number)).toBe(true);
    } finally {
      await other.close();
      await pool.end();
    }
  });
});

describe('races and faults', () => {
  it('a flag raised while another agent clears one: both land, the record and the audit agree', async () => {
    const number = freshNumber();
    const first = await call('POST', `/v1/callers/${number}/flags`, {
      token: alice,
      body: { kind: 'insults', reason: 'a' },
    });
    const id = first.body.flag.id as string;
    const [clears, raise] = await Promise.all([
      Promise.all([
        call('POST', `/v1/callers/${number}/flags/${id}/clear`, { token: supervisor, body: {} }),
        call('POST', `/v1/callers/${number}/flags/${id}/clear`, { token: alice, body: {} }),
      ]),
      call('POST', `/v1/callers/${number}/incidents`, {
        token: bob,
        body: { callId: 'r', kind: 'legal-threat', whatWasSaid: 'My lawyer will call', occurredAt: 1 },
      }),
    ]);
    // Exactly one of the two clears wins; the other is told it was already cleared.
    expect(clears.map((c) => c.status).sort()).toEqual([200, 409]);
    expect(raise.status).toBe(201);
    const caller = (await call('GET', `/v1/callers/${number}`, { token: bob })).body.caller;
    expect(caller.flags).toHaveLength(2);
    expect(caller.flags.find((f: { id: string }) => f.id === id).clearedAt).toBeTypeOf('number');
    expect(caller.flags.find((f: { kind: string }) => f.kind === 'legal-threat').clearedAt).toBeUndefined();
    expect(await count("SELECT count(*) AS n FROM audit WHERE number = $1 AND action = 'flag.clear'", [number])).toBe(
      1,
    );
  });

  it('PostgreSQL restarted under load: writes answer 201 or 503, and every retried write lands exactly once', async () => {
    const number = freshNumber();
    const write = (key: string) =>
      call('POST', `/v1/callers/${number}/flags`, { token: alice, body: { kind: 'other', reason: key }, key });
    const statuses = new Map<number, number>();
    let landed = 0;
    let enoughLanded: () => void = () => undefined;
    const someLanded = new Promise<void>((resolve) => (enoughLanded = resolve));
    // Four agents writing back to back, each retrying a refused write with the same key.
    const workers = [0, 1, 2, 3].map(async (worker) => {
      for (let i = 0; i < 15; i += 1) {
        const key = `load-${worker}-${i}-${randomUUID()}`;
        for (;;) {
          const answer = await write(key);
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          if (answer.status !== 503) break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        landed += 1;
        if (landed === 8) enoughLanded();
      }
    });
    await someLanded;
    await postgres.restart();
    await Promise.all(workers);
    console.log(`writes during the PostgreSQL restart, by status: ${JSON.stringify([...statuses])}`);
    expect([...statuses.keys()].filter((status) => status !== 201 && status !== 503)).toEqual([]);
    expect(await count('SELECT count(*) AS n FROM flags WHERE number = $1', [number])).toBe(60);
    expect(await count("SELECT count(*) AS n FROM audit WHERE number = $1 AND action = 'flag.add'", [number])).toBe(60);
    expect((await call('GET', '/v1/health')).status).toBe(200);
  });
});
