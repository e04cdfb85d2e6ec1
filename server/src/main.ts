/**
 * The caller directory service's command line.
 *
 *   directory serve                        run the service (migrates first)
 *   directory migrate                      apply the SQL migrations and exit
 *   directory token issue --agent NAME --role agent|supervisor|admin [--days 90]
 *   directory token revoke ID
 *   directory token list
 *
 * Settings come from the environment (see README "Caller directory service"):
 *   CALMLINE_DIRECTORY_DATABASE_URL  PostgreSQL connection string (required)
 *   CALMLINE_DIRECTORY_HOST / _PORT  listen address (default 127.0.0.1:8443)
 *   CALMLINE_DIRECTORY_TLS_CERT / _TLS_KEY  PEM files: serve HTTPS (required unless on loopback)
 *   CALMLINE_DIRECTORY_SHARE_NOTE_TEXT=true  share wrap-up note text (default: outcome and commitment only)
 *   CALMLINE_DIRECTORY_RATE_LIMIT    requests per agent per minute (default 1200)
 *   CALMLINE_DIRECTORY_POOL_SIZE     PostgreSQL connections per instance (default 20)
 *   CALMLINE_DIRECTORY_LOG_LEVEL     pino level (default info: one line per request)
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { buildDirectoryService } from './app';
import { migrate } from './migrate';
import { issueToken, listTokens, revokeToken, roles, type Role } from './tokens';

const out = (line: string): boolean => process.stdout.write(`${line}\n`);

function databaseUrl(): string {
  const url = process.env.CALMLINE_DIRECTORY_DATABASE_URL;
  if (!url) throw new Error('set CALMLINE_DIRECTORY_DATABASE_URL to the PostgreSQL connection string');
  return url;
}

async function serve(pool: pg.Pool): Promise<void> {
  const host = process.env.CALMLINE_DIRECTORY_HOST ?? '127.0.0.1';
  const port = Number(process.env.CALMLINE_DIRECTORY_PORT ?? 8443);
  const certFile = process.env.CALMLINE_DIRECTORY_TLS_CERT;
  const keyFile = process.env.CALMLINE_DIRECTORY_TLS_KEY;
  const loopback = host === '127.0.0.1' || host === '::1' || host === 'localhost';
  if (!certFile !== !keyFile) throw new Error('set both CALMLINE_DIRECTORY_TLS_CERT and CALMLINE_DIRECTORY_TLS_KEY');
  // Tokens and caller records must not cross a network in clear text.
  if (!certFile && !loopback)
    throw new Error(`refusing to serve plain HTTP on ${host}: set the TLS certificate and key`);
  const applied = await migrate(pool);
  for (const name of applied) out(`applied migration ${name}`);
  const app = await buildDirectoryService({
    pool,
    connectionString: databaseUrl(),
    shareNoteText: process.env.CALMLINE_DIRECTORY_SHARE_NOTE_TEXT === 'true',
    rateLimitPerMinute: process.env.CALMLINE_DIRECTORY_RATE_LIMIT
      ? Number(process.env.CALMLINE_DIRECTORY_RATE_LIMIT)
      : undefined,
    logger: { level: process.env.CALMLINE_DIRECTORY_LOG_LEVEL ?? 'info' },
    https: certFile && keyFile ? { cert: readFileSync(certFile), key: readFileSync(keyFile) } : undefined,
  });
  await app.listen({ host, port });
  const stop = (): void => {
    void app.close().then(() => pool.end());
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

async function main(argv: string[]): Promise<void> {
  const [command, sub, ...rest] = argv;
  const pool = new pg.Pool({
    connectionString: databaseUrl(),
    max: Number(process.env.CALMLINE_DIRECTORY_POOL_SIZE ?? 20),
  });
  if (command === 'serve') return serve(pool);
  try {
    if (command === 'migrate') {
      const applied = await migrate(pool);
      out(applied.length ? `applied: ${applied.join(', ')}` : 'the schema is up to date');
    } else if (command === 'token' && sub === 'issue') {
      const { values } = parseArgs({
        args: rest,
        options: {
          agent: { type: 'string' },
          role: { type: 'string', default: 'agent' },
          days: { type: 'string', default: '90' },
        },
      });
      if (!values.agent) throw new Error('--agent NAME is required');
      if (!roles.includes(values.role as Role)) throw new Error(`--role must be one of ${roles.join(', ')}`);
      const issued = await issueToken(pool, {
        agent: values.agent,
        role: values.role as Role,
        validDays: Number(values.days),
      });
      out(`token id ${issued.id}, expires ${new Date(issued.expiresAt).toISOString()}`);
      out('the token (shown only now; give it to the agent like a password):');
      out(issued.token);
    } else if (command === 'token' && sub === 'revoke' && rest[0]) {
      out((await revokeToken(pool, rest[0])) ? `revoked ${rest[0]}` : `no active token ${rest[0]}`);
    } else if (command === 'token' && sub === 'list') {
      for (const token of await listTokens(pool)) {
        const state = token.revokedAt ? 'revoked' : token.expiresAt <= Date.now() ? 'expired' : 'active';
        out(`${token.id}  ${token.agent}  ${token.role}  ${state}  expires ${new Date(token.expiresAt).toISOString()}`);
      }
    } else {
      throw new Error(
        'usage: directory serve | migrate | token issue --agent NAME --role ROLE [--days N] | token revoke ID | token list',
      );
    }
  } finally {
    await pool.end();
  }
}

main(process.argv.slice(2)).catch((error: Error) => {
  process.stderr.write(`directory: ${error.message}\n`);
  process.exit(1);
});
