/**
 * Start and idle benchmark (issue 14, goal 4): how long from starting the web host's
 * process (the real core in Node) to the agent being registered, how much memory the
 * idle core holds, and the renderer's JS heap once the page is open.
 *
 * - **process start → registered**: the bench bundles src/webhost/main.ts with esbuild
 *   into out/bench-webhost/ (as a deployment would run it: one file, node_modules
 *   outside, the history index worker as its own entry) and spawns `node` on it with a
 *   fresh SIP account preset (CALMLINE_WS_URL …). The clock starts just before the
 *   spawn and stops when the 200 OK to the process's REGISTER passes a WebSocket relay
 *   the bench puts between the process and Kamailio: the moment the core's sip.js reads
 *   that frame it is registered. The relay's hop (one loopback copy per frame) is inside
 *   the figure. The same under tsx (`npm run web`, TypeScript compiled at start) is
 *   reported beside it, not judged.
 * - **idle core RSS**: VmRSS of the process (/proc/<pid>/status) 2 s after registering,
 *   with the renderer page attached over the bridge (the state an agent leaves it in).
 * - **renderer JS heap**: Chromium's Runtime.getHeapUsage (CDP) of that page after a
 *   forced GC.
 *
 * Electron: no binary can be downloaded on this machine, so Electron's start is not
 * measured here.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import WebSocket, { WebSocketServer } from 'ws';
import { launchChromium } from '../tests/support/browser';
import { startKamailio, type Kamailio } from '../tests/support/kamailio';
import { type BenchTable, formatMs, machineInfo, sleep, summarize } from './support';

/** Goal 4: process start → registered, ms. */
export const GOAL_START_MS = 1_500;
/** Goal 4: idle core RSS, MB (10^6 bytes). */
export const GOAL_IDLE_RSS_MB = 80;

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BUNDLE_DIR = join(ROOT, 'out/bench-webhost');

/** Bundles the web host for Node (see the module comment); returns the entry file. */
async function bundleWebHost(): Promise<string> {
  await build({
    entryPoints: {
      // main.ts finds out/renderer two folders up from itself, as from src/webhost.
      webhost: join(ROOT, 'src/webhost/main.ts'),
      'history-index-worker': join(ROOT, 'src/core/storage/history/history-index-worker.ts'),
    },
    outdir: BUNDLE_DIR,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  return join(BUNDLE_DIR, 'webhost.js');
}

/** A WebSocket relay to Kamailio that notes when a 200 OK to a REGISTER goes to the client. */
async function startRelay(kamailio: Kamailio): Promise<{
  url: string;
  registered: () => Promise<number>;
  close: () => Promise<void>;
}> {
  const server = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    handleProtocols: (protocols) => [...protocols][0] ?? false,
  });
  let onRegistered: ((t: number) => void) | undefined;
  server.on('connection', (client, request) => {
    const protocol = request.headers['sec-websocket-protocol'];
    const upstream = new WebSocket(kamailio.wsUrl, protocol ? [protocol] : []);
    const pending: WebSocket.RawData[] = [];
    upstream.on('open', () => {
      for (const data of pending.splice(0)) upstream.send(data);
    });
    client.on('message', (data, isBinary) => {
      if (upstream.readyState === WebSocket.OPEN) upstream.send(data, { binary: isBinary });
      else pending.push(data);
    });
    upstream.on('message', (data, isBinary) => {
      const t = performance.now();
      client.send(data, { binary: isBinary });
      const text = data.toString();
      if (onRegistered && text.startsWith('SIP/2.0 200') && /^CSeq:\s*\d+\s+REGISTER/im.test(text)) onRegistered(t);
    });
    const closeBoth = () => {
      client.close();
      upstream.close();
    };
    client.on('close', closeBoth);
    upstream.on('close', closeBoth);
    upstream.on('error', closeBoth);
    client.on('error', closeBoth);
  });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}`,
    registered: () =>
      new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('not registered within 20 s')), 20_000);
        onRegistered = (t) => {
          clearTimeout(timer);
          onRegistered = undefined;
          resolve(t);
        };
      }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}

/** VmRSS of a process in MB (10^6 bytes; /proc's "kB" are KiB). */
export function rssMB(pid: number, field: 'VmRSS' | 'RssAnon' | 'RssFile' = 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status)?.[1]);
  return (kib * 1024) / 1e6;
}

interface StartRound {
  registeredMs: number;
  url: string;
  pid: number;
  stop: () => Promise<void>;
}

/** Starts the web host process and resolves once it is registered. */
async function startOnce(
  command: string,
  args: string[],
  kamailio: Kamailio,
  relay: Awaited<ReturnType<typeof startRelay>>,
  dataDir: string,
  user: string,
): Promise<StartRound> {
  const registered = relay.registered();
  const t0 = performance.now();
  const child = spawn(command, [...args, '--data-dir', dataDir], {
    cwd: ROOT,
    env: {
      ...process.env,
      CALMLINE_WS_URL: relay.url,
      CALMLINE_SIP_URI: `sip:${user}@${kamailio.domain}`,
      CALMLINE_DISPLAY_NAME: 'Bench Agent',
      CALMLINE_MEDIA: 'signalling',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const found = /(http:\/\/127\.0\.0\.1:\d+\/#token=\S+)/.exec(output)?.[1];
      if (found) resolve(found);
    });
    child.once('exit', (code) => reject(new Error(`the web host exited (${String(code)}): ${output.slice(-500)}`)));
  });
  child.stderr.on('data', (chunk: Buffer) => void (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const [t1, hostUrl] = await Promise.all([registered, url]);
    return {
      registeredMs: t1 - t0,
      url: hostUrl,
      pid: child.pid ?? 0,
      stop: async () => {
        child.kill('SIGTERM');
        await Promise.race([exited, sleep(5_000)]);
        if (child.exitCode === null) child.kill('SIGKILL');
        await exited;
      },
    };
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw error;
  }
}

/** Runs the start and idle benchmark; `rounds` starts of the bundled host (after one warm-up). */
export async function runStartupBench(options: { rounds?: number; quick?: boolean } = {}): Promise<BenchTable> {
  const rounds = Math.max(1, options.rounds ?? 10);
  const tsxRounds = options.quick ? 1 : Math.max(1, Math.ceil(rounds / 3));
  const entry = await bundleWebHost();
  const kamailio = await startKamailio();
  const relay = await startRelay(kamailio);
  const dataDir = mkdtempSync(join(tmpdir(), 'calmline-bench-start-'));
  const bundled: number[] = [];
  const tsx: number[] = [];
  let firstStartMs = Number.NaN;
  let idleRss = Number.NaN;
  let idleRssNoPage = Number.NaN;
  let idleAnon = Number.NaN;
  let idleFile = Number.NaN;
  let heapUsedMiB = Number.NaN;
  let heapTotalMiB = Number.NaN;
  const browser = await launchChromium();
  try {
    // Round 0: a fresh data folder (files created), left out of the figures.
    for (let i = 0; i <= rounds; i += 1) {
      const round = await startOnce(process.execPath, [entry], kamailio, relay, dataDir, '1001');
      if (i === 0) firstStartMs = round.registeredMs;
      else bundled.push(round.registeredMs);
      if (i === rounds) {
        // The idle process: 2 s after registering, then with the page attached.
        await sleep(2_000);
        idleRssNoPage = rssMB(round.pid);
        const page = await (await browser.newContext({ locale: 'en-US' })).newPage();
        await page.goto(round.url);
        await page.getByTestId('registration-status').and(page.locator('[data-status="registered"]')).waitFor();
        await sleep(2_000);
        idleRss = rssMB(round.pid);
        idleAnon = rssMB(round.pid, 'RssAnon');
        idleFile = rssMB(round.pid, 'RssFile');
        const cdp = await page.context().newCDPSession(page);
        await cdp.send('HeapProfiler.collectGarbage');
        const heap = await cdp.send('Runtime.getHeapUsage');
        heapUsedMiB = heap.usedSize / 2 ** 20;
        heapTotalMiB = heap.totalSize / 2 ** 20;
        await page.close();
      }
      await round.stop();
    }
    const tsxCli = join(ROOT, 'node_modules/tsx/dist/cli.mjs');
    for (let i = 0; i < tsxRounds; i += 1) {
      const round = await startOnce(
        process.execPath,
        [tsxCli, 'src/webhost/main.ts'],
        kamailio,
        relay,
        dataDir,
        '1001',
      );
      tsx.push(round.registeredMs);
      await round.stop();
    }
  } finally {
    await browser.close().catch(() => undefined);
    await relay.close();
    await kamailio.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const start = summarize(bundled);
  const dev = summarize(tsx);
  const startMet = start.n > 0 && start.p50 <= GOAL_START_MS && start.max <= GOAL_START_MS;
  const rssMet = Number.isFinite(idleRss) && idleRss <= GOAL_IDLE_RSS_MB;
  return {
    name: 'startup',
    title: 'Start and idle: the web host and the core in Node',
    columns: ['metric', 'p50', 'p99', 'max', 'samples', 'goal', 'met'],
    rows: [
      [
        'process start → registered (bundled web host, node), ms',
        formatMs(start.p50),
        formatMs(start.p99),
        formatMs(start.max),
        String(start.n),
        `every start ≤ ${GOAL_START_MS} ms`,
        startMet ? 'yes' : 'NO',
      ],
      ['first start, fresh data folder (not judged), ms', formatMs(firstStartMs), '', '', '1', '', ''],
      [
        'process start → registered under tsx (`npm run web`, not judged), ms',
        formatMs(dev.p50),
        formatMs(dev.p99),
        formatMs(dev.max),
        String(dev.n),
        '',
        '',
      ],
      ['idle core RSS, registered, no page, MB', idleRssNoPage.toFixed(1), '', '', '1', '', ''],
      [
        'idle core RSS, registered, page attached, MB',
        idleRss.toFixed(1),
        '',
        '',
        '1',
        `≤ ${GOAL_IDLE_RSS_MB} MB`,
        rssMet ? 'yes' : 'NO',
      ],
      [
        'of which anonymous (heaps) / file-backed (the node binary and libraries, shared), MB',
        `${idleAnon.toFixed(1)} / ${idleFile.toFixed(1)}`,
        '',
        '',
        '1',
        '',
        '',
      ],
      [
        'renderer JS heap after GC (used / total), MiB',
        `${heapUsedMiB.toFixed(1)} / ${heapTotalMiB.toFixed(1)}`,
        '',
        '',
        '1',
        'reported',
        '',
      ],
    ],
    notes: [
      'Start: from just before spawn() to the 200 OK of the REGISTER passing the bench’s WebSocket relay to the process (so the REGISTER round trip through Kamailio, and the relay’s hop, are inside). The same data folder for every measured start (round 0 created it).',
      'The bundled web host is src/webhost/main.ts built by esbuild into out/bench-webhost/ (node_modules external); under tsx the TypeScript is compiled at start, which is why it is slower.',
      'RSS: VmRSS of the process from /proc, 2 s after registering. Renderer heap: Runtime.getHeapUsage over CDP after HeapProfiler.collectGarbage, Debian’s Chromium, headless.',
      'Electron: its binary cannot be downloaded here, so its start is not measured.',
      'Where the idle RSS goes (measured by hand on 2026-12-04, not by this run): a bare `node` process is about 40 MB, 34 MB of it the node binary mapped from disk (file-backed, shared); the history index worker thread (its own V8 isolate) about 20 MB; V8’s young generation grows to 16 MB semi-spaces during start-up (some 10 MB of RSS; `--max-semi-space-size=1` takes it back, `--lite-mode` gets the whole process to about 79 MB at the cost of the optimising compiler). None of these is a leak; reaching 80 MB needs the index back on the main thread or a lighter runtime.',
    ],
    machine: machineInfo(),
    goals: [
      {
        goal: '4 start and idle',
        metric: 'process start → registered (web host + core in Node)',
        target: `≤ ${GOAL_START_MS} ms (every start)`,
        measured: `p50 ${formatMs(start.p50)} / max ${formatMs(start.max)} ms over ${start.n}`,
        met: startMet,
      },
      {
        goal: '4 start and idle',
        metric: 'idle core RSS (registered, page attached)',
        target: `≤ ${GOAL_IDLE_RSS_MB} MB`,
        measured: `${idleRss.toFixed(1)} MB (no page: ${idleRssNoPage.toFixed(1)})`,
        met: rssMet,
      },
      {
        goal: '4 start and idle',
        metric: 'renderer JS heap (reported)',
        target: 'reported',
        measured: `${heapUsedMiB.toFixed(1)} MiB used of ${heapTotalMiB.toFixed(1)}`,
        met: Number.isFinite(heapUsedMiB),
      },
    ],
    sampleCounts: [
      { series: 'start → registered (bundled)', asked: rounds, got: start.n },
      { series: 'start → registered (tsx)', asked: tsxRounds, got: dev.n },
    ],
    data: { bundled, tsx, firstStartMs, idleRss, idleAnon, idleFile, idleRssNoPage, heapUsedMiB, heapTotalMiB },
  };
}
