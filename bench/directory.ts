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
 * are its own; the simulated agents run in another (bench/directory-agents.mjs), the write
 * load generator in this one.
 *
 * Environment: BENCH_DIRECTORY_CALLERS (default 1000000), BENCH_DIRECTORY_LOOKUPS (2000),
 * BENCH_DIRECTORY_AGENTS (2000), BENCH_DIRECTORY_SECONDS (15 per write phase),
 * BENCH_DIRECTORY_RATE (20 writes/s in the bounded phase), BENCH_DIRECTORY_WRITERS (8).
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
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

/** CPU ticks (user + system) and PSS (KiB) of one process, or undefined once it has ended. */
function sample(pid: number): { ticks: number; pssKiB: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    return {
      ticks: Number(fields[11]) + Number(fields[12]),
      pssKiB: Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0),
    };
  } catch {
    return undefined;
  }
}

/** Samples of a set of processes, by pid. */
function usage(pids: number[]): Map<number, { ticks: number; pssKiB: number }> {
  const samples = new Map<number, { ticks: number; pssKiB: number }>();
  for (const pid of pids) {
    const one = sample(pid);
    if (one) samples.set(pid, one);
  }
  return samples;
}

/** CPU seconds used between two samplings (a process started meanwhile counts from zero) and PSS now. */
function between(
  before: Map<number, { ticks: number; pssKiB: number }>,
  after: Map<number, { ticks: number; pssKiB: number }>,
): { cpuS: number; pssMiB: number } {
  let ticks = 0;
  let pssKiB = 0;
  for (const [pid, now] of after) {
    ticks += now.ticks - (before.get(pid)?.ticks ?? 0);
    pssKiB += now.pssKiB;
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
  const beforeService = usage([service]);
  const beforePg = usage(postgresPids(dataDir));
  const started = performance.now();
  const result = await work();
  const seconds = (performance.now() - started) / 1000;
  const serviceUse = between(beforeService, usage([service]));
  const pgUse = between(beforePg, usage(postgresPids(dataDir)));
  return {
    result,
    seconds,
    service: { cpu: (serviceUse.cpuS / seconds) * 100, pssMiB: serviceUse.pssMiB },
    postgres: { cpu: (pgUse.cpuS / seconds) * 100, pssMiB: pgUse.pssMiB },
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

/** The simulated agents, in their own process (bench/directory-agents.mjs). */
interface Agents {
  report(): Promise<{ received: number[]; latencies: number[] }>;
  reset(): Promise<void>;
  stop(): void;
  pid: number;
}

async function startAgents(base: string, tokens: string[], count: number, sampled: number): Promise<Agents> {
  const child = fork(join(import.meta.dirname, 'directory-agents.mjs'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = (type: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const onMessage = (message: Record<string, unknown>) => {
        if (message.type !== type) return;
        child.off('message', onMessage);
        resolve(message);
      };
      child.on('message', onMessage);
      child.once('exit', (code) => reject(new Error(`the agents process exited (${String(code)})`)));
    });
  const ready = next('ready');
  child.send({ type: 'start', base, tokens, count, sampled });
  await ready;
  return {
    pid: child.pid!,
    report: async () => {
      const answer = next('report');
      child.send({ type: 'report' });
      return (await answer) as unknown as { received: number[]; latencies: number[] };
    },
    reset: async () => {
      const answer = next('reset');
      child.send({ type: 'reset' });
      await answer;
    },
    stop: () => {
      if (child.connected) child.send({ type: 'stop' });
    },
  };
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
  let simulated: Agents | undefined;
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
    simulated = await startAgents(base, agentTokens, agents, 20);
    const agentsProcess = simulated;
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
    const waitForFanOut = async (expected: number): Promise<{ delivered: number; latencies: number[] }> => {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const report = await agentsProcess.report();
        const delivered = report.received.filter((n) => n >= expected).length;
        if (delivered === report.received.length || Date.now() > deadline) {
          return { delivered, latencies: report.latencies };
        }
        await sleep(100);
      }
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
    });
    const boundedFan = await waitForFanOut(boundedOk);
    const fanOut = summarize(boundedFan.latencies);
    const boundedDelivered = boundedFan.delivered;

    // 3b. As fast as the service takes them, agents still connected.
    await agentsProcess.reset();
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
    const openFan = await waitForFanOut(openOk);
    const openDelivered = openFan.delivered;
    const openFanOut = summarize(openFan.latencies);

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
      goals: [
        {
          goal: '12 directory',
          metric: `look-up through the service, ${callers.toLocaleString('en')} callers`,
          target: 'p99 ≤ 5 ms',
          measured: `p50 ${formatMs(lookupRun.result.p50)} / p99 ${formatMs(lookupRun.result.p99)} ms`,
          met: lookupRun.result.p99 <= 5,
        },
        {
          goal: '12 directory',
          metric: 'core look-up on ring, remote vs local directory',
          target: 'within 5 ms of local (p50)',
          measured: `remote p50 ${formatMs(remoteCore.p50)} ms, local p50 ${formatMs(localCore.p50)} ms`,
          met: remoteVsLocal <= 5,
        },
        {
          goal: '12 directory',
          metric: `live update commit → agent stream, ${agents} agents, ${rate} writes/s`,
          target: 'p99 < 2 s',
          measured: `p50 ${formatMs(fanOut.p50)} / p99 ${formatMs(fanOut.p99)} ms; ${boundedDelivered} of ${agents} agents got every event`,
          met: fanOut.p99 < 2_000 && boundedDelivered === agents,
        },
      ],
      sampleCounts: [
        { series: 'directory look-ups', asked: lookups, got: lookupRun.result.n },
        { series: 'directory bounded writes', asked: rate * seconds, got: boundedOk },
      ],
      notes: [
        `Seeded ${callers.toLocaleString('en')} callers (10 % flagged, 1 % with a call) in ${seedSeconds.toFixed(1)} s; ${agents} SSE connections opened in ${connectSeconds.toFixed(1)} s.`,
        `Look-ups: ${lookupRun.result.n} sequential over one keep-alive connection, random callers; service ${cpu(lookupRun.service)}, PostgreSQL ${cpu(lookupRun.postgres)}.`,
        `Core look-up: RemoteCallerDirectory.lookup p50 is ${remoteVsLocal.toFixed(2)} ms above LocalCallerDirectory.lookup (the ring → record-pushed part of ring → flags painted; the paint itself is the same for both and is measured by bench/workspace.ts).`,
        `Bounded writes: ${boundedOk} of ${rate * seconds} accepted in ${bounded.seconds.toFixed(1)} s; ${boundedDelivered} of ${agents} agents received every event; service ${cpu(bounded.service)}, PostgreSQL ${cpu(bounded.postgres)}.`,
        `Unbounded writes: ${openOk} in ${open.seconds.toFixed(1)} s = ${(openOk / open.seconds).toFixed(0)} writes/s, each fanned out to ${agents} agents (${((openOk * agents) / open.seconds).toFixed(0)} events/s); ${openDelivered} of ${agents} agents received every event (checked up to 30 s after); service ${cpu(open.service)}, PostgreSQL ${cpu(open.postgres)}.`,
        'CPU is % of one core over the phase (this machine has the cores listed below, shared with the load generator, which runs in the bench process, and the simulated agents, which run in a process of their own). Memory is PSS, so PostgreSQL shared buffers are not counted once per backend.',
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
    simulated?.stop();
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
