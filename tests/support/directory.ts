/**
 * The caller directory service (server/) for tests: a fresh database on a private
 * PostgreSQL (tests/support/postgres.ts), migrated up from empty, and the real service
 * listening on a free 127.0.0.1 port. It can be stopped and started again on the same
 * port (the "service down mid-shift" tests) and issues tokens like the admin command.
 *
 *   const directory = await startDirectory();
 *   afterAll(() => directory.stop());
 *   const token = await directory.issue('alice', 'agent');
 */
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { buildDirectoryService, type DirectoryServiceOptions } from '../../server/src/app';
import { migrate } from '../../server/src/migrate';
import { issueToken, type Role } from '../../server/src/tokens';
import { releasePort, reservePort } from './ports.js';
import { startPostgres, type Postgres } from './postgres';

/** Options for {@link startDirectory}. */
export interface DirectoryOptions extends Partial<Omit<DirectoryServiceOptions, 'pool' | 'connectionString'>> {
  /** Use this PostgreSQL (default: start one, stopped with the directory). */
  postgres?: Postgres;
  /** Pool size (default 10). */
  poolSize?: number;
}

/** A running directory service. */
export interface TestDirectory {
  /** e.g. "http://127.0.0.1:12345" */
  readonly url: string;
  readonly port: number;
  readonly postgres: Postgres;
  /** The database's connection string. */
  readonly databaseUrl: string;
  /** A pool on the service's database, for checking what is stored. */
  readonly db: pg.Pool;
  /** The service instance while running. */
  readonly app: FastifyInstance | undefined;
  /** Issues a token as `directory token issue` does. */
  issue(agent: string, role?: Role, validDays?: number): Promise<string>;
  /** Stops the HTTP service (PostgreSQL keeps running). */
  pause(): Promise<void>;
  /** Starts the service again on the same port. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

let databases = 0;

export async function startDirectory(options: DirectoryOptions = {}): Promise<TestDirectory> {
  const ownPostgres = !options.postgres;
  const postgres = options.postgres ?? (await startPostgres({ databases: [] }));
  databases += 1;
  const name = `directory_${process.pid}_${databases}`;
  await postgres.createDatabase(name);
  const databaseUrl = postgres.url(name);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: options.poolSize ?? 10 });
  // A restarted PostgreSQL ends idle connections with an error event: the pool replaces them.
  pool.on('error', () => undefined);
  const db = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  db.on('error', () => undefined);
  await migrate(pool);
  const port = reservePort({ udp: false, tcp: true });
  let app: FastifyInstance | undefined;

  const resume = async (): Promise<void> => {
    if (app) return;
    const { postgres: _pg, poolSize: _size, ...serviceOptions } = options;
    const instance = await buildDirectoryService({ ...serviceOptions, pool, connectionString: databaseUrl });
    await instance.listen({ host: '127.0.0.1', port });
    app = instance;
  };
  const pause = async (): Promise<void> => {
    const instance = app;
    app = undefined;
    await instance?.close();
  };
  await resume();

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    postgres,
    databaseUrl,
    db,
    get app() {
      return app;
    },
    issue: async (agent, role = 'agent', validDays = 30) => (await issueToken(db, { agent, role, validDays })).token,
    pause,
    resume,
    stop: async () => {
      await pause();
      await pool.end();
      await db.end();
      releasePort(port);
      if (ownPostgres) await postgres.stop();
    },
  };
}
