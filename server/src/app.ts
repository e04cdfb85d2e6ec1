/**
 * The caller directory service: one shared record per caller for the whole call centre
 * (flags for the next agent, D3/D5; the preferred form of address, P6; open follow-ups,
 * H4; threat incidents, D5; the last calls' outcome and commitment), as a versioned JSON
 * API over PostgreSQL. All state is in PostgreSQL, so any number of instances can run
 * behind a load balancer. See README "Caller directory service".
 *
 * Every request needs a bearer token (tokens.ts) except GET /v1/health. Every write
 * carries an Idempotency-Key, runs in one transaction that also appends to the audit
 * trail and NOTIFYs the live-update channel (events.ts).
 */
import { createHash, randomUUID } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type pg from 'pg';
import { z } from 'zod';
import {
  addFlagBodySchema,
  addFollowUpBodySchema,
  clearFlagBodySchema,
  completeFollowUpBodySchema,
  e164Schema,
  IDEMPOTENCY_HEADER,
  idempotencyKeySchema,
  preferredAddressBodySchema,
  recordCallBodySchema,
  recordIncidentBodySchema,
  type CallerChangedEvent,
  type CallerView,
} from '../../src/shared/directory-api';
import { CALLER_EVENT_SQL, EventHub, NOTIFY_CHANNEL, toEvent } from './events';
import { listTokens, revokeToken, verifyBearer, type Principal, type Role } from './tokens';

/** What the service needs. */
export interface DirectoryServiceOptions {
  pool: pg.Pool;
  /** For the LISTEN connection (the pool's connections come and go). */
  connectionString: string;
  /** The centre's policy: share note text between agents (default false: outcome and commitment only). */
  shareNoteText?: boolean;
  /** Requests per agent per minute (default 1200). */
  rateLimitPerMinute?: number;
  /** Largest request body in bytes (default 64 KiB). */
  bodyLimit?: number;
  /** How many of the last calls a look-up shows (default 5). */
  lastCalls?: number;
  /** Log through Fastify's pino: true (info), a level, or false (default: quiet, for tests). */
  logger?: boolean | { level: string };
  /** PEM certificate and key: serve HTTPS (production); omitted = plain HTTP (loopback only). */
  https?: { cert: Buffer; key: Buffer };
  /** SSE heartbeat interval (default 15 s), so idle proxies keep the stream open. */
  heartbeatMs?: number;
}

/** A refusal with a status, a stable code and, for a bad body, the bad paths. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues?: { path: string; message: string }[],
  ) {
    super(message);
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

const who = (request: FastifyRequest): Principal => {
  if (!request.principal) throw new ApiError(401, 'unauthorized', 'no token');
  return request.principal;
};

function requireRole(request: FastifyRequest, allowed: readonly Role[], what: string): Principal {
  const principal = who(request);
  if (!allowed.includes(principal.role)) {
    throw new ApiError(
      403,
      'forbidden',
      `${what} needs the role ${allowed.join(' or ')}; this token is ${principal.role}`,
    );
  }
  return principal;
}

/** Validates `value` (the request's `where`: params, body, query) or refuses with the bad paths. */
function parse<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  throw new ApiError(
    400,
    'invalid-request',
    `invalid request: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`,
    issues,
  );
}

const numberParams = z.object({ number: e164Schema });
const flagParams = numberParams.extend({ flagId: z.uuid() });
const followUpParams = numberParams.extend({ followUpId: z.uuid() });
const eventsQuery = z.object({ after: z.coerce.number().int().nonnegative().optional() });
const followUpsQuery = z.object({
  dueBefore: z.coerce.number().int().nonnegative().optional(),
  includeDone: z.enum(['true', 'false']).optional(),
});

const FLAG_JSON = `json_strip_nulls(json_build_object('id', f.id, 'kind', f.kind, 'reason', f.reason,
  'author', f.author, 'createdAt', ms(f.created_at), 'callId', f.call_id,
  'clearedAt', ms(f.cleared_at), 'clearedBy', f.cleared_by))`;
const FOLLOW_UP_JSON = `json_strip_nulls(json_build_object('id', u.id, 'callId', u.call_id, 'kind', u.kind,
  'due', ms(u.due), 'text', u.text, 'done', u.done_at IS NOT NULL, 'author', u.author,
  'createdAt', ms(u.created_at), 'doneAt', ms(u.done_at)))`;
const INCIDENT_JSON = `json_strip_nulls(json_build_object('id', i.id, 'callId', i.call_id, 'kind', i.kind,
  'whatWasSaid', i.what_was_said, 'occurredAt', ms(i.occurred_at), 'saidBy', i.said_by,
  'recordedBy', i.recorded_by, 'recordedAt', ms(i.recorded_at), 'flagId', i.flag_id))`;

/** One caller as one JSON value, in one round trip. $1 number, $2 all follow-ups, $3 calls, $4 notes. */
const CALLER_SQL = `SELECT json_strip_nulls(json_build_object(
  'number', c.number,
  'preferredAddress', CASE WHEN c.preferred_address IS NULL THEN NULL ELSE json_build_object(
    'text', c.preferred_address, 'author', c.preferred_address_by, 'updatedAt', ms(c.preferred_address_at)) END
)) AS caller,
(SELECT coalesce(json_agg(${FLAG_JSON} ORDER BY f.created_at, f.id), '[]') FROM flags f WHERE f.number = c.number) AS flags,
(SELECT coalesce(json_agg(${FOLLOW_UP_JSON} ORDER BY u.due, u.id), '[]') FROM follow_ups u
  WHERE u.number = c.number AND ($2 OR u.done_at IS NULL)) AS follow_ups,
(SELECT coalesce(json_agg(${INCIDENT_JSON} ORDER BY i.occurred_at, i.id), '[]') FROM incidents i WHERE i.number = c.number) AS incidents,
(SELECT coalesce(json_agg(json_strip_nulls(json_build_object('callId', k.call_id, 'agent', k.agent,
   'endedAt', ms(k.ended_at), 'outcome', k.outcome, 'commitment', k.commitment,
   'note', CASE WHEN $4 THEN k.note END)) ORDER BY k.ended_at DESC), '[]')
  FROM (SELECT * FROM calls WHERE number = c.number ORDER BY ended_at DESC, id DESC LIMIT $3) k) AS calls
FROM callers c WHERE c.number = $1`;

interface CallerRow {
  caller: Pick<CallerView, 'number' | 'preferredAddress'>;
  flags: CallerView['flags'];
  follow_ups: CallerView['followUps'];
  incidents: CallerView['incidents'];
  calls: CallerView['calls'];
}

async function loadCaller(
  db: pg.Pool | pg.PoolClient,
  number: string,
  options: { allFollowUps: boolean; calls: number; notes: boolean },
): Promise<CallerView | undefined> {
  const { rows } = await db.query<CallerRow>(CALLER_SQL, [number, options.allFollowUps, options.calls, options.notes]);
  const row = rows[0];
  if (!row) return undefined;
  return { ...row.caller, flags: row.flags, followUps: row.follow_ups, incidents: row.incidents, calls: row.calls };
}

/** What a write's body function answers: the HTTP answer and what the audit row says. */
interface WriteOutcome {
  status: number;
  answer: unknown;
  action: string;
  subjectId?: string;
  detail?: Record<string, unknown>;
}

/** Builds the service (not listening yet): `await app.listen({ host, port })`. */
export async function buildDirectoryService(options: DirectoryServiceOptions): Promise<FastifyInstance> {
  const { pool } = options;
  const shareNotes = options.shareNoteText ?? false;
  const lastCalls = options.lastCalls ?? 5;
  const app = Fastify({
    ...(options.https ? { https: options.https } : {}),
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 64 * 1024,
    // Numbers in paths are `+4930…`: keep `+` as it is.
    routerOptions: { maxParamLength: 200 },
  });
  const hub = new EventHub(options.connectionString, pool, (message) => app.log.warn(message));
  await hub.start();
  /** Open event streams, ended before the server closes (they would keep it open). */
  const streams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const stream of streams) stream();
    streams.clear();
  });
  app.addHook('onClose', async () => hub.close());

  // JSON bodies must be valid UTF-8: Node's decoder would silently replace bad bytes.
  // JSON only: any other content type is refused with 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body: Buffer, done) => {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(body);
    } catch {
      done(new ApiError(400, 'invalid-utf8', 'the request body is not valid UTF-8'), undefined);
      return;
    }
    if (text.trim() === '') {
      done(null, {});
      return;
    }
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      done(new ApiError(400, 'invalid-json', `the request body is not JSON: ${(error as Error).message}`), undefined);
    }
  });

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    if (error instanceof ApiError) {
      if (error.status === 401) void reply.header('www-authenticate', 'Bearer realm="calmline-directory"');
      return reply.status(error.status).send({
        error: { code: error.code, message: error.message, ...(error.issues ? { issues: error.issues } : {}) },
      });
    }
    // A client-chosen id that another write already took.
    if (error.code === '23505') {
      return reply.status(409).send({ error: { code: 'id-conflict', message: 'this id is already taken' } });
    }
    if (error.statusCode === 429) {
      return reply.status(429).send({ error: { code: 'rate-limited', message: error.message } });
    }
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.status(413).send({ error: { code: 'body-too-large', message: error.message } });
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.status(error.statusCode).send({ error: { code: 'bad-request', message: error.message } });
    }
    // The database is down or failing over: the client keeps its change and retries.
    if (isDatabaseUnavailable(error)) {
      return reply
        .status(503)
        .send({ error: { code: 'database-unavailable', message: 'the database is not reachable' } });
    }
    request.log.error(error);
    return reply.status(500).send({ error: { code: 'internal', message: 'internal error (see the service log)' } });
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .send({ error: { code: 'not-found', message: `no such endpoint: ${request.method} ${request.url}` } }),
  );

  app.addHook('onRequest', async (request) => {
    if (request.url === '/v1/health') return;
    const verdict = await verifyBearer(pool, request.headers.authorization);
    if (!verdict.ok) {
      const messages = {
        missing: 'an Authorization: Bearer token is needed',
        malformed: 'the bearer token is malformed',
        unknown: 'the bearer token is not known',
        expired: 'the bearer token has expired',
        revoked: 'the bearer token was revoked',
      };
      throw new ApiError(401, `token-${verdict.reason}`, messages[verdict.reason]);
    }
    request.principal = verdict.principal;
  });

  await app.register(rateLimit, {
    hook: 'preHandler',
    max: options.rateLimitPerMinute ?? 1200,
    timeWindow: 60_000,
    keyGenerator: (request) => request.principal?.agent ?? request.ip,
    allowList: (request) => request.url === '/v1/health',
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      message: `rate limit: ${context.max} requests per minute per agent; retry in ${context.after}`,
    }),
  });

  /** Runs a write once per idempotency key, with its audit row and NOTIFY, in one transaction. */
  async function write(
    request: FastifyRequest,
    reply: FastifyReply,
    number: string,
    change: (db: pg.PoolClient, principal: Principal) => Promise<WriteOutcome>,
  ): Promise<unknown> {
    const principal = who(request);
    const key = parse(
      z.object({ [IDEMPOTENCY_HEADER]: idempotencyKeySchema }),
      { [IDEMPOTENCY_HEADER]: request.headers[IDEMPOTENCY_HEADER] },
      'headers',
    )[IDEMPOTENCY_HEADER] as string;
    const requestHash = createHash('sha256')
      .update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? {})}`)
      .digest();
    const db = await pool.connect();
    // A connection lost while checked out (PostgreSQL restarted) reports here, not to the pool.
    let lost: Error | undefined;
    const onLost = (error: Error): void => {
      lost = error;
    };
    db.on('error', onLost);
    try {
      await db.query('BEGIN');
      const claimed = await db.query(
        `INSERT INTO idempotency_keys (agent, key, request_hash) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING RETURNING 1`,
        [principal.agent, key, requestHash],
      );
      if (claimed.rowCount === 0) {
        // A retry: answer what the first attempt answered (it has committed: we waited on its row lock).
        const { rows } = await db.query<{ request_hash: Buffer; status: number; answer: unknown }>(
          'SELECT request_hash, status, answer FROM idempotency_keys WHERE agent = $1 AND key = $2',
          [principal.agent, key],
        );
        await db.query('ROLLBACK');
        const first = rows[0];
        if (!first || !first.request_hash.equals(requestHash)) {
          throw new ApiError(422, 'idempotency-key-reused', 'this Idempotency-Key was used for a different request');
        }
        return reply.status(first.status).header('idempotent-replay', 'true').send(first.answer);
      }
      await db.query('INSERT INTO callers (number) VALUES ($1) ON CONFLICT DO NOTHING', [number]);
      // One writer per caller at a time: a flag raised while another agent clears one sees a settled record.
      await db.query('SELECT 1 FROM callers WHERE number = $1 FOR UPDATE', [number]);
      const outcome = await change(db, principal);
      const audit = await db.query<{ id: string; at: string }>(
        `INSERT INTO audit (agent, action, number, subject_id, detail) VALUES ($1, $2, $3, $4, $5)
         RETURNING id, ms(at) AS at`,
        [
          principal.agent,
          outcome.action,
          number,
          outcome.subjectId ?? null,
          { tokenId: principal.tokenId, ...outcome.detail },
        ],
      );
      const event: CallerChangedEvent = {
        id: Number(audit.rows[0]!.id),
        number,
        action: outcome.action,
        agent: principal.agent,
        at: Number(audit.rows[0]!.at),
      };
      await db.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, JSON.stringify(event)]);
      await db.query('UPDATE idempotency_keys SET status = $3, answer = $4 WHERE agent = $1 AND key = $2', [
        principal.agent,
        key,
        outcome.status,
        JSON.stringify(outcome.answer),
      ]);
      await db.query('COMMIT');
      return reply.status(outcome.status).send(outcome.answer);
    } catch (error) {
      if (isDatabaseUnavailable(error as Error)) lost ??= error as Error;
      if (!lost) await db.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      db.off('error', onLost);
      // A broken connection is destroyed, not returned to the pool.
      db.release(lost);
    }
  }

  const view = (db: pg.Pool | pg.PoolClient, number: string) =>
    loadCaller(db, number, { allFollowUps: false, calls: lastCalls, notes: shareNotes });

  app.get('/v1/health', async () => ({ ok: true, listening: hub.listening }));

  app.get('/v1/me', async (request) => {
    const principal = who(request);
    return { agent: principal.agent, role: principal.role };
  });

  app.get('/v1/callers/:number', async (request, reply) => {
    who(request);
    const { number } = parse(numberParams, request.params, 'params');
    const caller = await view(pool, number);
    if (!caller)
      return reply.status(404).send({ error: { code: 'caller-unknown', message: `nothing is known about ${number}` } });
    return { caller };
  });

  app.post('/v1/callers/:number/flags', async (request, reply) => {
    const { number } = parse(numberParams, request.params, 'params');
    const body = parse(addFlagBodySchema, request.body, 'body');
    return write(request, reply, number, async (db, principal) => {
      const id = body.id ?? randomUUID();
      const { rows } = await db.query<{ flag: unknown }>(
        `INSERT INTO flags AS f (id, number, kind, reason, author, call_id) VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING ${FLAG_JSON} AS flag`,
        [id, number, body.kind, body.reason.trim(), principal.agent, body.callId ?? null],
      );
      return {
        status: 201,
        answer: { flag: rows[0]!.flag },
        action: 'flag.add',
        subjectId: id,
        detail: { kind: body.kind },
      };
    });
  });

  app.post('/v1/callers/:number/flags/:flagId/clear', async (request, reply) => {
    const { number, flagId } = parse(flagParams, request.params, 'params');
    parse(clearFlagBodySchema, request.body, 'body');
    return write(request, reply, number, async (db, principal) => {
      const { rows: found } = await db.query<{ author: string; cleared: boolean }>(
        'SELECT author, cleared_at IS NOT NULL AS cleared FROM flags WHERE id = $1 AND number = $2',
        [flagId, number],
      );
      const flag = found[0];
      if (!flag) throw new ApiError(404, 'flag-unknown', `no flag ${flagId} on ${number}`);
      if (flag.author !== principal.agent && principal.role === 'agent') {
        throw new ApiError(403, 'forbidden', "clearing another agent's flag needs the role supervisor");
      }
      if (flag.cleared) throw new ApiError(409, 'flag-already-cleared', 'this flag was already cleared');
      const { rows } = await db.query<{ flag: unknown }>(
        `UPDATE flags AS f SET cleared_at = now(), cleared_by = $2 WHERE id = $1 AND cleared_at IS NULL
         RETURNING ${FLAG_JSON} AS flag`,
        [flagId, principal.agent],
      );
      return { status: 200, answer: { flag: rows[0]!.flag }, action: 'flag.clear', subjectId: flagId };
    });
  });

  app.put('/v1/callers/:number/preferred-address', async (request, reply) => {
    const { number } = parse(numberParams, request.params, 'params');
    const body = parse(preferredAddressBodySchema, request.body, 'body');
    const text = body.text?.trim() || null;
    return write(request, reply, number, async (db, principal) => {
      await db.query(
        `UPDATE callers SET preferred_address = $2, preferred_address_by = CASE WHEN $2::text IS NULL THEN NULL ELSE $3 END,
           preferred_address_at = CASE WHEN $2::text IS NULL THEN NULL ELSE now() END WHERE number = $1`,
        [number, text, principal.agent],
      );
      const caller = await view(db, number);
      return {
        status: 200,
        answer: { caller },
        action: text === null ? 'address.remove' : 'address.set',
        detail: { text },
      };
    });
  });

  app.post('/v1/callers/:number/follow-ups', async (request, reply) => {
    const { number } = parse(numberParams, request.params, 'params');
    const body = parse(addFollowUpBodySchema, request.body, 'body');
    return write(request, reply, number, async (db, principal) => {
      const id = body.id ?? randomUUID();
      const { rows } = await db.query<{ follow_up: unknown }>(
        `INSERT INTO follow_ups AS u (id, number, call_id, kind, due, text, author)
         VALUES ($1, $2, $3, $4, to_timestamp($5 / 1000.0), $6, $7) RETURNING ${FOLLOW_UP_JSON} AS follow_up`,
        [id, number, body.callId, body.kind, body.due, body.text.trim(), principal.agent],
      );
      return {
        status: 201,
        answer: { followUp: rows[0]!.follow_up },
        action: 'follow-up.add',
        subjectId: id,
        detail: { kind: body.kind, due: body.due },
      };
    });
  });

  app.post('/v1/callers/:number/follow-ups/:followUpId/complete', async (request, reply) => {
    const { number, followUpId } = parse(followUpParams, request.params, 'params');
    parse(completeFollowUpBodySchema, request.body, 'body');
    return write(request, reply, number, async (db, principal) => {
      const { rows } = await db.query<{ follow_up: unknown }>(
        `UPDATE follow_ups AS u SET done_at = now(), done_by = $3 WHERE id = $1 AND number = $2 AND done_at IS NULL
         RETURNING ${FOLLOW_UP_JSON} AS follow_up`,
        [followUpId, number, principal.agent],
      );
      if (!rows[0]) {
        const exists = await db.query('SELECT 1 FROM follow_ups WHERE id = $1 AND number = $2', [followUpId, number]);
        if (exists.rowCount) throw new ApiError(409, 'follow-up-already-done', 'this follow-up was already completed');
        throw new ApiError(404, 'follow-up-unknown', `no follow-up ${followUpId} on ${number}`);
      }
      return {
        status: 200,
        answer: { followUp: rows[0].follow_up },
        action: 'follow-up.complete',
        subjectId: followUpId,
      };
    });
  });

  app.post('/v1/callers/:number/incidents', async (request, reply) => {
    const { number } = parse(numberParams, request.params, 'params');
    const body = parse(recordIncidentBodySchema, request.body, 'body');
    return write(request, reply, number, async (db, principal) => {
      const whatWasSaid = body.whatWasSaid.trim();
      if (whatWasSaid === '') {
        throw new ApiError(400, 'invalid-request', 'body.whatWasSaid: must not be blank', [
          { path: 'body.whatWasSaid', message: 'must not be blank' },
        ]);
      }
      const active = await db.query<{ flag: unknown; id: string }>(
        `SELECT f.id, ${FLAG_JSON} AS flag FROM flags f WHERE number = $1 AND kind = $2 AND cleared_at IS NULL
         ORDER BY created_at LIMIT 1`,
        [number, body.kind],
      );
      let flag = active.rows[0];
      if (!flag) {
        const reason = whatWasSaid.length > 200 ? `${whatWasSaid.slice(0, 199)}…` : whatWasSaid;
        const raised = await db.query<{ flag: unknown; id: string }>(
          `INSERT INTO flags AS f (id, number, kind, reason, author, call_id) VALUES ($1, $2, $3, $4, $5, $6)
           RETURNING f.id, ${FLAG_JSON} AS flag`,
          [body.flagId ?? randomUUID(), number, body.kind, reason, principal.agent, body.callId],
        );
        flag = raised.rows[0]!;
      }
      const id = body.id ?? randomUUID();
      const { rows } = await db.query<{ incident: unknown }>(
        `INSERT INTO incidents AS i (id, number, call_id, kind, what_was_said, occurred_at, said_by, recorded_by, flag_id)
         VALUES ($1, $2, $3, $4, $5, to_timestamp($6 / 1000.0), $7, $8, $9) RETURNING ${INCIDENT_JSON} AS incident`,
        [
          id,
          number,
          body.callId,
          body.kind,
          whatWasSaid,
          body.occurredAt,
          body.saidBy?.trim() || 'the caller',
          principal.agent,
          flag.id,
        ],
      );
      return {
        status: 201,
        answer: { incident: rows[0]!.incident, flag: flag.flag },
        action: 'incident.record',
        subjectId: id,
        detail: { kind: body.kind, flagId: flag.id },
      };
    });
  });

  app.post('/v1/callers/:number/calls', async (request, reply) => {
    const { number } = parse(numberParams, request.params, 'params');
    const body = parse(recordCallBodySchema, request.body, 'body');
    return write(request, reply, number, async (db, principal) => {
      // Note text is shared only where the centre's policy says so; otherwise it is never stored.
      const note = shareNotes ? body.note?.trim() || null : null;
      await db.query(
        `INSERT INTO calls (number, call_id, agent, ended_at, outcome, commitment, note)
         VALUES ($1, $2, $3, to_timestamp($4 / 1000.0), $5, $6, $7)`,
        [number, body.callId, principal.agent, body.endedAt, body.outcome, body.commitment?.trim() || null, note],
      );
      return {
        status: 201,
        answer: { caller: await view(db, number) },
        action: 'call.record',
        subjectId: body.callId,
        detail: { outcome: body.outcome, noteShared: note !== null },
      };
    });
  });

  app.get('/v1/callers/:number/export', async (request, reply) => {
    const principal = requireRole(request, ['supervisor', 'admin'], 'exporting a caller record');
    const { number } = parse(numberParams, request.params, 'params');
    const caller = await loadCaller(pool, number, { allFollowUps: true, calls: 1000, notes: shareNotes });
    if (!caller)
      return reply.status(404).send({ error: { code: 'caller-unknown', message: `nothing is known about ${number}` } });
    const audit = await pool.query<{
      id: string;
      at: string;
      agent: string;
      action: string;
      number: string | null;
      subject_id: string | null;
      detail: unknown;
    }>('SELECT id, ms(at) AS at, agent, action, number, subject_id, detail FROM audit WHERE number = $1 ORDER BY id', [
      number,
    ]);
    const exported = await pool.query<{ at: string }>(
      `INSERT INTO audit (agent, action, number, detail) VALUES ($1, 'caller.export', $2, $3) RETURNING ms(at) AS at`,
      [principal.agent, number, { tokenId: principal.tokenId }],
    );
    return {
      exportedAt: Number(exported.rows[0]!.at),
      exportedBy: principal.agent,
      caller,
      audit: audit.rows.map((row) => ({
        id: Number(row.id),
        at: Number(row.at),
        agent: row.agent,
        action: row.action,
        number: row.number,
        subjectId: row.subject_id,
        detail: row.detail,
      })),
    };
  });

  app.get('/v1/follow-ups', async (request) => {
    who(request);
    const query = parse(followUpsQuery, request.query, 'query');
    const { rows } = await pool.query<{ item: unknown }>(
      `SELECT json_build_object('number', u.number) :: jsonb || ${FOLLOW_UP_JSON} :: jsonb AS item FROM follow_ups u
       WHERE ($1 OR u.done_at IS NULL) AND ($2::bigint IS NULL OR ms(u.due) < $2) ORDER BY u.due, u.id LIMIT 1000`,
      [query.includeDone === 'true', query.dueBefore ?? null],
    );
    return { followUps: rows.map((row) => row.item) };
  });

  app.get('/v1/admin/tokens', async (request) => {
    requireRole(request, ['admin'], 'listing tokens');
    return { tokens: await listTokens(pool) };
  });

  app.post('/v1/admin/tokens/:id/revoke', async (request) => {
    const principal = requireRole(request, ['admin'], 'revoking tokens');
    const { id } = parse(z.object({ id: z.string().regex(/^[a-z0-9]{12}$/) }), request.params, 'params');
    return { revoked: await revokeToken(pool, id, principal.agent) };
  });

  /** Server-sent events: `caller-changed` for every committed change, from any instance. */
  app.get('/v1/events', async (request, reply) => {
    who(request);
    const query = parse(eventsQuery, request.query, 'query');
    const lastHeader = request.headers['last-event-id'];
    const after =
      query.after ?? (typeof lastHeader === 'string' && /^\d+$/.test(lastHeader) ? Number(lastHeader) : undefined);
    reply.hijack();
    const out = reply.raw;
    out.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const send = (event: CallerChangedEvent): void => {
      out.write(`id: ${event.id}\nevent: caller-changed\ndata: ${JSON.stringify(event)}\n\n`);
    };
    // Subscribe first, then replay, so nothing falls between the two (duplicates are harmless).
    const sent = new Set<number>();
    const unsubscribe = hub.subscribe((event) => {
      if (!sent.has(event.id)) send(event);
    });
    out.write(': connected\n\n');
    if (after !== undefined) {
      const { rows } = await pool
        .query<{ id: string; number: string; action: string; agent: string; at: string }>(CALLER_EVENT_SQL, [
          after,
          1000,
        ])
        .catch(() => ({ rows: [] }));
      for (const row of rows) {
        const event = toEvent(row);
        sent.add(event.id);
        send(event);
      }
    }
    out.write('event: ready\ndata: {}\n\n');
    const heartbeat = setInterval(() => out.write(': heartbeat\n\n'), options.heartbeatMs ?? 15_000);
    const end = (): void => {
      clearInterval(heartbeat);
      unsubscribe();
    };
    const stream = (): void => {
      end();
      out.end();
    };
    streams.add(stream);
    request.raw.on('close', () => {
      streams.delete(stream);
      end();
    });
  });

  return app;
}

function isDatabaseUnavailable(error: Error & { code?: string }): boolean {
  const code = error.code ?? '';
  return (
    ['ECONNREFUSED', 'ECONNRESET', '57P01', '57P02', '57P03', '08006', '08001', '08003'].includes(code) ||
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
      error.message,
    )
  );
}
