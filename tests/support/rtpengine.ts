/**
 * A private user-space rtpengine (Debian's `rtpengine-daemon` package) for the interop tests:
 * the media relay that bridges the agent's WebRTC (ICE, DTLS-SRTP, rtcp-mux) to plain RTP, driven
 * by Kamailio's `rtpengine` module over the ng control protocol.
 *
 * Each `startRtpEngine()` gets its own ng control port and media port range on 127.0.0.1 (from
 * ports.ts, outside the ephemeral range), its own temp dir (pid file) and its own process group,
 * and runs in the foreground with logs kept in memory. It never touches the system service or
 * /etc/rtpengine/rtpengine.conf (`--config-file none`), and needs no kernel module
 * (`--table -1`: user-space forwarding only).
 *
 * Start it BEFORE Kamailio: Kamailio's rtpengine module pings the ng socket when it starts and
 * marks an rtpengine that does not answer as disabled for `rtpengine_disable_tout` (60 s).
 *
 * Typical use:
 *   const rtpengine = await startRtpEngine();
 *   const kamailio = await startKamailio({ rtpengine: { ngSocket: rtpengine.ngSocket } });
 *   afterAll(async () => { await kamailio.stop(); await rtpengine.stop(); });
 */
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Daemon } from './daemon';
import { makeRunDir, reapOrphanedRuns } from './kamailio.js';
import { isPortBound, releasePort, reservePort } from './ports.js';

const TEMP_PREFIX = 'calmline-rtpengine-';
const MAX_LOG_CHARS = 2_000_000;

/** Options for {@link startRtpEngine}; all optional. */
export interface RtpEngineOptions {
  /** How many media ports (an even-aligned run) rtpengine may use (default 40: a call needs 4 to 8). */
  mediaPorts?: number;
  /** rtpengine `--log-level`, 0..7 (default 6 = info; 7 with CALMLINE_TEST_LOG=1). */
  logLevel?: number;
  /** Seconds without media before rtpengine drops a call (default 60, rtpengine's own default). */
  timeoutS?: number;
  /** How long to wait for the first ng `pong` (default 10000 ms). */
  readyTimeoutMs?: number;
}

/** A running test rtpengine. */
export interface RtpEngine {
  /** ng control port (UDP) on 127.0.0.1. */
  readonly ngPort: number;
  /** The ng socket as Kamailio's `rtpengine_sock` modparam wants it: "udp:127.0.0.1:<ngPort>". */
  readonly ngSocket: string;
  /** First and last media port rtpengine relays on. */
  readonly mediaPortMin: number;
  readonly mediaPortMax: number;
  /** The command line, for failure messages and the README. */
  readonly args: readonly string[];
  /** PID while running (also its process group id). */
  readonly pid: number | undefined;
  /** Everything rtpengine wrote to stdout/stderr. */
  logs(): string;
  /** Sends one ng command (e.g. `{ command: 'list' }`) and resolves with the decoded reply. */
  ng(command: NgDictionary, timeoutMs?: number): Promise<NgDictionary>;
  /** Call-IDs rtpengine currently holds (ng `list`). */
  calls(): Promise<string[]>;
  /** SIGTERM, SIGKILL after a timeout, wait for exit and the ports, delete the temp dir. Idempotent. */
  stop(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// bencode and the ng protocol: each datagram is "<cookie> <bencoded dictionary>", and the reply
// carries the same cookie.

/** A bencode value as the ng protocol uses it (byte strings are decoded as UTF-8). */
export type NgValue = string | number | NgValue[] | NgDictionary;
/** A bencode dictionary. */
export interface NgDictionary {
  [key: string]: NgValue;
}

/** Encodes a value as bencode. Dictionary keys are sorted, as bencode requires. */
export function bencode(value: NgValue): Buffer {
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([Buffer.from(`${bytes.length}:`), bytes]);
  }
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`bencode: integers only, got ${value}`);
    return Buffer.from(`i${value}e`);
  }
  if (Array.isArray(value)) return Buffer.concat([Buffer.from('l'), ...value.map(bencode), Buffer.from('e')]);
  const keys = Object.keys(value).sort();
  return Buffer.concat([
    Buffer.from('d'),
    ...keys.flatMap((k) => [bencode(k), bencode(value[k] as NgValue)]),
    Buffer.from('e'),
  ]);
}

/** Decodes one bencode value from `data` at `offset`; returns it and the offset after it. */
export function bdecode(data: Buffer, offset = 0): { value: NgValue; next: number } {
  const c = String.fromCharCode(data[offset] ?? 0);
  if (c === 'i') {
    const end = data.indexOf(0x65 /* e */, offset);
    if (end < 0) throw new Error('bdecode: unterminated integer');
    return { value: Number(data.toString('ascii', offset + 1, end)), next: end + 1 };
  }
  if (c === 'l' || c === 'd') {
    const items: NgValue[] = [];
    let at = offset + 1;
    while (data[at] !== 0x65) {
      if (at >= data.length) throw new Error('bdecode: unterminated list or dictionary');
      const item = bdecode(data, at);
      items.push(item.value);
      at = item.next;
    }
    if (c === 'l') return { value: items, next: at + 1 };
    const dict: NgDictionary = {};
    for (let i = 0; i + 1 < items.length; i += 2) dict[String(items[i])] = items[i + 1] as NgValue;
    return { value: dict, next: at + 1 };
  }
  if (c >= '0' && c <= '9') {
    const colon = data.indexOf(0x3a /* : */, offset);
    if (colon < 0) throw new Error('bdecode: bad string length');
    const length = Number(data.toString('ascii', offset, colon));
    const start = colon + 1;
    if (start + length > data.length) throw new Error('bdecode: string runs past the end');
    return { value: data.toString('utf8', start, start + length), next: start + length };
  }
  throw new Error(`bdecode: unexpected byte ${JSON.stringify(c)} at ${offset}`);
}

/**
 * Sends one ng command to 127.0.0.1:`port` and resolves with the reply dictionary. Rejects on
 * timeout or an unreadable reply; a reply with `result: "error"` is returned as is.
 */
export async function ngRequest(port: number, command: NgDictionary, timeoutMs = 1_000): Promise<NgDictionary> {
  const cookie = randomBytes(6).toString('hex');
  const socket = createSocket('udp4');
  try {
    return await new Promise<NgDictionary>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`rtpengine ng ${String(command.command)}: no reply within ${timeoutMs} ms`)),
        timeoutMs,
      );
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.on('message', (message) => {
        const space = message.indexOf(0x20);
        if (space < 0 || message.toString('ascii', 0, space) !== cookie) return;
        clearTimeout(timer);
        try {
          const { value } = bdecode(message, space + 1);
          if (typeof value !== 'object' || Array.isArray(value)) throw new Error('the reply is not a dictionary');
          resolve(value);
        } catch (error) {
          reject(new Error(`rtpengine ng ${String(command.command)}: unreadable reply: ${(error as Error).message}`));
        }
      });
      socket.send(Buffer.concat([Buffer.from(`${cookie} `), bencode(command)]), port, '127.0.0.1', (error) => {
        if (error) {
          clearTimeout(timer);
          reject(error);
        }
      });
    });
  } finally {
    socket.close();
  }
}

/** Resolves once the ng socket answers `ping` with `pong`. */
export async function pingRtpEngine(port: number, timeoutMs = 500): Promise<void> {
  const reply = await ngRequest(port, { command: 'ping' }, timeoutMs);
  if (reply.result !== 'pong') throw new Error(`rtpengine answered ping with ${JSON.stringify(reply)}`);
}

class RtpEngineProcess implements RtpEngine {
  readonly ngSocket: string;
  private readonly daemon: Daemon;
  private stopping: Promise<void> | undefined;

  constructor(
    readonly ngPort: number,
    readonly mediaPortMin: number,
    readonly mediaPortMax: number,
    readonly args: readonly string[],
    private readonly dir: string,
    readyTimeoutMs: number,
  ) {
    this.ngSocket = `udp:127.0.0.1:${ngPort}`;
    this.daemon = new Daemon({
      name: 'rtpengine',
      command: 'rtpengine',
      args,
      dir,
      readyTimeoutMs,
      // Serving means: the ng socket answers ping.
      probe: () => pingRtpEngine(ngPort, 300),
      portsFree: () => !isPortBound(ngPort, 'udp'),
      context: args.join(' '),
      spawnHint: 'install the Debian package rtpengine-daemon',
      maxLogChars: MAX_LOG_CHARS,
    });
  }

  get pid(): number | undefined {
    return this.daemon.pid;
  }

  logs(): string {
    return this.daemon.logs();
  }

  /** Spawns rtpengine and waits until its ng socket answers ping. */
  launch(): Promise<void> {
    return this.daemon.launch();
  }

  ng(command: NgDictionary, timeoutMs = 1_000): Promise<NgDictionary> {
    return ngRequest(this.ngPort, command, timeoutMs);
  }

  async calls(): Promise<string[]> {
    const reply = await this.ng({ command: 'list' });
    if (reply.result !== 'ok') throw new Error(`rtpengine list failed: ${JSON.stringify(reply)}`);
    const calls = reply.calls;
    return Array.isArray(calls) ? calls.map(String) : [];
  }

  async stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.daemon.kill();
      rmSync(this.dir, { recursive: true, force: true });
      releasePort(this.ngPort);
      releasePort(this.mediaPortMin, this.mediaPortMax - this.mediaPortMin + 1);
    })();
    await this.stopping;
  }
}

/**
 * The rtpengine command line the test bed uses (also quoted in the README): user space only,
 * loopback only, no config file, foreground with logs on stderr.
 */
export function rtpengineArgs(params: {
  ngPort: number;
  portMin: number;
  portMax: number;
  pidFile: string;
  logLevel: number;
  timeoutS: number;
}): string[] {
  return [
    '--config-file=none',
    '--table=-1',
    '--interface=127.0.0.1',
    `--listen-ng=127.0.0.1:${params.ngPort}`,
    `--port-min=${params.portMin}`,
    `--port-max=${params.portMax}`,
    `--timeout=${params.timeoutS}`,
    // Forget a call as soon as it is deleted (default 30 s), so a test can see the hang-up reach
    // rtpengine and the ports come back at once.
    '--delete-delay=0',
    '--foreground',
    '--log-stderr',
    `--log-level=${params.logLevel}`,
    // A path inside the run dir on the command line lets reapOrphanedRuns find a leftover process.
    '--pidfile',
    params.pidFile,
  ];
}

/**
 * Starts a private user-space rtpengine on fresh loopback ports and resolves once its ng socket
 * answers ping. Pair it with `afterAll(() => rtpengine.stop())`; a process 'exit' hook SIGKILLs it
 * as a last resort, and the next start reaps runs whose test process died.
 */
export async function startRtpEngine(options: RtpEngineOptions = {}): Promise<RtpEngine> {
  reapOrphanedRuns(TEMP_PREFIX);
  const span = options.mediaPorts ?? 40;
  const ngPort = reservePort({ udp: true });
  const portMin = reservePort({ udp: true, span, even: true });
  const dir = makeRunDir(TEMP_PREFIX);
  const args = rtpengineArgs({
    ngPort,
    portMin,
    portMax: portMin + span - 1,
    pidFile: join(dir, 'rtpengine.pid'),
    logLevel: options.logLevel ?? (process.env.CALMLINE_TEST_LOG ? 7 : 6),
    timeoutS: options.timeoutS ?? 60,
  });
  const engine = new RtpEngineProcess(ngPort, portMin, portMin + span - 1, args, dir, options.readyTimeoutMs ?? 10_000);
  try {
    await engine.launch();
    return engine;
  } catch (error) {
    await engine.stop();
    throw error;
  }
}
