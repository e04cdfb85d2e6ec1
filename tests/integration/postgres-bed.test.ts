/**
 * The PostgreSQL test bed itself (tests/support/postgres.ts): a private server on a free
 * loopback port, restartable with its data kept, gone after stop().
 */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { isTcpListening } from '../support/ports';
import { startPostgres, type Postgres } from '../support/postgres';

describe('PostgreSQL test bed', () => {
  let server: Postgres | undefined;
  afterAll(() => server?.stop());

  it('starts a private server on 127.0.0.1, keeps data across a restart, and frees its port on stop', async () => {
    server = await startPostgres();
    const client = new pg.Client({ connectionString: server.url() });
    await client.connect();
    await client.query('CREATE TABLE probe (v text)');
    await client.query('INSERT INTO probe VALUES ($1)', ['kept']);
    const settings = await client.query<{ listen: string; fsync: string }>(
      "SELECT current_setting('listen_addresses') AS listen, current_setting('fsync') AS fsync",
    );
    expect(settings.rows[0]).toEqual({ listen: '127.0.0.1', fsync: 'off' });
    await client.end();

    await server.restart();
    const again = new pg.Client({ connectionString: server.url() });
    await again.connect();
    expect((await again.query('SELECT v FROM probe')).rows).toEqual([{ v: 'kept' }]);
    await again.end();

    const port = server.port;
    await server.stop();
    expect(isTcpListening(port)).toBe(false);
  });
});
