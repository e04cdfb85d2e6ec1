/**
 * Versioned SQL migrations: `server/migrations/NNNN-name.sql`, applied in order, each in
 * its own transaction, and recorded in `schema_migrations` with a checksum so an edited,
 * already-applied file is refused instead of silently skipped. An advisory lock lets
 * several service instances start at once: one migrates, the others wait and find
 * nothing left to do.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';

/** Where the SQL files are. */
export const MIGRATIONS_DIR = join(import.meta.dirname, '..', 'migrations');

const FILE = /^(\d{4})-[a-z0-9-]+\.sql$/;
/** Any 64-bit number of our own: the lock several instances take while migrating. */
const MIGRATION_LOCK = 7_316_502_114;

/** One migration file. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

/** The migration files, in order. */
export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((name) => FILE.test(name))
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name), 'utf8');
      return {
        version: Number(FILE.exec(name)?.[1]),
        name,
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    });
}

/** Applies the migrations not applied yet; answers the names applied now. */
export async function migrate(pool: pg.Pool, migrations = readMigrations()): Promise<string[]> {
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const done = new Map(
      (
        await client.query<{ version: number; checksum: string; name: string }>('SELECT * FROM schema_migrations')
      ).rows.map((row) => [row.version, row]),
    );
    for (const migration of migrations) {
      const before = done.get(migration.version);
      if (before) {
        if (before.checksum !== migration.checksum) {
          throw new Error(`migration ${migration.name} was changed after it was applied (as ${before.name})`);
        }
        continue;
      }
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
          migration.version,
          migration.name,
          migration.checksum,
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${migration.name} failed: ${(error as Error).message}`, { cause: error });
      }
      applied.push(migration.name);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
  return applied;
}
