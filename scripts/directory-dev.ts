/**
 * `npm run directory`: the caller directory service for development.
 *
 * With CALMLINE_DIRECTORY_DATABASE_URL set it uses that PostgreSQL; otherwise it starts a
 * private, throw-away PostgreSQL from Debian's package (as the tests do). It migrates,
 * issues one token per role, prints them, and serves on 127.0.0.1 (--port, default 8443)
 * until Ctrl-C.
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { buildDirectoryService } from '../server/src/app';
import { migrate } from '../server/src/migrate';
import { issueToken } from '../server/src/tokens';
import { startPostgres } from '../tests/support/postgres';

const { values } = parseArgs({ options: { port: { type: 'string', default: '8443' } } });
const own = process.env.CALMLINE_DIRECTORY_DATABASE_URL ? undefined : await startPostgres({ durable: true });
const databaseUrl = process.env.CALMLINE_DIRECTORY_DATABASE_URL ?? own!.url();
const pool = new pg.Pool({ connectionString: databaseUrl });
pool.on('error', () => undefined);
for (const name of await migrate(pool)) console.log(`applied migration ${name}`);
const app = await buildDirectoryService({ pool, connectionString: databaseUrl, logger: true });
const port = Number(values.port);
await app.listen({ host: '127.0.0.1', port });
console.log(`\nCaller directory: http://127.0.0.1:${port}/v1  (database ${databaseUrl})`);
for (const [agent, role] of [
  ['agent-1001', 'agent'],
  ['supervisor', 'supervisor'],
  ['admin', 'admin'],
] as const) {
  const { token } = await issueToken(pool, { agent, role, validDays: 1 });
  console.log(`  ${role.padEnd(10)} ${agent.padEnd(11)} ${token}`);
}
console.log('\nIn Calmline: Settings → Caller directory URL and token. Ctrl-C stops.');

let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await app.close();
  await pool.end();
  await own?.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
