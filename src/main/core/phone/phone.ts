/**
 * The agent's phone: a sip.js UserAgent over SIP-over-WebSocket, wrapped so that the
 * rest of Calmline sees only plain, sanitised state (`PhoneState`) and a handful of
 * commands. No sip.js object leaves this module.
 *
 * The wrapper also defuses the sip.js traps listed in ../shared/sipjs-notes.md:
 * our own transport drops messages sip.js throws on; every delegate we hand sip.js is
 * guarded; register()/unregister() are wrapped because they throw synchronously; an
 * in-dialog REFER is never followed on its own; a dropped connection is retried with
 * backoff and re-registered with a fresh Registerer (the old one may be stuck
 * waiting on a REGISTER that will never be answered).
 */
import { randomUUID } from 'node:crypto';
import {
  Invitation,
  Inviter,
  Registerer,
  RegistererState,
  SessionState,
  UserAgent,
  type Session,
  type SessionDescriptionHandlerFactory,
} from 'sip.js';
import type { CallEndReason, CallView, PhoneState, Registration } from '../../../shared/contract';
import type { Clock, TimerHandle } from '../clock';
import type { CoreLogger } from '../logger';
import { displayNameFromSip, sanitizeDisplayName, sanitizeNumber } from './caller-identity';
import { END_REASON, nextCallState, type CallEvent } from './call-state';
import { PhoneError } from './phone-error';
import { WsTransport, type WsTransportOptions } from './ws-transport';

/** The SIP account the phone registers. The password never leaves the core. */
export interface SipAccount {
  /** ws:// or wss:// URL of the SIP server's WebSocket listener. */
  wsUrl: string;
  /** Address of record, e.g. `sip:1001@pbx.example.com`. */
  sipUri: string;
  displayName: string;
  /** Digest password; empty when the server does not challenge. */
  password: string;
  /** Digest user name when it differs from the SIP URI's user part. */
  authorizationUsername?: string;
}

/** What the phone needs from its host; tests pass their own. */
export interface PhoneOptions {
  account: SipAccount;
  clock: Clock;
  logger: CoreLogger;
  /** The media seam (see signalling-media.ts and, later, the renderer audio bridge). */
  mediaFactory: SessionDescriptionHandlerFactory;
  /** Seconds a registration lasts before sip.js refreshes it. */
  registerExpiresSeconds?: number;
  /** Delays between reconnect attempts, in milliseconds; the last one repeats. */
  reconnectBackoffMs?: readonly number[];
  /** How many ended calls the state keeps for the "recent calls" list. */
  recentCallsKept?: number;
  transport?: Partial<Omit<WsTransportOptions, 'server'>>;
}

const DEFAULT_BACKOFF_MS = [500, 1_000, 2_000, 5_000, 10_000, 30_000] as const;

interface TrackedCall {
  view: CallView;
  session: Session;
  /** What the agent asked for last, so a termination can be told apart from a remote one. */
  localIntent: 'decline' | 'hang-up' | undefined;
}

type Listener = (state: PhoneState) => void;

/** A SIP phone for one account. Create, `start()`, read `getState()`, send commands. */
export class Phone {
  private readonly userAgent: UserAgent;
  private registerer: Registerer | undefined;
  private registration: Registration = { status: 'stopped' };
  private readonly calls = new Map<string, TrackedCall>();
  private recent: CallView[] = [];
  private readonly listeners = new Set<Listener>();
  private reconnectTimer: TimerHandle | undefined;
  private reconnectAttempt = 0;
  private running = false;
  private readonly backoff: readonly number[];

  constructor(private readonly options: PhoneOptions) {
    const uri = UserAgent.makeURI(options.account.sipUri);
    if (!uri) throw new PhoneError('not-configured', `Not a SIP URI: ${options.account.sipUri}`);
    this.backoff = options.reconnectBackoffMs?.length ? options.reconnectBackoffMs : DEFAULT_BACKOFF_MS;
    const log = options.logger;
    this.userAgent = new UserAgent({
      uri,
      displayName: options.account.displayName || undefined,
      authorizationUsername: options.account.authorizationUsername || uri.user,
      authorizationPassword: options.account.password || undefined,
      transportConstructor: WsTransport,
      transportOptions: { ...options.transport, server: options.account.wsUrl } satisfies WsTransportOptions,
      sessionDescriptionHandlerFactory: options.mediaFactory,
      userAgentString: 'Calmline',
      logBuiltinEnabled: false,
      logLevel: 'warn',
      // sip.js calls the connector for every level whatever logLevel says (notes §6).
      logConnector: (level, category, _label, content) => {
        if (level === 'error') log.error(`sip.js ${category}: ${content}`);
        else if (level === 'warn') log.warn(`sip.js ${category}: ${content}`);
      },
      // Ring for as long as the PBX lets us; the PBX decides when a caller gives up.
      noAnswerTimeout: 600,
      delegate: {
        onInvite: (invitation) => this.guard('onInvite', () => this.handleInvite(invitation)),
        onConnect: () => this.guard('onConnect', () => this.handleConnect()),
        onDisconnect: (error) => this.guard('onDisconnect', () => this.handleDisconnect(error)),
      },
    });
  }

  /** Current state: registration plus live calls and the most recent ended ones. */
  getState(): PhoneState {
    return {
      registration: this.registration,
      calls: [...[...this.calls.values()].map((c) => c.view), ...this.recent],
    };
  }

  /** Subscribes to state changes; returns the unsubscribe function. */
  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Connects and registers. Resolves once the first attempt has settled either way. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.setRegistration({ status: 'connecting' });
    try {
      await this.userAgent.start();
    } catch (error) {
      this.connectionFailed(error);
    }
  }

  /** Unregisters, ends every call and disconnects. The phone cannot be started again. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.reconnectTimer) this.options.clock.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    for (const call of [...this.calls.values()]) {
      await this.endSession(call).catch(() => undefined);
    }
    await this.unregister();
    await this.userAgent.stop().catch((error: unknown) => {
      this.options.logger.warn(`Stopping the user agent failed: ${String(error)}`);
    });
    this.setRegistration({ status: 'stopped' });
  }

  /** Best-effort un-REGISTER so the PBX stops forking calls to us; gives up after 2 s. */
  private async unregister(): Promise<void> {
    const registerer = this.registerer;
    if (registerer?.state !== RegistererState.Registered) return;
    await new Promise<void>((resolve) => {
      const timer = this.options.clock.setTimeout(resolve, 2_000);
      const done = () => {
        this.options.clock.clearTimeout(timer);
        resolve();
      };
      try {
        // unregister() throws synchronously once the registerer is disposed.
        registerer
          .unregister({ requestDelegate: { onAccept: done, onReject: done } })
          .catch(done);
      } catch {
        done();
      }
    });
  }

  /** Answers a ringing incoming call. */
  async answer(callId: string): Promise<void> {
    const call = this.requireCall(callId);
    this.checkCommand(call, 'answer');
    if (!(call.session instanceof Invitation)) throw new PhoneError('invalid-transition', 'Only incoming calls can be answered.');
    try {
      await call.session.accept();
    } catch (error) {
      throw this.sipFailure('answer', error);
    }
  }

  /** Declines a ringing incoming call with 486 Busy Here. */
  async decline(callId: string): Promise<void> {
    const call = this.requireCall(callId);
    this.checkCommand(call, 'decline');
    if (!(call.session instanceof Invitation)) throw new PhoneError('invalid-transition', 'Only incoming calls can be declined.');
    call.localIntent = 'decline';
    try {
      await call.session.reject({ statusCode: 486 });
    } catch (error) {
      call.localIntent = undefined;
      throw this.sipFailure('decline', error);
    }
  }

  /** Ends an active call (BYE) or cancels an outgoing one that has not been answered. */
  async hangUp(callId: string): Promise<void> {
    const call = this.requireCall(callId);
    this.checkCommand(call, 'hang-up');
    call.localIntent = 'hang-up';
    try {
      await this.endSession(call);
    } catch (error) {
      call.localIntent = undefined;
      throw this.sipFailure('hang up', error);
    }
  }

  private async endSession(call: TrackedCall): Promise<void> {
    const session = call.session;
    switch (session.state) {
      case SessionState.Initial:
      case SessionState.Establishing:
        if (session instanceof Inviter) await session.cancel();
        else if (session instanceof Invitation) await session.reject({ statusCode: 486 });
        return;
      case SessionState.Established:
        await session.bye();
        return;
      default:
        return;
    }
  }

  private handleInvite(invitation: Invitation): void {
    const identity = invitation.remoteIdentity;
    const now = this.options.clock.now();
    const call: TrackedCall = {
      session: invitation,
      localIntent: undefined,
      view: {
        id: randomUUID(),
        direction: 'incoming',
        state: 'ringing',
        remoteName: displayNameFromSip(identity.displayName),
        remoteNumber: sanitizeNumber(identity.uri.user ?? ''),
        offeredAt: now,
        answeredAt: null,
        endedAt: null,
        endReason: null,
      },
    };
    // An unhandled in-dialog REFER would be accepted and followed by sip.js: the
    // caller could make the agent dial anything. Transfers we accept come later.
    invitation.delegate = {
      onRefer: (referral) =>
        this.guard('onRefer', () => {
          void referral.reject({ statusCode: 603 }).catch(() => undefined);
        }),
    };
    invitation.stateChange.addListener((state) =>
      this.guard('session state', () => this.handleSessionState(call, state)),
    );
    this.calls.set(call.view.id, call);
    this.emit();
  }

  private handleSessionState(call: TrackedCall, state: SessionState): void {
    if (state === SessionState.Established) {
      this.apply(call, call.view.direction === 'incoming' ? 'answer' : 'remote-answered');
    } else if (state === SessionState.Terminated) {
      this.apply(call, this.terminationEvent(call));
    }
  }

  private terminationEvent(call: TrackedCall): CallEvent {
    const { state } = call.view;
    if (call.localIntent === 'decline' && state === 'ringing') return 'decline';
    if (call.localIntent === 'hang-up') return 'hang-up';
    if (state === 'ringing') return 'caller-cancelled';
    if (state === 'dialing') return 'remote-rejected';
    return 'remote-hangup';
  }

  private apply(call: TrackedCall, event: CallEvent): void {
    const next = nextCallState(call.view.state, event);
    const now = this.options.clock.now();
    const view: CallView = { ...call.view, state: next };
    if (next === 'active' && view.answeredAt === null) view.answeredAt = now;
    if (next === 'ended') {
      view.endedAt = now;
      view.endReason = END_REASON[event] ?? ('failed' satisfies CallEndReason);
      this.calls.delete(view.id);
      this.recent = [view, ...this.recent].slice(0, this.options.recentCallsKept ?? 10);
    } else {
      call.view = view;
    }
    this.emit();
  }

  private requireCall(callId: string): TrackedCall {
    const call = this.calls.get(callId);
    if (!call) {
      const ended = this.recent.some((c) => c.id === callId);
      throw new PhoneError(
        ended ? 'invalid-transition' : 'call-not-found',
        ended ? 'The call has already ended.' : `No call with id ${callId}.`,
      );
    }
    return call;
  }

  /** Runs the state machine's check without applying: the network confirms the move. */
  private checkCommand(call: TrackedCall, event: CallEvent): void {
    try {
      nextCallState(call.view.state, event);
    } catch (error) {
      throw PhoneError.from(error);
    }
    if (call.localIntent !== undefined) {
      throw new PhoneError('invalid-transition', 'The call is already being ended.');
    }
  }

  private handleConnect(): void {
    this.reconnectAttempt = 0;
    this.setRegistration({ status: 'connecting' });
    // A fresh Registerer per connection: the old one may be stuck "waiting" on a
    // REGISTER sent over the dead socket (sipjs-notes §1a).
    const previous = this.registerer;
    this.registerer = undefined;
    if (previous) void previous.dispose().catch(() => undefined);
    const registerer = new Registerer(this.userAgent, {
      expires: this.options.registerExpiresSeconds ?? 600,
    });
    this.registerer = registerer;
    registerer.stateChange.addListener((state) =>
      this.guard('registerer state', () => {
        if (registerer !== this.registerer) return;
        if (state === RegistererState.Registered) {
          this.setRegistration({ status: 'registered', aor: this.options.account.sipUri });
        } else if (state === RegistererState.Unregistered && this.registration.status === 'registered') {
          this.setRegistration({ status: 'connecting' });
        }
      }),
    );
    try {
      registerer
        .register({
          requestDelegate: {
            onReject: (response) => {
              const { statusCode, reasonPhrase } = response.message;
              this.setRegistration({
                status: 'failed',
                reason: `Registration refused: ${statusCode ?? '?'} ${sanitizeDisplayName(reasonPhrase ?? '')}`.trim(),
              });
            },
          },
        })
        .catch((error: unknown) => this.registrationFailed(error));
    } catch (error) {
      this.registrationFailed(error);
    }
  }

  private handleDisconnect(error?: Error): void {
    if (!this.running) return;
    this.connectionFailed(error ?? new Error('connection closed'));
  }

  private registrationFailed(error: unknown): void {
    this.setRegistration({ status: 'failed', reason: `Registration failed: ${describe(error)}` });
  }

  private connectionFailed(error: unknown): void {
    if (!this.running) return;
    const delay = this.backoff[Math.min(this.reconnectAttempt, this.backoff.length - 1)] ?? 30_000;
    this.reconnectAttempt += 1;
    this.setRegistration({
      status: 'failed',
      reason: `Cannot reach ${this.options.account.wsUrl}: ${describe(error)}. Retrying in ${Math.ceil(delay / 1000)} s.`,
    });
    if (this.reconnectTimer) this.options.clock.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = this.options.clock.setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.running) return;
      this.setRegistration({ status: 'connecting' });
      // reconnect(), not start(): start() after a failed start is a silent no-op.
      this.userAgent.reconnect().catch((reconnectError: unknown) => this.connectionFailed(reconnectError));
    }, delay);
  }

  private setRegistration(registration: Registration): void {
    this.registration = registration;
    this.emit();
  }

  private emit(): void {
    const state = this.getState();
    for (const listener of [...this.listeners]) {
      this.guard('state listener', () => listener(state));
    }
  }

  private sipFailure(action: string, error: unknown): PhoneError {
    this.options.logger.warn(`Could not ${action}: ${describe(error)}`);
    return new PhoneError('sip-error', `Could not ${action}: ${describe(error)}`);
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
