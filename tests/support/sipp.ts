/**
 * Runs SIPp 3.6 scenarios from tests/sipp/ against the test Kamailio.
 *
 * One SIPp process = one call (`-m 1 -l 1`). Every run gets its own SIP, media and control ports
 * (all on 127.0.0.1), its own temp dir for the message/error traces, and hard timeouts so that a
 * hung call fails the test quickly instead of hanging it. Values such as the caller's display name
 * are passed as SIPp `-key` keywords on the command line: argv carries any UTF-8 text (markup,
 * quotes, U+202E, ';', long strings) byte for byte, which a `-inf` CSV could not (';' separates
 * fields there).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeRunDir, reapOrphanedRuns } from './kamailio.js';
import { releasePort, reservePort, waitForPortBound } from './ports.js';

const TEMP_PREFIX = 'calmline-sipp-';

/** Directory holding the scenario XML files (tests/sipp/). */
export const SIPP_SCENARIO_DIR = fileURLToPath(new URL('../sipp/', import.meta.url));

/** Options for {@link runSipp}. Only `scenario` is required. */
export interface SippOptions {
  /** Scenario file name in tests/sipp/ (e.g. "caller-answered-then-bye.xml") or an absolute path. */
  scenario: string;
  /** Kamailio to talk to: its UDP port is the remote end, its domain the default `domain`. */
  kamailio?: { readonly udpPort: number; readonly domain: string };
  /** Remote UDP port on 127.0.0.1 when no `kamailio` is given. UAS-only scenarios may omit both. */
  remotePort?: number;
  /** SIPp `-s`: the called user for caller scenarios, the own user for UAS scenarios (default "2000"). */
  service?: string;
  /** Caller's user part in From/Contact (default "5551234"). */
  caller?: string;
  /** Caller's display name, raw text; quoted-string escaping is applied unless `displayNameVerbatim`. */
  displayName?: string;
  /**
   * Put `displayName` between the quotes exactly as given (no escaping of `"` and `\`), for tests
   * that need broken or hostile quoting. CR/LF then inject header lines. NUL cannot be passed.
   */
  displayNameVerbatim?: boolean;
  /** SIP domain in URIs (default: kamailio.domain, else "127.0.0.1"). */
  domain?: string;
  /** Extra header lines inserted in the initial request, e.g. ["P-Asserted-Identity: <sip:1@x>"]. */
  extraHeaders?: string[];
  /** REGISTER expiry in seconds for registering scenarios (default 3600). */
  expires?: number;
  /** More `-key name value` keywords (used as [name] in scenarios). */
  keys?: Record<string, string>;
  /**
   * SIPp `-set name value` global variables, for scenarios that declare `<Global variables="name"/>`
   * and use `[$name]` (SIPp aborts on a variable referenced only once). Plain text is simpler as `keys`.
   */
  globals?: Record<string, string>;
  /** Duration of `<pause/>` in ms (SIPp -d; default 500). */
  pauseMs?: number;
  /** Default timeout of each `<recv>` without its own timeout, ms (default 15000). */
  recvTimeoutMs?: number;
  /** Hard limit for the whole run, ms; reaching it is a failure (default 60000). */
  timeoutMs?: number;
  /** Local SIP port; default a free one. Reuse it to run a UAS where a REGISTER scenario registered. */
  localPort?: number;
  /** Digest credentials (-au/-ap) for scenarios that answer a 401/407 with [authentication]. */
  authUser?: string;
  /** Password for `authUser`. */
  authPassword?: string;
  /** Extra raw SIPp arguments, appended last. */
  extraArgs?: string[];
  /** Keep the run's temp dir (traces) after it ends, for debugging (default false). */
  keepFiles?: boolean;
}

/** Outcome of one SIPp run. */
export interface SippResult {
  /** SIPp exit code: 0 = the call passed, 1 = it failed, 97/99/255/254 = aborted / no call / fatal. */
  exitCode: number | null;
  /** Signal that ended SIPp, if killed. */
  signal: NodeJS.Signals | null;
  /** Convenience: exitCode === 0. */
  passed: boolean;
  /** Text of the -trace_msg message log: every SIP message sent and received, in order. */
  messages: string;
  /** Text of the -trace_err error log (unexpected messages, timeouts...). */
  errors: string;
  /** SIPp's stderr. */
  stderr: string;
  /** SIPp's stdout (screens), trimmed to the end. */
  stdout: string;
  /** The command line, for failure messages. */
  command: string;
}

/** A running SIPp. */
export interface SippRun {
  /** Local SIP port SIPp binds on 127.0.0.1 (Contact/Via). */
  readonly localPort: number;
  /** Local RTP port announced in SDP. */
  readonly mediaPort: number;
  /** Arguments passed to sipp. */
  readonly args: readonly string[];
  /** Settles when SIPp exits (never rejects; inspect `passed`). */
  readonly done: Promise<SippResult>;
  /** Resolves once SIPp's SIP socket is bound, i.e. a UAS can be called. */
  listening(timeoutMs?: number): Promise<void>;
  /** Stops SIPp (SIGTERM, then SIGKILL) and resolves with its result. */
  kill(): Promise<SippResult>;
}

/** A message from the SIPp trace. */
export interface SippTraceMessage {
  /** Whether SIPp sent or received it. */
  direction: 'sent' | 'received';
  /** Start line, e.g. "SIP/2.0 200 OK" or "BYE sip:... SIP/2.0". */
  firstLine: string;
  /** Whole message text. */
  text: string;
}

/** Running SIPps started by this process -> their temp dirs. */
const live = new Map<ChildProcess, string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A SIPp left running would keep its ports and keep sending retransmissions.
  process.on('exit', () => {
    for (const [child, dir] of live) {
      try {
        child.kill('SIGKILL');
      } catch {
        // Already gone.
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

/**
 * Escapes text for use inside a SIP quoted-string (RFC 3261 quoted-pair for `"` and `\`).
 * Throws on CR, LF and NUL, which a quoted-string cannot hold: use `displayNameVerbatim` to
 * send those on purpose.
 */
export function quoteDisplayName(raw: string): string {
  if (/[\r\n\0]/.test(raw))
    throw new Error('display name contains CR, LF or NUL; pass displayNameVerbatim to send it raw');
  return raw.replace(/[\\"]/g, (c) => `\\${c}`);
}

function checkArg(name: string, value: string): string {
  if (value.includes('\0')) throw new Error(`${name}: NUL cannot be passed on a command line`);
  return value;
}

/**
 * Splits a SIPp -trace_msg log into messages with their direction, so tests can assert e.g. that
 * SIPp received "SIP/2.0 200 OK" and then sent ACK.
 */
export function parseSippTrace(messages: string): SippTraceMessage[] {
  const out: SippTraceMessage[] = [];
  const blocks = messages.split(/^-{20,}[^\n]*\n/m);
  for (const block of blocks) {
    const m = /^\s*\S+ message (sent|received)[^\n]*\n\n?([\s\S]*)$/.exec(block);
    if (!m?.[1] || m[2] === undefined) continue;
    const text = m[2].replace(/\s+$/, '');
    out.push({ direction: m[1] === 'sent' ? 'sent' : 'received', firstLine: text.split(/\r?\n/)[0] ?? '', text });
  }
  return out;
}

/** Human-readable summary of a run for assertion messages: exit code, command, errors, trace. */
export function formatSippResult(result: SippResult): string {
  const trace = parseSippTrace(result.messages)
    .map((m) => `  ${m.direction === 'sent' ? '->' : '<-'} ${m.firstLine}`)
    .join('\n');
  return [
    `sipp exit=${String(result.exitCode)} signal=${String(result.signal)}`,
    `command: ${result.command}`,
    `flow:\n${trace || '  (no messages)'}`,
    result.errors ? `errors:\n${result.errors.slice(-8000)}` : '',
    result.stderr ? `stderr:\n${result.stderr.slice(-4000)}` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts SIPp with one scenario for one call and returns at once; `await run.done` for the result.
 * Exit code 0 means the scenario passed. The process is killed by a process 'exit' hook if a test
 * forgets it; call `kill()` in cleanup for runs that may still be waiting (UAS).
 */
export function runSipp(options: SippOptions): SippRun {
  installExitHook();
  reapOrphanedRuns(TEMP_PREFIX);
  const scenarioPath = isAbsolute(options.scenario) ? options.scenario : join(SIPP_SCENARIO_DIR, options.scenario);
  const ownsLocalPort = options.localPort === undefined;
  const localPort = options.localPort ?? reservePort({ udp: true });
  const mediaPort = reservePort({ udp: true, span: 4, even: true });
  const controlPort = reservePort({ udp: true });
  const dir = makeRunDir(TEMP_PREFIX);
  const messageFile = join(dir, 'messages.log');
  const errorFile = join(dir, 'errors.log');
  const domain = options.domain ?? options.kamailio?.domain ?? '127.0.0.1';
  const remotePort = options.kamailio?.udpPort ?? options.remotePort;
  const display = options.displayName ?? 'Test Caller';

  const keys: Record<string, string> = {
    display: options.displayNameVerbatim ? display : quoteDisplayName(display),
    caller: options.caller ?? '5551234',
    domain,
    expires: String(options.expires ?? 3600),
    // Appended to the end of the User-Agent line, so every extra header starts with
    // its own CRLF; an empty value adds nothing.
    extra_headers: (options.extraHeaders ?? []).map((header) => `\r\n${header}`).join(''),
    ...options.keys,
  };

  const args: string[] = [];
  if (remotePort !== undefined) args.push(`127.0.0.1:${remotePort}`);
  args.push(
    '-sf',
    scenarioPath,
    '-t',
    'u1',
    '-i',
    '127.0.0.1',
    '-p',
    String(localPort),
    '-mi',
    '127.0.0.1',
    '-mp',
    String(mediaPort),
    '-ci',
    '127.0.0.1',
    '-cp',
    String(controlPort),
    '-s',
    checkArg('service', options.service ?? '2000'),
    '-m',
    '1',
    '-l',
    '1',
    '-d',
    String(options.pauseMs ?? 500),
    '-recv_timeout',
    String(options.recvTimeoutMs ?? 15_000),
    '-timeout',
    `${Math.ceil((options.timeoutMs ?? 60_000) / 1000)}s`,
    '-timeout_error',
    '-aa',
    '-nostdin',
    '-trace_msg',
    '-message_file',
    messageFile,
    '-trace_err',
    '-error_file',
    errorFile,
  );
  for (const [name, value] of Object.entries(keys)) args.push('-key', name, checkArg(name, value));
  for (const [name, value] of Object.entries(options.globals ?? {})) args.push('-set', name, checkArg(name, value));
  if (options.authUser !== undefined) args.push('-au', checkArg('authUser', options.authUser));
  if (options.authPassword !== undefined) args.push('-ap', checkArg('authPassword', options.authPassword));
  args.push(...(options.extraArgs ?? []));

  const command = `sipp ${args.map((a) => (/^[\w./:@=-]+$/.test(a) ? a : JSON.stringify(a))).join(' ')}`;
  let stdout = '';
  let stderr = '';
  const child = spawn('sipp', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  live.set(child, dir);
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    stdout = (stdout + d).slice(-20_000);
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-100_000);
  });

  const readText = (file: string): string => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return '';
    }
  };

  const done = new Promise<SippResult>((resolve) => {
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null, extra = ''): void => {
      live.delete(child);
      const result: SippResult = {
        exitCode,
        signal,
        passed: exitCode === 0,
        messages: readText(messageFile),
        errors: readText(errorFile),
        stderr: stderr + extra,
        stdout,
        command,
      };
      if (!options.keepFiles) rmSync(dir, { recursive: true, force: true });
      if (ownsLocalPort) releasePort(localPort);
      releasePort(mediaPort, 4);
      releasePort(controlPort);
      resolve(result);
    };
    child.once('error', (err) => finish(null, null, `\nspawn error: ${err.message}`));
    child.once('close', (code, signal) => finish(code, signal));
  });

  return {
    localPort,
    mediaPort,
    args,
    done,
    async listening(timeoutMs = 5000): Promise<void> {
      await Promise.race([
        waitForPortBound(localPort, 'udp', timeoutMs),
        done.then((r) => {
          throw new Error(`sipp exited before listening:\n${formatSippResult(r)}`);
        }),
      ]);
    },
    async kill(): Promise<SippResult> {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timedOut = await Promise.race([done.then(() => false), sleep(2000).then(() => true)]);
        if (timedOut) child.kill('SIGKILL');
      }
      return await done;
    },
  };
}

/** Options for {@link startRegisteredUas}. */
export type RegisteredUasOptions = Omit<SippOptions, 'scenario' | 'localPort'> & {
  /** Scenario that takes the call (default "uas-answer.xml"). */
  scenario?: string;
};

/** A SIPp UAS registered at Kamailio and waiting for a call. */
export interface RegisteredUas extends SippRun {
  /** Result of the REGISTER run (uas-register.xml). */
  readonly registration: SippResult;
}

/**
 * Registers `service` (default "2000") over UDP with uas-register.xml, then starts a UAS scenario
 * on the same local port (SIPp cannot take a call with a new Call-ID in a scenario that began by
 * sending REGISTER). Resolves once the UAS is listening; rejects with the SIPp trace if the
 * registration fails. Kill it in cleanup: `afterAll(() => uas.kill())`.
 */
export async function startRegisteredUas(options: RegisteredUasOptions): Promise<RegisteredUas> {
  const localPort = reservePort({ udp: true });
  try {
    const { scenario = 'uas-answer.xml', ...rest } = options;
    const registration = await runSipp({ ...rest, scenario: 'uas-register.xml', localPort }).done;
    if (!registration.passed) throw new Error(`REGISTER failed:\n${formatSippResult(registration)}`);
    const run = runSipp({ ...rest, scenario, localPort });
    void run.done.then(() => releasePort(localPort));
    await run.listening();
    return { ...run, registration, listening: run.listening, kill: run.kill };
  } catch (err) {
    releasePort(localPort);
    throw err;
  }
}
