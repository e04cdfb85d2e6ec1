/**
 * A test server run as a child in its own process group (Kamailio, rtpengine): spawned,
 * probed until it serves, its output kept for failure messages, and stopped for good
 * (SIGTERM, then SIGKILL of the whole group, then waiting for its ports). A process
 * 'exit' hook kills whatever a test run leaves behind and removes its run dir.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

/** What one daemon is and how to tell it serves. */
export interface DaemonSpec {
  /** Short name for logs and errors, e.g. "kamailio". */
  name: string;
  command: string;
  args: readonly string[];
  /** The run dir: removed by the exit hook if the test never stops the daemon. */
  dir: string;
  readyTimeoutMs: number;
  /** Resolves once the daemon serves; rejects with why not (tried again until the deadline). */
  probe(): Promise<void>;
  /** True once the daemon's ports are free again. */
  portsFree(): boolean;
  /** A line for failure messages: the config file, the command line. */
  context: string;
  /** Said when the command cannot be spawned at all, e.g. which Debian package to install. */
  spawnHint?: string;
  /** Output kept in memory, in characters (older half dropped beyond it). */
  maxLogChars: number;
}

/** Main PID (= process group id) -> run dir of daemons started by this process and not yet stopped. */
const liveGroups = new Map<number, string>();
let exitHookInstalled = false;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort when a test run ends without stop(): a daemon's children survive a SIGKILL of
  // its main process and keep the ports, so the whole process group is killed.
  process.on('exit', () => {
    for (const [pid, dir] of liveGroups) {
      killGroup(pid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class Daemon {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private logText = '';

  constructor(private readonly spec: DaemonSpec) {
    installExitHook();
  }

  /** The running process's PID, or undefined when it is not running. */
  get pid(): number | undefined {
    return this.child?.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  logs(): string {
    return this.logText;
  }

  /** Adds a line of our own to the log (e.g. a restart marker). */
  note(text: string): void {
    this.appendLog(text);
  }

  /** An Error with `message`, the spec's context and the end of the daemon's output. */
  failure(message: string): Error {
    const { name, context } = this.spec;
    return new Error(`${message}\n--- ${name} ${context}\n--- ${name} logs:\n${this.logText.slice(-20_000)}`);
  }

  /** Spawns the daemon in its own process group and waits until its probe passes. */
  async launch(): Promise<void> {
    const { name, command, args, dir, readyTimeoutMs } = this.spec;
    // Own process group, so kill() and the exit hook reach the children it forks.
    const child = spawn(command, [...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout?.setEncoding('utf8').on('data', (d: string) => this.appendLog(d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => this.appendLog(d));
    let spawnError: Error | undefined;
    this.exited = new Promise<void>((resolve) => {
      child.once('error', (error) => {
        spawnError = error;
        resolve();
      });
      child.once('exit', (code, signal) => {
        this.appendLog(`\n[${name} exited: code=${String(code)} signal=${String(signal)}]\n`);
        resolve();
      });
    });
    if (child.pid !== undefined) liveGroups.set(child.pid, dir);
    // The parent must not wait for the detached child's group.
    child.unref();

    const deadline = Date.now() + readyTimeoutMs;
    let lastError = 'not probed yet';
    while (Date.now() < deadline) {
      if (spawnError) {
        const hint = this.spec.spawnHint ? `; ${this.spec.spawnHint}` : '';
        throw this.failure(`${name} could not be spawned (${spawnError.message})${hint}`);
      }
      if (child.exitCode !== null || child.signalCode !== null) throw this.failure(`${name} exited during startup`);
      try {
        await this.spec.probe();
        return;
      } catch (error) {
        lastError = (error as Error).message;
        await sleep(50);
      }
    }
    await this.kill();
    throw this.failure(`${name} not ready after ${readyTimeoutMs} ms (last probe error: ${lastError})`);
  }

  /** Stops the process group (SIGTERM, then SIGKILL after 3 s) and waits until its ports are free. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child?.pid) return;
    const pid = child.pid;
    if (child.exitCode === null && child.signalCode === null) {
      killGroup(pid, 'SIGTERM');
      const timedOut = await Promise.race([this.exited.then(() => false), sleep(3_000).then(() => true)]);
      if (timedOut) {
        this.appendLog(`\n[${this.spec.name} did not exit on SIGTERM within 3 s: SIGKILL]\n`);
        killGroup(pid, 'SIGKILL');
        await this.exited;
      }
    }
    // Children that outlived the main process would keep the ports.
    killGroup(pid, 'SIGKILL');
    liveGroups.delete(pid);
    const deadline = Date.now() + 3_000;
    while (!this.spec.portsFree() && Date.now() < deadline) await sleep(20);
  }

  private appendLog(chunk: string): void {
    this.logText += chunk;
    const max = this.spec.maxLogChars;
    if (this.logText.length > max) this.logText = this.logText.slice(-max / 2);
  }
}
