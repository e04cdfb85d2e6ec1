/**
 * Per-agent bearer tokens. A token is `cld_<id>_<secret>`: 256 random bits of secret,
 * shown once when issued; the database keeps only its SHA-256 (a fast hash is enough for
 * a random secret of that size, unlike a password). Tokens expire, and can be revoked.
 */
import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';

/** What a token allows (supervisors also clear others' flags and export; admins manage tokens). */
export const roles = ['agent', 'supervisor', 'admin'] as const;
export type Role = (typeof roles)[number];

/** Who is asking. */
export interface Principal {
  tokenId: string;
  agent: string;
  role: Role;
}

/** A token's row, without its hash. */
export interface TokenInfo {
  id: string;
  agent: string;
  role: Role;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | undefined;
}

const TOKEN = /^cld_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

function hash(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** Issues a token; answers it (the only time it is seen) and its id. */
export async function issueToken(
  pool: pg.Pool,
  input: { agent: string; role: Role; validDays: number },
): Promise<{ id: string; token: string; expiresAt: number }> {
  if (!/^[\p{L}\p{N} ._@-]{1,128}$/u.test(input.agent))
    throw new Error('agent name: 1 to 128 letters, digits, " ._@-"');
  if (!roles.includes(input.role)) throw new Error(`role must be one of ${roles.join(', ')}`);
  if (!(input.validDays > 0 && input.validDays <= 3660)) throw new Error('validity must be 1 to 3660 days');
  const id = randomBytes(9)
    .toString('base64url')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '0')
    .slice(0, 12);
  const token = `cld_${id}_${randomBytes(32).toString('base64url')}`;
  const { rows } = await pool.query<{ expires_at: Date }>(
    `INSERT INTO tokens (id, agent, role, token_hash, expires_at)
     VALUES ($1, $2, $3, $4, now() + make_interval(days => $5)) RETURNING expires_at`,
    [id, input.agent, input.role, hash(token), input.validDays],
  );
  await pool.query(
    `INSERT INTO audit (agent, action, subject_id, detail) VALUES ('admin-cli', 'token.issue', $1, $2)`,
    [id, { agent: input.agent, role: input.role }],
  );
  return { id, token, expiresAt: rows[0]!.expires_at.getTime() };
}

/** Revokes a token by id; answers whether one was revoked now. */
export async function revokeToken(pool: pg.Pool, id: string, by = 'admin-cli'): Promise<boolean> {
  const { rowCount } = await pool.query('UPDATE tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [
    id,
  ]);
  if (rowCount) {
    await pool.query(`INSERT INTO audit (agent, action, subject_id) VALUES ($1, 'token.revoke', $2)`, [by, id]);
  }
  return (rowCount ?? 0) > 0;
}

/** Every token, newest first. */
export async function listTokens(pool: pg.Pool): Promise<TokenInfo[]> {
  const { rows } = await pool.query<{
    id: string;
    agent: string;
    role: Role;
    created_at: Date;
    expires_at: Date;
    revoked_at: Date | null;
  }>('SELECT id, agent, role, created_at, expires_at, revoked_at FROM tokens ORDER BY created_at DESC');
  return rows.map((row) => ({
    id: row.id,
    agent: row.agent,
    role: row.role,
    createdAt: row.created_at.getTime(),
    expiresAt: row.expires_at.getTime(),
    revokedAt: row.revoked_at?.getTime(),
  }));
}

/** Why a bearer token was not accepted (each is a 401). */
export type TokenRefusal = 'missing' | 'malformed' | 'unknown' | 'expired' | 'revoked';

/** Checks an `Authorization` header; answers who it is or why not. */
export async function verifyBearer(
  pool: pg.Pool,
  header: string | undefined,
): Promise<{ ok: true; principal: Principal } | { ok: false; reason: TokenRefusal }> {
  if (!header) return { ok: false, reason: 'missing' };
  const match = /^Bearer (\S+)$/.exec(header);
  const token = match?.[1];
  if (!token || !TOKEN.test(token)) return { ok: false, reason: 'malformed' };
  const { rows } = await pool.query<{ id: string; agent: string; role: Role; expired: boolean; revoked: boolean }>(
    `SELECT id, agent, role, expires_at <= now() AS expired, revoked_at IS NOT NULL AS revoked
     FROM tokens WHERE token_hash = $1`,
    [hash(token)],
  );
  const row = rows[0];
  if (!row) return { ok: false, reason: 'unknown' };
  if (row.revoked) return { ok: false, reason: 'revoked' };
  if (row.expired) return { ok: false, reason: 'expired' };
  return { ok: true, principal: { tokenId: row.id, agent: row.agent, role: row.role } };
}
