/**
 * The phone's registration: connects the user agent, REGISTERs, comes back after a
 * dropped connection (backoff, then a fresh Registerer), and un-REGISTERs while the
 * agent is away with the "unregister" mode. Owned by the Phone; it sees only the
 * narrow `RegistrationConnection` and `RegistererLike` seams, so tests drive it with
 * fakes and a fake clock.
 *
 * ```txt
 *  idle ──start──▶ connecting ──connected──▶ registering ──accepted──▶ registered ──lost──▶ lost
 *                   ▲    │                      │                        │
 *                   │    │                      └──refused──▶ refused    │
 *                 retry  └──connected-while-away─────────▶ away ◀──go-away┘
 *                   │                                       │   (go-away also from registering,
 *                retrying ◀──dropped── any running state    │    refused and lost)
 *                                                           └──come-back──▶ registering
 *  registering, registered, refused, lost ──connected (a new connection)──▶ registering
 *  any running state ──stop──▶ stopping ──stopped──▶ stopped
 * ```
 * What the agent sees follows from the state: `registered` only in registered,
 * `failed` (with the reason) in refused and retrying, `stopped` before start and
 * after stop, `connecting` otherwise. State `away` means connected and unregistered
 * on purpose; whether the agent is away is an input kept beside the state, because
 * the agent can go away or come back while disconnected and the next connection
 * must honour it.
 */
import {
  RegistererState,
  type Emitter,
  type RegistererRegisterOptions,
  type RegistererUnregisterOptions,
} from 'sip.js';
import type { Registration } from '../../shared/contract';
import type { Clock, TimerHandle } from '../clock';
import type { CoreLogger } from '../logger';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';
import { sanitizeDisplayName } from './caller-identity';

/** Where the registration lifecycle is; see the diagram above. */
export type RegistrationState =
  | 'idle'
  | 'connecting'
  | 'registering'
  | 'registered'
  | 'refused'
  | 'lost'
  | 'away'
  | 'retrying'
  | 'stopping'
  | 'stopped';

/** Something that happens to the registration: from the phone, the transport or the registrar. */
export type RegistrationEvent =
  | 'start'
  | 'connected'
  | 'connected-while-away'
  | 'accepted'
  | 'refused'
  | 'lost'
  | 'dropped'
  | 'retry'
  | 'go-away'
  | 'come-back'
  | 'stop'
  | 'stopped';

const RUNNING = { dropped: 'retrying', stop: 'stopping' } as const;
const CONNECTED = { ...RUNNING, connected: 'registering', 'connected-while-away': 'away', 'go-away': 'away' } as const;

const TRANSITIONS: Record<RegistrationState, Partial<Record<RegistrationEvent, RegistrationState>>> = {
  idle: { start: 'connecting' },
  connecting: { ...RUNNING, connected: 'registering', 'connected-while-away': 'away' },
  registering: { ...CONNECTED, accepted: 'registered', refused: 'refused' },
  registered: { ...CONNECTED, accepted: 'registered', lost: 'lost' },
  refused: { ...CONNECTED, accepted: 'registered', refused: 'refused' },
  lost: { ...CONNECTED, accepted: 'registered' },
  // A REGISTER that was in flight when the agent went away is undone (see `accepted`).
  away: { ...RUNNING, 'connected-while-away': 'away', accepted: 'away', 'come-back': 'registering' },
  retrying: { ...RUNNING, retry: 'connecting' },
  stopping: { stopped: 'stopped' },
  stopped: {},
};

/** The state after `event`, or undefined when the event does not apply in `from` (it is then ignored). */
export function nextRegistrationState(
  from: RegistrationState,
  event: RegistrationEvent,
): RegistrationState | undefined {
  return TRANSITIONS[from][event];
}

/** The user agent as the registration uses it (sip.js's UserAgent fits). */
export interface RegistrationConnection {
  start(): Promise<void>;
  /** Not start(): start() after a failed start is a silent no-op (docs/sipjs-pitfalls.md#s6). */
  reconnect(): Promise<void>;
  stop(): Promise<void>;
}

/** The part of sip.js's Registerer the registration uses. */
export interface RegistererLike {
  readonly state: RegistererState;
  readonly stateChange: Pick<Emitter<RegistererState>, 'addListener'>;
  register(options?: RegistererRegisterOptions): Promise<unknown>;
  unregister(options?: RegistererUnregisterOptions): Promise<unknown>;
  dispose(): Promise<void>;
}

/** What the registration needs; the Phone passes its user agent and a Registerer factory. */
export interface RegistrationOptions {
  /** The address of record, shown once registered. */
  aor: string;
  /** The server's WebSocket URL, named when it cannot be reached. */
  wsUrl: string;
  clock: Clock;
  logger: CoreLogger;
  connection: RegistrationConnection;
  /** A new Registerer; one per connection, because the old one may be stuck waiting (docs/sipjs-pitfalls.md#s5). */
  createRegisterer: () => RegistererLike;
  /**
   * Ceilings of the reconnect delays, in milliseconds (the last repeats); each delay
   * is drawn below its ceiling (full jitter). Default: 0.5 s doubling up to 30 s.
   */
  backoffMs?: readonly number[];
  /** Uniform random numbers in [0, 1) for the jitter; default Math.random. */
  random?: () => number;
  /** Called after every change of state with what the agent should see. */
  onChange: (registration: Registration) => void;
}

/** How long a best-effort un-REGISTER may take before we carry on without its answer. */
const UNREGISTER_WAIT_MS = 2_000;

/** One account's registration lifecycle. */
export class RegistrationManager {
  private state: RegistrationState = 'idle';
  private view: Registration = { status: 'stopped' };
  private reason = '';
  private away = false;
  private registerer: RegistererLike | undefined;
  private retryTimer: TimerHandle | undefined;
  private attempt = 0;
  private readonly backoff: BackoffPolicy;

  constructor(private readonly options: RegistrationOptions) {
    this.backoff = { ...DEFAULT_BACKOFF, ceilingsMs: options.backoffMs };
  }

  /** What the agent sees of the registration now. */
  get current(): Registration {
    return this.view;
  }

  /** The lifecycle state (for tests and logs). */
  get lifecycle(): RegistrationState {
    return this.state;
  }

  /** True between `start()` and `stop()`. */
  get running(): boolean {
    return this.state !== 'idle' && this.state !== 'stopping' && this.state !== 'stopped';
  }

  /** Connects and registers. Resolves once the first connection attempt has settled either way. */
  async start(): Promise<void> {
    if (!this.move('start')) return;
    try {
      await this.options.connection.start();
    } catch (error) {
      this.handleDisconnect(error);
    }
  }

  /**
   * Stops for good: no more retries; `beforeUnregister` runs (the phone ends its
   * calls), then the un-REGISTER, then the connection is closed.
   */
  async stop(beforeUnregister: () => Promise<void>): Promise<void> {
    if (!this.move('stop')) return;
    this.clearRetry();
    await beforeUnregister();
    await this.unregister();
    await this.options.connection.stop().catch((error: unknown) => {
      this.options.logger.warn(`Stopping the user agent failed: ${describe(error)}`);
    });
    this.move('stopped');
  }

  /** Away (true) un-REGISTERs so the PBX routes calls elsewhere; back (false) registers again. */
  setAway(away: boolean): void {
    if (away === this.away) return;
    this.away = away;
    if (away) {
      if (this.move('go-away')) void this.unregister();
    } else if (this.move('come-back')) {
      this.register();
    }
  }

  /** The connection is up (first time or after a drop): register, unless away. */
  handleConnect(): void {
    this.attempt = 0;
    if (this.away) this.move('connected-while-away');
    else if (this.move('connected')) this.register();
  }

  /** The connection dropped or could not be made: retry after the next backoff delay. */
  handleDisconnect(error: unknown): void {
    if (!this.running) return;
    // Full jitter (docs/sipjs-pitfalls.md#s31): desks that lost the PBX together do not return together.
    const delay = backoffDelay(this.attempt, this.backoff, this.options.random ?? Math.random);
    this.attempt += 1;
    this.reason = `Cannot reach ${this.options.wsUrl}: ${describe(error)}. Retrying in ${Math.ceil(delay / 1000)} s.`;
    this.move('dropped');
    this.clearRetry();
    this.retryTimer = this.options.clock.setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.move('retry')) return;
      this.options.connection.reconnect().catch((reconnectError: unknown) => this.handleDisconnect(reconnectError));
    }, delay);
  }

  /** Moves along the table and tells the phone; false when the event does not apply now. */
  private move(event: RegistrationEvent): boolean {
    const next = nextRegistrationState(this.state, event);
    if (next === undefined) return false;
    this.state = next;
    this.view = this.viewOf(next);
    this.options.onChange(this.view);
    return true;
  }

  private viewOf(state: RegistrationState): Registration {
    switch (state) {
      case 'idle':
      case 'stopped':
        return { status: 'stopped' };
      case 'registered':
        return { status: 'registered', aor: this.options.aor };
      case 'refused':
      case 'retrying':
        return { status: 'failed', reason: this.reason };
      case 'stopping':
        // The agent keeps seeing what was true until the phone has stopped.
        return this.view;
      default:
        return { status: 'connecting' };
    }
  }

  private register(): void {
    // A fresh Registerer per connection: the old one may be stuck "waiting" on a
    // REGISTER sent over the dead socket (docs/sipjs-pitfalls.md#s5).
    const previous = this.registerer;
    this.registerer = undefined;
    if (previous) void previous.dispose().catch(() => undefined);
    const registerer = this.options.createRegisterer();
    this.registerer = registerer;
    registerer.stateChange.addListener((state) =>
      this.guard('registerer state', () => {
        if (registerer !== this.registerer) return;
        if (state === RegistererState.Registered) {
          // Registered while away: a REGISTER was in flight when the agent left.
          if (this.move('accepted') && this.state === 'away') void this.unregister();
        } else if (state === RegistererState.Unregistered) {
          this.move('lost');
        }
      }),
    );
    const refused = (reason: string) => {
      this.reason = reason;
      this.move('refused');
    };
    try {
      registerer
        .register({
          requestDelegate: {
            onReject: (response) =>
              this.guard('REGISTER rejected', () => {
                const { statusCode, reasonPhrase } = response.message;
                refused(`Registration refused: ${statusCode ?? '?'} ${sanitizeDisplayName(reasonPhrase ?? '')}`.trim());
              }),
          },
        })
        .catch((error: unknown) => refused(`Registration failed: ${describe(error)}`));
    } catch (error) {
      // register() throws synchronously once the registerer is terminated (docs/sipjs-pitfalls.md#s4).
      refused(`Registration failed: ${describe(error)}`);
    }
  }

  /** Best-effort un-REGISTER so the PBX stops forking calls to us; gives up after 2 s. */
  private async unregister(): Promise<void> {
    const registerer = this.registerer;
    if (registerer?.state !== RegistererState.Registered) return;
    const { clock } = this.options;
    await new Promise<void>((resolve) => {
      const timer = clock.setTimeout(resolve, UNREGISTER_WAIT_MS);
      const done = () => {
        clock.clearTimeout(timer);
        resolve();
      };
      try {
        // unregister() throws synchronously once the registerer is disposed.
        registerer.unregister({ requestDelegate: { onAccept: done, onReject: done } }).catch(done);
      } catch {
        done();
      }
    });
  }

  private clearRetry(): void {
    if (this.retryTimer) this.options.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  /** Runs a callback sip.js invokes; an exception must never unwind into sip.js. */
  private guard(where: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.options.logger.error(`Error in ${where}: ${describe(error)}`);
    }
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
