/**
 * A private PostgreSQL (Debian's `postgresql` package, version 15) per test run, the way
 * tests/support/kamailio.ts starts Kamailio: its own temp data directory, a free loopback
 * port, a private socket folder, 127.0.0.1 only, and never the package's system cluster.
 *
 * `initdb` refuses to run as root, and CI runs as root: then initdb and pg_ctl run as the
 * `postgres` user the package creates (`runuser -u postgres --`), on a temp dir chowned to
 * it. A process 'exit' hook stops whatever a test run leaves running, so a crashed run does
 * not keep the port.
 *
 * Typical use:
 *   const pg = await startPostgres();
 *   afterAll(() => pg.stop());
 *   new pg.Pool({ connectionString: pg.url('calmline') })
 */
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTcpListening, releasePort, reservePort } from './ports.js';

/** Where Debian puts the PostgreSQL 15 server binaries (not on PATH). */
export const POSTGRES_BIN_DIR = process.env.CALMLINE_PG_BIN_DIR ?? '/usr/lib/postgresql/15/bin';

/** The superuser of the test cluster (trust authentication on 127.0.0.1 only). */
export const POSTGRES_TEST_USER = 'calmline';

/** Options for {@link startPostgres}; all optional. */
export interface PostgresOptions {
  /**
   * Keep fsync on (default false: off, which makes tests faster). Benchmarks that publish
   * figures must pass true: figures taken with fsync=off say nothing about a real server.
   */
  durable?: boolean;
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string | number>;
  /** Databases to create after start (default ["calmline"]). */
  databases?: string[];
}

/** A running test PostgreSQL. */
export interface Postgres {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly dataDir: string;
  /** Whether fsync is on (see {@link PostgresOptions.durable}). */
  readonly durable: boolean;
  /** A connection string for `database` (default "calmline"). */
  url(database?: string): string;
  /** Creates an empty database (for a test that needs its own). */
  createDatabase(name: string): Promise<void>;
  /** The server log so far (attach it to failure messages). */
  logs(): string;
  /** Stops it (fast shutdown: open connections are cut) and keeps the data. */
  pause(): Promise<void>;
  /** Starts it again on the same port and data after {@link pause}. */
  resume(): Promise<void>;
  /** pause() then resume(): every connection is cut, like a real server restart. */
  restart(): Promise<void>;
  /** Stops it and removes its temp dir. Idempotent. */
  stop(): Promise<void>;
}

const isRoot = process.getuid?.() === 0;

/** Data dirs of servers started by this process and not yet stopped. */
const live = new Set<string>();
let exitHookInstalled = false;

function asServerUser(command: string, args: string[]): [string, string[]] {
  return isRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

function run(command: string, args: string[], timeoutMs = 60_000): Promise<string> {
  const [cmd, argv] = asServerUser(command, args);
  return new Promise((resolve, reject) => {
    execFile(cmd, argv, { timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${error.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const dataDir of live) {
      const [cmd, argv] = asServerUser(join(POSTGRES_BIN_DIR, 'pg_ctl'), [
        '-D',
        dataDir,
        '-m',
        'immediate',
        '-w',
        'stop',
      ]);
      spawnSync(cmd, argv, { stdio: 'ignore', timeout: 10_000 });
      rmSync(join(dataDir, '..'), { recursive: true, force: true });
    }
  });
}

function ownedByServerUser(path: string): void {
  if (!isRoot) return;
  const passwd = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((line) => line.startsWith('postgres:'));
  const [, , uid, gid] = passwd?.split(':') ?? [];
  if (uid === undefined || gid === undefined) {
    throw new Error(
      'the "postgres" user does not exist: install Debian\'s postgresql package (apt-get install -y postgresql)',
    );
  }
  chownSync(path, Number(uid), Number(gid));
}

/** Starts a private PostgreSQL on a free 127.0.0.1 port; resolves once it accepts connections. */
export async function startPostgres(options: PostgresOptions = {}): Promise<Postgres> {
  const initdb = join(POSTGRES_BIN_DIR, 'initdb');
  if (!existsSync(initdb)) {
    throw new Error(`${initdb} not found: install Debian's postgresql package (apt-get install -y postgresql)`);
  }
  installExitHook();
  const dir = mkdtempSync(join(tmpdir(), 'calmline-postgres-'));
  // mkdtemp gives root's 0700 folder: the server user must reach its data and socket dirs.
  chmodSync(dir, 0o755);
  ownedByServerUser(dir);
  const dataDir = join(dir, 'data');
  const socketDir = join(dir, 'socket');
  mkdirSync(socketDir, { mode: 0o700 });
  ownedByServerUser(socketDir);
  const logFile = join(dir, 'server.log');
  const durable = options.durable ?? false;
  const port = reservePort({ udp: false, tcp: true });

  await run(initdb, [
    '-D',
    dataDir,
    '-A',
    'trust',
    '-U',
    POSTGRES_TEST_USER,
    '-E',
    'UTF8',
    '--locale=C.UTF-8',
    '--no-sync',
  ]);
  const settings: Record<string, string | number> = {
    listen_addresses: '127.0.0.1',
    fsync: durable ? 'on' : 'off',
    max_connections: 300,
    ...options.settings,
  };
  const serverArgs = [
    `-p ${port}`,
    `-k ${socketDir}`,
    ...Object.entries(settings).map(([name, value]) => `-c ${name}=${String(value)}`),
  ].join(' ');
  const pgCtl = join(POSTGRES_BIN_DIR, 'pg_ctl');
  let running = false;
  let stopped = false;

  const start = async (): Promise<void> => {
    await run(pgCtl, ['-D', dataDir, '-l', logFile, '-w', '-t', '60', '-o', serverArgs, 'start']);
    running = true;
    live.add(dataDir);
  };
  const pause = async (): Promise<void> => {
    if (!running) return;
    await run(pgCtl, ['-D', dataDir, '-m', 'fast', '-w', '-t', '60', 'stop']);
    running = false;
    live.delete(dataDir);
    const deadline = Date.now() + 5_000;
    while (isTcpListening(port) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  };
  const logs = (): string => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  const url = (database = 'calmline'): string =>
    `postgres://${POSTGRES_TEST_USER}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  const createDatabase = async (name: string): Promise<void> => {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`unsupported test database name: ${name}`);
    await run(join(POSTGRES_BIN_DIR, 'createdb'), [
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      '-U',
      POSTGRES_TEST_USER,
      name,
    ]);
  };

  try {
    await start();
    for (const name of options.databases ?? ['calmline']) await createDatabase(name);
  } catch (error) {
    await pause().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    releasePort(port);
    throw new Error(`${(error as Error).message}\n--- postgres log:\n${logs().slice(-10_000)}`, { cause: error });
  }

  return {
    host: '127.0.0.1',
    port,
    dataDir,
    durable,
    url,
    createDatabase,
    logs,
    pause,
    resume: async () => {
      if (stopped) throw new Error('this PostgreSQL was stopped for good');
      if (!running) await start();
    },
    restart: async () => {
      await pause();
      await start();
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await pause().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
      releasePort(port);
    },
  };
}
