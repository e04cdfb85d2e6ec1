/**
 * The caller directory service (server/) under load, on loopback, with a private
 * PostgreSQL that keeps fsync ON (figures taken with fsync=off are never published):
 *
 * 1. Look-up latency through the service (HTTP, bearer token checked, one SQL round trip
 *    for the record) with 1,000,000 callers in PostgreSQL, 10 % of them flagged.
 *    Goal: p99 ≤ 5 ms.
 * 2. The app's side of a ring: RemoteCallerDirectory.lookup (what the core runs before it
 *    pushes the record to the caller card) against the LocalCallerDirectory's lookup.
 *    Goal: within 5 ms of the local one.
 * 3. Sustained writes with many agents (default 2,000) each holding a live-update (SSE)
 *    connection: a bounded rate (default 20 writes/s, a busy centre's order of magnitude)
 *    with the fan-out latency commit → every agent's stream, then as many writes as the
 *    service takes (unbounded writers) with the agents still connected.
 *    Service and PostgreSQL CPU and memory (PSS) are read from /proc for each phase.
 *
 * The service runs as its own process (`server/src/main.ts serve`), so its CPU and memory
 * are its own; the load generator and the simulated agents run in this process.
 *
 * Environment: BENCH_DIRECTORY_CALLERS (default 1000000), BENCH_DIRECTORY_LOOKUPS (2000),
 * BENCH_DIRECTORY_AGENTS (2000), BENCH_DIRECTORY_SECONDS (15 per write phase),
 * BENCH_DIRECTORY_RATE (20 writes/s in the bounded phase), BENCH_DIRECTORY_WRITERS (8).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { migrate } from '../server/src/migrate';
import { issueToken } from '../server/src/tokens';
import { systemClock } from '../src/core/clock';
import { RemoteCallerDirectory } from '../src/core/directory/remote-caller-directory';
import { silentLogger } from '../src/core/logger';
import { LocalCallerDirectory } from '../src/core/storage/callers/local-caller-directory';
import { releasePort, reservePort } from '../tests/support/ports';
import { startPostgres } from '../tests/support/postgres';
import { type BenchTable, formatMs, machineInfo, sleep, summarize, type Summary } from './support';

/** Options of {@link runDirectoryBench}. */
export interface DirectoryBenchOptions {
  callers?: number;
  lookups?: number;
  agents?: number;
  seconds?: number;
  rate?: number;
  writers?: number;
}

const ROOT = resolve(import.meta.dirname, '..');
const TICKS_PER_SECOND = 100;

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  return raw === undefined || raw === '' ? fallback : Number(raw);
}

/** CPU seconds (user + system) and PSS bytes of a set of processes. */
function usage(pids: number[]): { cpuS: number; pssMiB: number } {
  let ticks = 0;
  let pssKiB = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      pssKiB += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
    } catch {
      // The process ended meanwhile.
    }
  }
  return { cpuS: ticks / TICKS_PER_SECOND, pssMiB: pssKiB / 1024 };
}

/** The postmaster and its children. */
function postgresPids(dataDir: string): number[] {
  const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const pids = [postmaster];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === postmaster) pids.push(Number(name));
    } catch {
      // Gone.
    }
  }
  return pids;
}

/** Runs `work` and answers the CPU (as % of one core) and PSS of the service and PostgreSQL over it. */
async function measured<T>(
  service: number,
  dataDir: string,
  work: () => Promise<T>,
): Promise<{
  result: T;
  seconds: number;
  service: { cpu: number; pssMiB: number };
  postgres: { cpu: number; pssMiB: number };
}> {
  const pgPids = postgresPids(dataDir);
  const beforeService = usage([service]);
  const beforePg = usage(pgPids);
  const started = performance.now();
  const result = await work();
  const seconds = (performance.now() - started) / 1000;
  const afterService = usage([service]);
  const afterPg = usage(postgresPids(dataDir));
  return {
    result,
    seconds,
    service: { cpu: ((afterService.cpuS - beforeService.cpuS) / seconds) * 100, pssMiB: afterService.pssMiB },
    postgres: { cpu: ((afterPg.cpuS - beforePg.cpuS) / seconds) * 100, pssMiB: afterPg.pssMiB },
  };
}

const numberOf = (i: number): string => `+49301${String(i).padStart(7, '0')}`;

async function startService(databaseUrl: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'server/src/main.ts'), 'serve'], {
    cwd: ROOT,
    env: {
      ...process.env,
      CALMLINE_DIRECTORY_DATABASE_URL: databaseUrl,
      CALMLINE_DIRECTORY_PORT: String(port),
      CALMLINE_DIRECTORY_RATE_LIMIT: '100000000',
      CALMLINE_DIRECTORY_POOL_SIZE: '20',
      CALMLINE_DIRECTORY_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}/v1/health`;
  for (let attempt = 0; attempt < 300; attempt += 1) {
    if (child.exitCode !== null) throw new Error('the directory service exited during start');
    try {
      if ((await fetch(url)).ok) return child;
    } catch {
      // Not up yet.
    }
    await sleep(100);
  }
  throw new Error('the directory service did not start');
}

/** A simulated agent's live-update connection: counts the events it receives. */
interface Listener {
  received: number;
  latencies: number[] | undefined;
  close(): void;
}

async function openListener(base: string, token: string, sampled: boolean): Promise<Listener> {
  const controller = new AbortController();
  const response = await fetch(`${base}/v1/events`, {
    headers: { authorization: `Bearer ${token}` },
    signal: controller.signal,
  });
  if (!response.ok || !response.body) throw new Error(`events answered ${response.status}`);
  const listener: Listener = { received: 0, latencies: sampled ? [] : undefined, close: () => controller.abort() };
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let ready: () => void = () => undefined;
  const isReady = new Promise<void>((r) => (ready = r));
  void (async () => {
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done || value === undefined) return;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (block.includes('event: ready')) ready();
        else if (block.includes('event: caller-changed')) {
          listener.received += 1;
          const at = listener.latencies && /"at":(\d+)/.exec(block);
          if (at) listener.latencies!.push(Date.now() - Number(at[1]));
        }
      }
    }
  })();
  await isReady;
  return listener;
}

export async function runDirectoryBench(options: DirectoryBenchOptions = {}): Promise<BenchTable> {
  const callers = options.callers ?? envInt('BENCH_DIRECTORY_CALLERS', 1_000_000);
  const lookups = options.lookups ?? envInt('BENCH_DIRECTORY_LOOKUPS', 2_000);
  const agents = options.agents ?? envInt('BENCH_DIRECTORY_AGENTS', 2_000);
  const seconds = options.seconds ?? envInt('BENCH_DIRECTORY_SECONDS', 15);
  const rate = options.rate ?? envInt('BENCH_DIRECTORY_RATE', 20);
  const writers = options.writers ?? envInt('BENCH_DIRECTORY_WRITERS', 8);

  // fsync stays on: these figures are published.
  const postgres = await startPostgres({ durable: true, settings: { max_connections: 100, shared_buffers: '256MB' } });
  const pool = new pg.Pool({ connectionString: postgres.url(), max: 4 });
  pool.on('error', () => undefined);
  const port = reservePort({ udp: false, tcp: true });
  let service: ChildProcess | undefined;
  const listeners: Listener[] = [];
  const tempDir = mkdtempSync(join(tmpdir(), 'calmline-bench-directory-'));
  try {
    await migrate(pool);
    const seedStarted = performance.now();
    await pool.query(
      `INSERT INTO callers (number) SELECT '+49301' || lpad(g::text, 7, '0') FROM generate_series(0, $1 - 1) g`,
      [callers],
    );
    await pool.query(
      `INSERT INTO flags (id, number, kind, reason, author)
       SELECT gen_random_uuid(), number, 'insults', 'Seeded flag for the bench', 'bench' FROM callers
       WHERE right(number, 1) = '7'`,
    );
    await pool.query(
      `INSERT INTO calls (number, call_id, agent, ended_at, outcome, commitment)
       SELECT number, 'seed-' || number, 'bench', now(), 'follow-up', 'Call back' FROM callers WHERE right(number, 2) = '17'`,
    );
    await pool.query('VACUUM ANALYZE');
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    const token = (await issueToken(pool, { agent: 'bench-agent', role: 'agent', validDays: 1 })).token;

    service = await startService(postgres.url(), port);
    const base = `http://127.0.0.1:${port}`;
    const headers = { authorization: `Bearer ${token}` };

    // 1. Look-ups through the service.
    const pick = () => Math.floor(Math.random() * callers);
    for (let i = 0; i < 200; i += 1)
      await (await fetch(`${base}/v1/callers/${encodeURIComponent(numberOf(pick()))}`, { headers })).text();
    const lookupRun = await measured(service.pid!, postgres.dataDir, async () => {
      const samples: number[] = [];
      for (let i = 0; i < lookups; i += 1) {
        const number = numberOf(pick());
        const started = performance.now();
        const response = await fetch(`${base}/v1/callers/${encodeURIComponent(number)}`, { headers });
        await response.text();
        samples.push(performance.now() - started);
        if (response.status !== 200) throw new Error(`look-up answered ${response.status}`);
      }
      return summarize(samples);
    });

    // 2. The core's look-up on ring: remote (through the service) against local.
    const local = await LocalCallerDirectory.open({
      dir: join(tempDir, 'local'),
      clock: systemClock,
      logger: silentLogger,
    });
    const flaggedLocal = '+4930999000';
    await local.addFlag(flaggedLocal, { kind: 'insults', reason: 'Local flag', author: 'bench' });
    const remote = await RemoteCallerDirectory.open({
      url: base,
      token: () => token,
      local,
      dir: join(tempDir, 'remote'),
      clock: systemClock,
      logger: silentLogger,
    });
    const coreSamples = async (lookup: () => Promise<unknown>): Promise<Summary> => {
      for (let i = 0; i < 50; i += 1) await lookup();
      const samples: number[] = [];
      for (let i = 0; i < Math.min(lookups, 1_000); i += 1) {
        const started = performance.now();
        await lookup();
        samples.push(performance.now() - started);
      }
      return summarize(samples);
    };
    const remoteCore = await coreSamples(() => remote.lookup(numberOf(Math.floor(pick() / 10) * 10 + 7)));
    const localCore = await coreSamples(() => local.lookup(flaggedLocal));
    await remote.close();

    // 3. Agents holding live-update connections.
    const connectStarted = performance.now();
    const agentTokens = await Promise.all(
      Array.from({ length: Math.min(agents, 50) }, (_, i) =>
        issueToken(pool, { agent: `bench-listener-${i}`, role: 'agent', validDays: 1 }).then((t) => t.token),
      ),
    );
    for (let i = 0; i < agents; i += 50) {
      const batch = Array.from({ length: Math.min(50, agents - i) }, (_, j) =>
        openListener(base, agentTokens[(i + j) % agentTokens.length]!, i + j < 20),
      );
      listeners.push(...(await Promise.all(batch)));
    }
    const connectSeconds = (performance.now() - connectStarted) / 1000;

    const writeOnce = async (latencies: number[]): Promise<boolean> => {
      const started = performance.now();
      const response = await fetch(`${base}/v1/callers/${encodeURIComponent(numberOf(pick()))}/flags`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'idempotency-key': `bench-${randomUUID()}` },
        body: JSON.stringify({ kind: 'other', reason: 'bench write' }),
      });
      await response.text();
      latencies.push(performance.now() - started);
      return response.status === 201;
    };
    const waitForFanOut = async (expected: number): Promise<number> => {
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline && listeners.some((l) => l.received < expected)) await sleep(50);
      return listeners.filter((l) => l.received >= expected).length;
    };

    // 3a. Bounded rate.
    const boundedLatencies: number[] = [];
    let boundedOk = 0;
    const bounded = await measured(service.pid!, postgres.dataDir, async () => {
      const total = rate * seconds;
      const started = performance.now();
      const pending: Promise<void>[] = [];
      for (let i = 0; i < total; i += 1) {
        const due = started + (i * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        pending.push(writeOnce(boundedLatencies).then((ok) => void (ok && (boundedOk += 1))));
      }
      await Promise.all(pending);
      return waitForFanOut(boundedOk);
    });
    const fanOut = summarize(listeners.flatMap((l) => l.latencies ?? []));
    const boundedDelivered = bounded.result;

    // 3b. As fast as the service takes them, agents still connected.
    for (const l of listeners) {
      l.received = 0;
      if (l.latencies) l.latencies = [];
    }
    const openLatencies: number[] = [];
    let openOk = 0;
    const open = await measured(service.pid!, postgres.dataDir, async () => {
      const end = performance.now() + seconds * 1000;
      await Promise.all(
        Array.from({ length: writers }, async () => {
          while (performance.now() < end) if (await writeOnce(openLatencies)) openOk += 1;
        }),
      );
    });
    const openDelivered = await waitForFanOut(openOk);
    const openFanOut = summarize(listeners.flatMap((l) => l.latencies ?? []));

    const bounded50 = summarize(boundedLatencies);
    const open50 = summarize(openLatencies);
    const row = (metric: string, s: Summary, goal: string, verdict: string) => [
      metric,
      String(s.n),
      formatMs(s.p50),
      formatMs(s.p99),
      formatMs(s.max),
      goal,
      verdict,
    ];
    const remoteVsLocal = remoteCore.p50 - localCore.p50;
    const cpu = (m: { cpu: number; pssMiB: number }) => `${m.cpu.toFixed(0)} % CPU, ${m.pssMiB.toFixed(0)} MiB`;
    return {
      name: 'directory',
      title: `Caller directory service: ${callers.toLocaleString('en')} callers, ${agents.toLocaleString('en')} live-update connections (PostgreSQL fsync on)`,
      columns: ['metric', 'n', 'p50', 'p99', 'max', 'goal', 'verdict'],
      rows: [
        row(
          'look-up through the service (HTTP + token + SQL)',
          lookupRun.result,
          'p99 ≤ 5 ms',
          lookupRun.result.p99 <= 5 ? 'met' : 'missed',
        ),
        row(
          'core look-up on ring, remote directory',
          remoteCore,
          'within 5 ms of local',
          remoteVsLocal <= 5 ? 'met' : 'missed',
        ),
        row('core look-up on ring, local directory', localCore, '', ''),
        row(`write (bounded, ${rate}/s)`, bounded50, '', ''),
        row(
          `fan-out commit → agent stream (bounded, 20 sampled agents)`,
          fanOut,
          '< 2 s',
          fanOut.p99 < 2_000 ? 'met' : 'missed',
        ),
        row(`write (${writers} writers, unbounded)`, open50, '', ''),
        row(
          'fan-out commit → agent stream (unbounded)',
          openFanOut,
          '< 2 s',
          openFanOut.p99 < 2_000 ? 'met' : 'missed',
        ),
      ],
      notes: [
        `Seeded ${callers.toLocaleString('en')} callers (10 % flagged, 1 % with a call) in ${seedSeconds.toFixed(1)} s; ${agents} SSE connections opened in ${connectSeconds.toFixed(1)} s.`,
        `Look-ups: ${lookupRun.result.n} sequential over one keep-alive connection, random callers; service ${cpu(lookupRun.service)}, PostgreSQL ${cpu(lookupRun.postgres)}.`,
        `Core look-up: RemoteCallerDirectory.lookup p50 is ${remoteVsLocal.toFixed(2)} ms above LocalCallerDirectory.lookup (the ring → record-pushed part of ring → flags painted; the paint itself is the same for both and is measured by bench/workspace.ts).`,
        `Bounded writes: ${boundedOk} of ${rate * seconds} accepted in ${bounded.seconds.toFixed(1)} s; ${boundedDelivered} of ${agents} agents received every event; service ${cpu(bounded.service)}, PostgreSQL ${cpu(bounded.postgres)}.`,
        `Unbounded writes: ${openOk} in ${open.seconds.toFixed(1)} s = ${(openOk / open.seconds).toFixed(0)} writes/s, each fanned out to ${agents} agents (${((openOk * agents) / open.seconds).toFixed(0)} events/s); ${openDelivered} of ${agents} agents received every event within 30 s after; service ${cpu(open.service)}, PostgreSQL ${cpu(open.postgres)}.`,
        'CPU is % of one core over the phase (this machine has the cores listed below, shared with the load generator and the simulated agents, which run in the bench process). Memory is PSS, so PostgreSQL shared buffers are not counted once per backend.',
        'PostgreSQL 15 from Debian, fsync on, shared_buffers 256 MB, on 127.0.0.1; one service instance with a 20-connection pool.',
      ],
      machine: machineInfo(),
      data: {
        callers,
        agents,
        lookup: lookupRun,
        remoteCore,
        localCore,
        bounded: { ...bounded, writes: bounded50, fanOut, accepted: boundedOk },
        open: { ...open, writes: open50, fanOut: openFanOut, accepted: openOk, delivered: openDelivered },
        fsync: postgres.durable,
      },
    };
  } finally {
    for (const l of listeners) l.close();
    if (service && service.exitCode === null) {
      const exited = new Promise((r) => service!.once('exit', r));
      service.kill('SIGTERM');
      await Promise.race([exited, sleep(5_000)]);
      if (service.exitCode === null) service.kill('SIGKILL');
    }
    releasePort(port);
    await pool.end();
    await postgres.stop();
    rmSync(tempDir, { recursive: true, force: true });
  }
}
