/**
 * The agent's phone: a sip.js UserAgent over SIP-over-WebSocket, wrapped so that the
 * rest of Calmline sees only plain, sanitised state (`PhoneState`) and a handful of
 * commands. No sip.js object leaves this module.
 *
 * The phone is the authority for call control. What may be done to a call is decided
 * in one place, allowed-actions.ts, from the call's state (call-state.ts), its one
 * command in flight (`pending`), its transfer and the other calls; every command is
 * guarded by it and every reported call carries its verdict (`allowed`). Hold,
 * transfer and escalate then also consume a consent from the ConsentGate before
 * anything is sent on the wire, whatever the renderer asks. The registration
 * (connect, REGISTER, reconnect with backoff, un-REGISTER while away) lives in
 * registration.ts.
 *
 * The wrapper also defuses the sip.js traps of docs/sipjs-pitfalls.md (ids in
 * brackets): our own transport drops messages sip.js throws on [S1]; every delegate
 * we hand sip.js is guarded [S3]; register()/unregister() are wrapped because they
 * throw synchronously [S4]; an in-dialog REFER is never followed on its own [S17]; a
 * dropped connection is retried with backoff and re-registered with a fresh
 * Registerer (the old one may be stuck waiting on a REGISTER that will never be
 * answered) [S5]; a successful transfer is ended with BYE by us (sip.js does not)
 * [S18]; 408/481 to a re-INVITE ends the dialog [S15]. Every end carries its real
 * cause [S28]; session timers end calls whose other side is gone [S29]; who the caller
 * is follows the trust and privacy rules [S30]; the inbound guard's parse reaches
 * sip.js through the transport seam, and an unreadable final answer ends its call
 * [S33].
 *
 * Rule codes (D2 …) are defined in docs/practice.md.
 */
import { randomUUID } from 'node:crypto';
import {
  Invitation,
  Inviter,
  Registerer,
  SessionState,
  UserAgent,
  type Session,
  type SessionDescriptionHandlerFactory,
  type URI,
} from 'sip.js';
import {
  NOTHING_ALLOWED,
  newCallView,
  type CallPending,
  type CallPolicy,
  type CallView,
  type ConsentAction,
  type ConsentEntry,
  type PhoneState,
  type TransferView,
} from '../../shared/contract';
import type { Clock } from '../clock';
import type { CoreLogger } from '../logger';
import { OTHER_CALL_ACTIVE, allowedActions, refusalOf, type CallAction, type CallContext } from './allowed-actions';
import { normalizeNumber, remoteIdentity, sanitizeDisplayName } from './caller-identity';
import { ENDED_BY, END_REASON, nextCallState, type CallEvent, type NetworkEnding } from './call-state';
import { ConsentGate } from './consent-gate';
import { deliverParsed } from './inbound-delivery';
import { scanInitialInvite, type InitialInvite } from './early-invite';
import { inspectInbound, type InboundVerdict } from './inbound-guard';
import { PhoneError } from './phone-error';
import { checkRequest, rawHeaderValues, sipToTel } from './sip-compliance';
import {
  DEFAULT_SESSION_TIMER,
  decorateOutbound,
  negotiateIncoming,
  parseSessionExpires,
  SessionTimer,
  type SessionTimerSettings,
  type SessionTimerTerms,
} from './session-timer';
import { answerSessionRefresh } from './session-refresh';
import { audioDirection, type SignallingMediaOptions } from './signalling-media';
import { answerPreparerOf, audioControlsOf, MediaError } from '../media/bridged-media';
import type { MediaEvent } from '../../shared/media-protocol';
import { RegistrationManager } from './registration';
import { parseSipfrag } from './sipfrag';
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

/** Call handling defaults; the consent gate itself cannot be configured away. */
export const DEFAULT_CALL_POLICY: CallPolicy = {
  defaultRegion: 'DE',
  escalationTarget: '',
  escalationMode: 'attended',
  consentTtlSeconds: 120,
  trustAssertedIdentity: true,
};

/** What the phone needs from its host; tests pass their own. */
export interface PhoneOptions {
  account: SipAccount;
  clock: Clock;
  logger: CoreLogger;
  /** The media seam (see signalling-media.ts and, later, the renderer audio bridge). */
  mediaFactory: SessionDescriptionHandlerFactory;
  policy?: CallPolicy;
  /** Seconds a registration lasts before sip.js refreshes it. */
  registerExpiresSeconds?: number;
  /** Ceilings of the reconnect delays, in milliseconds (the last repeats); delays are drawn below them. */
  reconnectBackoffMs?: readonly number[];
  /** Random numbers in [0, 1) for the reconnect jitter; default Math.random. */
  random?: () => number;
  /** How many ended calls the state keeps for the "recent calls" list. */
  recentCallsKept?: number;
  /** Calls alive at once (ringing, active, held); more INVITEs get 486 Busy Here. */
  maxLiveCalls?: number;
  /** Milliseconds before the consult leg of a completed attended transfer is hung up by us. */
  consultHangupGraceMs?: number;
  transport?: Partial<Omit<WsTransportOptions, 'server'>>;
  /** Session timers (RFC 4028) of incoming calls; tests make them short. */
  sessionTimer?: Partial<SessionTimerSettings>;
}

/** A live call's view as the phone keeps it; `pending` and `allowed` are added when it is reported. */
type LiveView = Omit<CallView, 'pending' | 'allowed'>;

/** A call shown from its INVITE frame, not yet handed over by sip.js (see `Phone.early`). */
interface EarlyCall {
  view: LiveView;
  /** sip.js's session id: Call-ID + From tag. */
  key: string;
  /** Settles when the call is bound to its Invitation, or rejects when it is withdrawn. */
  arrived: Promise<void>;
  settle: (bound: boolean) => void;
}

/**
 * The agent's command under way on a call. An object, so that an operation that
 * finishes late can tell whether it is still the call's current one (a hang-up
 * replaces a hold in flight, a decline an answer).
 */
interface PendingOperation {
  readonly kind: CallPending;
}

/** Which events complete which operation: the call's new state and the end of its operation go out together. */
const COMPLETES: Partial<Record<CallEvent, CallPending>> = {
  answer: 'answer',
  hold: 'hold',
  resume: 'resume',
  'transfer-failed': 'transfer',
};

/** One live call: its view, its sip.js session and the agent's command in flight. */
interface TrackedCall {
  view: LiveView;
  session: Session;
  /**
   * The one command under way, or null; allowed-actions.ts decides what else may
   * run beside it. It also tells a termination apart: ended while `decline` or
   * `hang-up` is pending, the agent ended it; while `answer` is pending, the answer
   * failed (no microphone, say: sip.js then rejects the INVITE itself), which is not
   * the caller giving up.
   */
  pending: PendingOperation | null;
  /** Final status of a rejected outgoing INVITE, for the call's record. */
  rejectCode?: number | undefined;
  /**
   * Settles when the caller's ACK for our 200 arrives. No re-INVITE may leave before
   * it (RFC 3261 §14.1): sip.js would otherwise take the late ACK as a protocol
   * error and end the call.
   */
  acked: Promise<void>;
  ackArrived: () => void;
  /** The far end's BYE arrived, with its Reason header if any (docs/sipjs-pitfalls.md#s28). */
  remoteBye?: { reason: string } | undefined;
  /** The status the agent declined with (486 or 603), for the call's record. */
  declineCode?: 486 | 603 | undefined;
  /** Set when we end the call for a network cause, before the session goes. */
  endCause?: { event: NetworkEnding; detail: string } | undefined;
  /** The call's session timer (RFC 4028), running once answered (docs/sipjs-pitfalls.md#s29). */
  sessionTimer?: SessionTimer | undefined;
}

type Listener = (state: PhoneState) => void;

/** A SIP phone for one account. Create, `start()`, read `getState()`, send commands. */
export class Phone {
  private readonly userAgent: UserAgent;
  private readonly domain: string;
  private readonly registration: RegistrationManager;
  private readonly calls = new Map<string, TrackedCall>();
  private recent: CallView[] = [];
  private readonly listeners = new Set<Listener>();
  private policy: CallPolicy;
  private readonly consents: ConsentGate;
  /** Whether new calls are offered to the agent (false on break or in wrap-up). */
  private accepting = true;
  /**
   * Calls shown from their INVITE frame before sip.js hands them over (the early
   * pop, early-invite.ts), by sip.js's session id. Reported as ringing with nothing
   * allowed; handleInvite binds them to their Invitation, or they are withdrawn.
   */
  private readonly early = new Map<string, EarlyCall>();
  /** Session ids popped lately, so a retransmitted INVITE does not pop its call again. */
  private readonly poppedKeys: string[] = [];

  constructor(private readonly options: PhoneOptions) {
    const uri = UserAgent.makeURI(options.account.sipUri);
    if (!uri) throw new PhoneError('not-configured', `Not a SIP URI: ${options.account.sipUri}`);
    this.domain = uri.host;
    this.policy = options.policy ?? DEFAULT_CALL_POLICY;
    this.consents = new ConsentGate(options.clock, this.policy.consentTtlSeconds * 1000);
    const log = options.logger;
    this.userAgent = new UserAgent({
      uri,
      displayName: options.account.displayName || undefined,
      authorizationUsername: options.account.authorizationUsername || uri.user,
      authorizationPassword: options.account.password || undefined,
      transportConstructor: WsTransport,
      transportOptions: {
        inspect: (message) => this.inspect(message),
        rewriteOutbound: (message) => decorateOutbound(sipToTel(message), (id) => this.timerOf(id)),
        ...options.transport,
        server: options.account.wsUrl,
      } satisfies WsTransportOptions,
      sessionDescriptionHandlerFactory: options.mediaFactory,
      userAgentString: 'Calmline',
      sipExtensionExtraSupported: ['timer'],
      logBuiltinEnabled: false,
      logLevel: 'warn',
      // sip.js calls the connector for every level whatever logLevel says (docs/sipjs-pitfalls.md#s22).
      logConnector: (level, category, _label, content) => {
        if (level === 'error') log.error(`sip.js ${category}: ${content}`);
        else if (level === 'warn') log.warn(`sip.js ${category}: ${content}`);
      },
      // Ring for as long as the PBX lets us; the PBX decides when a caller gives up.
      noAnswerTimeout: 600,
      delegate: {
        onInvite: (invitation) => this.guard('onInvite', () => this.handleInvite(invitation)),
        onConnect: () => this.guard('onConnect', () => this.registration.handleConnect()),
        onDisconnect: (error) =>
          this.guard('onDisconnect', () => this.registration.handleDisconnect(error ?? new Error('connection closed'))),
      },
    });
    const userAgent = this.userAgent;
    // The guard's parse goes to sip.js's core through the transport seam, not parsed twice
    // and without replacing sip.js's parser (docs/sipjs-pitfalls.md#s33).
    (userAgent.transport as WsTransport).deliverParsed = (message) => {
      const dropped = deliverParsed(userAgent, message);
      if (dropped) log.warn(`Dropped an inbound SIP message: ${dropped}`);
    };
    this.registration = new RegistrationManager({
      aor: options.account.sipUri,
      wsUrl: options.account.wsUrl,
      clock: options.clock,
      logger: log,
      connection: userAgent,
      createRegisterer: () => new Registerer(userAgent, { expires: options.registerExpiresSeconds ?? 600 }),
      ...(options.reconnectBackoffMs ? { backoffMs: options.reconnectBackoffMs } : {}),
      ...(options.random ? { random: options.random } : {}),
      onChange: () => this.emit(),
    });
  }

  /** Current state: registration plus live calls and the most recent ended ones. */
  getState(): PhoneState {
    // A call shown early is a ringing call like any other; answering or declining it waits for sip.js (arrival()).
    const early = [...this.early.values()].map(({ view }): CallView => {
      const facts = { ...view, pending: null };
      const context = {
        consult: null,
        otherCallActive: this.anotherCallActive(undefined),
        supervisorConfigured: this.policy.escalationTarget !== '',
      };
      return { ...facts, allowed: allowedActions(facts, context) };
    });
    return {
      registration: this.registration.current,
      calls: [...[...this.calls.values()].map((c) => this.reported(c)), ...early, ...this.recent],
    };
  }

  /** Subscribes to state changes; returns the unsubscribe function. */
  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Applies a new call policy (region, escalation target, consent lifetime) to later commands. */
  setPolicy(policy: CallPolicy): void {
    this.policy = policy;
    this.consents.setTtl(policy.consentTtlSeconds * 1000);
    // Whether Escalate is allowed may have changed.
    this.emit();
  }

  /**
   * Makes the agent unavailable (break, wrap-up) or available again. Unavailable
   * with mode `busy`: new calls are answered 486 Busy Here and never offered; with
   * `unregister`: the phone un-REGISTERs so the PBX routes calls elsewhere, and
   * registers again when the agent is back.
   */
  setAvailability(availability: { accepting: true } | { accepting: false; mode: 'busy' | 'unregister' }): void {
    this.accepting = availability.accepting;
    this.registration.setAway(!availability.accepting && availability.mode === 'unregister');
  }

  /** Connects and registers. Resolves once the first attempt has settled either way. */
  async start(): Promise<void> {
    await this.registration.start();
  }

  /** Ends every call, unregisters and disconnects. The phone cannot be started again. */
  async stop(): Promise<void> {
    // A call shown early is bound (or withdrawn) within the same turn of sip.js; wait for
    // it, so that it too is declined with our 486 rather than dropped by sip.js's stop (480).
    await Promise.allSettled([...this.early.values()].map((entry) => entry.arrived));
    await this.registration.stop(async () => {
      for (const call of [...this.calls.values()]) {
        call.pending = { kind: 'hang-up' };
        await this.endSession(call).catch(() => undefined);
      }
    });
  }

  // ── Commands ───────────────────────────────────────────────────────────────

  /** Answers a ringing incoming call. Another active caller must be put on hold first. */
  async answer(callId: string): Promise<void> {
    await this.arrival(callId);
    const call = this.requireCall(callId);
    this.refuseUnlessAllowed(call, 'answer');
    const invitation = this.invitationOf(call);
    const answering = this.begin(call, 'answer');
    try {
      await invitation.accept();
    } catch (error) {
      throw this.sipFailure('answer', error);
    } finally {
      this.settle(call, answering);
    }
  }

  /**
   * Declines a ringing incoming call (also while an answer is still under way):
   * `busy` with 486 Busy Here, so a queue or hunt group offers the caller to another
   * agent; `decline` with 603 Decline, which a forking proxy takes as final for every
   * phone it rings (RFC 3261 §16.7), so the caller reaches nobody else through this
   * attempt (docs/sipjs-pitfalls.md#s32).
   */
  async decline(callId: string, response: 'busy' | 'decline' = 'busy'): Promise<void> {
    await this.arrival(callId);
    const call = this.requireCall(callId);
    this.refuseUnlessAllowed(call, 'decline');
    const invitation = this.invitationOf(call);
    const declining = this.begin(call, 'decline');
    call.declineCode = response === 'decline' ? 603 : 486;
    try {
      await invitation.reject({ statusCode: call.declineCode });
    } catch (error) {
      this.settle(call, declining);
      throw this.sipFailure('decline', error);
    }
  }

  /** Ends a call (BYE), or cancels an outgoing one that has not been answered. */
  async hangUp(callId: string): Promise<void> {
    await this.arrival(callId);
    const call = this.requireCall(callId);
    this.refuseUnlessAllowed(call, 'hangUp');
    const hangingUp = this.begin(call, 'hang-up');
    try {
      await this.endSession(call);
    } catch (error) {
      this.settle(call, hangingUp);
      throw this.sipFailure('hang up', error);
    }
  }

  /** Calls a number or SIP URI. Any active caller must be on hold first. */
  dial(target: string): string {
    if (this.anotherCallActive(undefined)) {
      throw new PhoneError(OTHER_CALL_ACTIVE.code, OTHER_CALL_ACTIVE.message);
    }
    return this.startOutgoing(target, null).view.id;
  }

  /** Records the caller's answer to "may I hold / transfer you?" for one call and action. */
  recordConsent(callId: string, action: ConsentAction, answer: 'agreed' | 'declined'): ConsentEntry {
    const early = [...this.early.values()].find((entry) => entry.view.id === callId);
    if (early) {
      const entry = this.consents.record(callId, action, answer);
      early.view = { ...early.view, consents: [...early.view.consents, entry] };
      this.emit();
      return entry;
    }
    const call = this.requireCall(callId);
    const entry = this.consents.record(callId, action, answer);
    this.update(call, { consents: [...call.view.consents, entry] });
    return entry;
  }

  /** Puts the caller on hold (re-INVITE: a=sendonly here, inactive with the audio engine), with their recorded agreement. */
  async hold(callId: string, consentId: string): Promise<void> {
    await this.arrival(callId);
    const call = this.requireCall(callId);
    this.refuseUnlessAllowed(call, 'hold');
    this.spendConsent(call, consentId, 'hold');
    const holding = this.begin(call, 'hold');
    await this.reinvite(call, holding, true);
    this.complete(call, holding, 'hold');
  }

  /** Takes the caller off hold. Needs no consent. */
  async resume(callId: string): Promise<void> {
    await this.arrival(callId);
    const call = this.requireCall(callId);
    this.refuseUnlessAllowed(call, 'resume');
    const resuming = this.begin(call, 'resume');
    await this.reinvite(call, resuming, false);
    this.complete(call, resuming, 'resume');
  }

  /**
   * Transfers the caller, with their recorded agreement. Blind: the caller is held
   * and sent a REFER to `target`. Attended: the caller is held and the agent is
   * connected to `target` first (a consult call); `completeTransfer` then sends the
   * REFER with Replaces.
   */
  async transfer(callId: string, consentId: string, target: string, mode: 'blind' | 'attended'): Promise<void> {
    await this.arrival(callId);
    await this.startTransfer(callId, consentId, target, mode, 'transfer');
  }

  /** Transfers the caller to the configured supervisor (domain rule D2), with consent. */
  async escalate(callId: string, consentId: string): Promise<void> {
    await this.arrival(callId);
    await this.startTransfer(callId, consentId, this.policy.escalationTarget, this.policy.escalationMode, 'escalate');
  }

  /** Attended transfer: connects the held caller to the consulted target. */
  async completeTransfer(callId: string): Promise<void> {
    await this.arrival(callId);
    const call = this.requireCall(callId);
    this.refuseUnlessAllowed(call, 'completeTransfer');
    const consult = this.consultOf(call)!;
    const transferring = this.begin(call, 'transfer');
    this.apply(call, 'transfer', 'attended');
    this.updateTransfer(call, { status: 'trying' });
    this.sendRefer(call, transferring, consult.session);
  }

  /** Attended transfer: hangs up the consult call; the caller stays on hold. */
  async cancelTransfer(callId: string): Promise<void> {
    await this.arrival(callId);
    const call = this.requireCall(callId);
    this.refuseUnlessAllowed(call, 'cancelTransfer');
    const consult = this.consultOf(call)!;
    this.update(call, { transfer: null });
    consult.pending = { kind: 'hang-up' };
    await this.endSession(consult).catch((error: unknown) => {
      throw this.sipFailure('cancel the consultation', error);
    });
  }

  /**
   * Sends DTMF digits: in the audio as RFC 4733 telephone-events when the call has
   * an audio engine that negotiated them, else (or when that fails) as SIP INFO
   * (application/dtmf-relay), one digit after another.
   */
  async sendDtmf(callId: string, tones: string): Promise<void> {
    await this.arrival(callId);
    const call = this.requireCall(callId);
    this.refuseUnlessAllowed(call, 'dtmf');
    const audio = audioControlsOf(call.session.sessionDescriptionHandler);
    if (audio) {
      try {
        await audio.sendDtmfInBand(tones);
        return;
      } catch (error) {
        this.options.logger.info(`Key tones go as SIP INFO instead: ${describe(error)}`);
      }
    }
    for (const tone of tones.toUpperCase()) {
      try {
        await call.session.info({
          requestOptions: {
            body: {
              contentDisposition: 'render',
              contentType: 'application/dtmf-relay',
              content: `Signal=${tone}\r\nDuration=160`,
            },
          },
        });
      } catch (error) {
        throw this.sipFailure('send digits', error);
      }
    }
  }

  /** Mutes or unmutes the agent's microphone on a call; the audio engine applies it before the view says so. */
  async setMute(callId: string, muted: boolean): Promise<void> {
    await this.arrival(callId);
    const call = this.requireCall(callId);
    this.refuseUnlessAllowed(call, 'mute');
    const audio = audioControlsOf(call.session.sessionDescriptionHandler);
    if (audio) {
      try {
        await audio.setMuted(muted);
      } catch (error) {
        // Showing "muted" while the caller still hears the agent would be worse than an error.
        throw this.sipFailure(muted ? 'mute the microphone' : 'unmute the microphone', error);
      }
    }
    this.update(call, { muted });
  }

  /**
   * Re-negotiates a call's audio with new ICE credentials (a re-INVITE with an ICE
   * restart): what the agent can try when the media watchdog reports no audio.
   */
  async reconnectAudio(callId: string): Promise<void> {
    await this.arrival(callId);
    const call = this.requireCall(callId);
    this.refuseUnlessAllowed(call, 'reconnectAudio');
    const reconnecting = this.begin(call, 'reconnect-audio');
    try {
      await this.reinvite(call, reconnecting, call.view.state === 'held', { iceRestart: true });
    } finally {
      this.settle(call, reconnecting);
    }
    if (call.view.mediaProblem?.kind === 'connection-failed') this.update(call, { mediaProblem: null });
  }

  /**
   * A report of the renderer's audio engine about one call's audio (watchdog, ICE,
   * microphone). Reports for sessions no live call owns are stale and ignored.
   */
  reportMedia(event: MediaEvent): void {
    const call = [...this.calls.values()].find(
      (candidate) => audioControlsOf(candidate.session.sessionDescriptionHandler)?.mediaSessionId === event.sessionId,
    );
    if (!call) return;
    const mediaProblem =
      event.kind === 'audio-restored'
        ? null
        : { kind: event.kind, message: event.message, at: this.options.clock.now() };
    this.update(call, { mediaProblem });
  }

  // ── Transfers ──────────────────────────────────────────────────────────────

  private async startTransfer(
    callId: string,
    consentId: string,
    target: string,
    mode: 'blind' | 'attended',
    action: 'transfer' | 'escalate',
  ): Promise<void> {
    const call = this.requireCall(callId);
    this.refuseUnlessAllowed(call, action);
    const uri = this.targetUri(target);
    this.spendConsent(call, consentId, action);
    const transferring = this.begin(call, 'transfer');
    // The caller waits on hold (they agreed to it) while the transfer is tried.
    if (call.view.state === 'active') {
      await this.reinvite(call, transferring, true);
      if (call.pending !== transferring) return;
      this.apply(call, 'hold');
    }
    const transfer: TransferView = {
      kind: mode,
      escalation: action === 'escalate',
      target: sanitizeDisplayName(target),
      status: mode === 'attended' ? 'consulting' : 'trying',
      statusCode: null,
      consultCallId: null,
    };
    if (mode === 'blind') {
      this.update(call, { transfer });
      this.apply(call, 'transfer', 'blind');
      this.sendRefer(call, transferring, uri);
      return;
    }
    // Consulting is no command in flight: the consult leg and the transfer say it.
    call.pending = null;
    const consultId = randomUUID();
    // The transfer names its consult leg before either is reported, so no report shows half of it.
    call.view = { ...call.view, transfer: { ...transfer, consultCallId: consultId } };
    this.startOutgoing(target, call.view.id, consultId);
  }

  private sendRefer(call: TrackedCall, transferring: PendingOperation, target: URI | Session): void {
    const settle = (outcome: 'succeeded' | 'failed', statusCode: number | null) => {
      if (!this.calls.has(call.view.id) || call.view.state !== 'transferring') {
        this.settle(call, transferring);
        return;
      }
      if (outcome === 'succeeded') {
        this.updateTransfer(call, { status: outcome, statusCode });
        this.apply(call, 'transfer-succeeded', `${statusCode ?? ''}`.trim() || undefined);
        // sip.js leaves the transferred dialog up (#1069): end it ourselves.
        if (call.session.state === SessionState.Established) void call.session.bye().catch(() => undefined);
        this.hangUpConsultLater(call);
      } else {
        // Back on hold first, so nobody sees a failed transfer still "transferring".
        this.apply(call, 'transfer-failed', statusCode ? String(statusCode) : undefined);
        this.updateTransfer(call, { status: outcome, statusCode });
      }
    };
    call.session
      .refer(target, {
        requestDelegate: {
          onReject: (response) =>
            this.guard('REFER rejected', () => settle('failed', response.message.statusCode ?? null)),
        },
        onNotify: (notification) =>
          this.guard('transfer NOTIFY', () => {
            void notification.accept().catch(() => undefined);
            const progress = parseSipfrag(notification.request.body);
            if (!progress) return;
            if (progress.status === 'succeeded' || progress.status === 'failed') {
              settle(progress.status, progress.statusCode);
            } else if (call.view.state === 'transferring') {
              this.updateTransfer(call, progress);
            }
          }),
      })
      .catch((error: unknown) =>
        this.guard('REFER send', () => {
          this.options.logger.warn(`Sending REFER failed: ${describe(error)}`);
          settle('failed', null);
        }),
      );
  }

  /** The consult leg of a completed attended transfer: the target normally ends it (Replaces). */
  private hangUpConsultLater(call: TrackedCall): void {
    const consult = this.consultOf(call);
    if (!consult) return;
    this.options.clock.setTimeout(() => {
      if (!this.calls.has(consult.view.id)) return;
      consult.pending = { kind: 'hang-up' };
      void this.endSession(consult).catch(() => undefined);
    }, this.options.consultHangupGraceMs ?? 2_000);
  }

  private consultOf(call: TrackedCall): TrackedCall | undefined {
    const id = call.view.transfer?.kind === 'attended' ? call.view.transfer.consultCallId : null;
    return id ? this.calls.get(id) : undefined;
  }

  /** When a consult call ends before the transfer completed, the caller stays held and is told why. */
  private consultEnded(consult: TrackedCall): void {
    const transferee = consult.view.consultFor ? this.calls.get(consult.view.consultFor) : undefined;
    if (!transferee || transferee.view.transfer?.status !== 'consulting') return;
    const code = consult.view.timeline.findLast((e) => e.kind === 'ended')?.detail;
    this.updateTransfer(transferee, {
      status: 'failed',
      statusCode: code && /^\d{3}$/.test(code) ? Number(code) : null,
    });
  }

  // ── SIP plumbing ───────────────────────────────────────────────────────────

  /**
   * Sends a hold or resume re-INVITE for the operation `op` and waits for its answer;
   * retries on 491 glare. On failure `op` is over; on success the caller completes it
   * together with the call's new state.
   */
  private async reinvite(
    call: TrackedCall,
    op: PendingOperation,
    hold: boolean,
    once: { iceRestart?: boolean } = {},
  ): Promise<void> {
    await this.untilAcked(call);
    if (!this.calls.has(call.view.id)) {
      throw new PhoneError('invalid-transition', 'The call has already ended.');
    }
    const session = call.session;
    const previous = session.sessionDescriptionHandlerOptionsReInvite as SignallingMediaOptions;
    // Assign a new object: sip.js's getter returns a copy, mutating it is lost (docs/sipjs-pitfalls.md#s14).
    const kept = { ...previous, hold } as SignallingMediaOptions;
    session.sessionDescriptionHandlerOptionsReInvite = { ...kept, ...once } as SignallingMediaOptions;
    const done = () => {
      // `hold` stays for the answers to the far end's re-INVITEs; an ICE restart is for this offer only.
      if (session.sessionDescriptionHandlerOptionsReInvite !== previous)
        session.sessionDescriptionHandlerOptionsReInvite = kept;
    };
    return new Promise<void>((resolve, reject) => {
      const fail = (error: PhoneError) => {
        session.sessionDescriptionHandlerOptionsReInvite = previous;
        done();
        this.settle(call, op);
        reject(error);
      };
      const attempt = (retriesLeft: number) => {
        session
          .invite({
            requestDelegate: {
              onAccept: (response) => {
                call.sessionTimer?.refreshed(response.message.getHeader('Session-Expires'), true);
                done();
                resolve();
              },
              onReject: (response) => {
                const code = response.message.statusCode ?? 0;
                if (code === 491 && retriesLeft > 0) {
                  // Glare: try again after a random pause (RFC 3261 §14.1).
                  this.options.clock.setTimeout(() => attempt(retriesLeft - 1), 500 + Math.random() * 1500);
                  return;
                }
                if (code === 408 || code === 481) {
                  // The dialog is gone (RFC 3261 §12.2.1.2): end it rather than leave a zombie.
                  this.endForCause(call, 'connection-lost', String(code));
                }
                fail(new PhoneError('sip-error', `The other side refused to ${hold ? 'hold' : 'resume'} (${code}).`));
              },
            },
          })
          .catch((error: unknown) => fail(this.sipFailure(hold ? 'hold' : 'resume', error)));
      };
      attempt(2);
    });
  }

  /** Waits for the caller's ACK of our answer, at most as long as its retransmissions last. */
  private untilAcked(call: TrackedCall): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.options.clock.setTimeout(resolve, 5_000);
      void call.acked.then(() => {
        this.options.clock.clearTimeout(timer);
        resolve();
      });
    });
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

  private startOutgoing(target: string, consultFor: string | null, id: string = randomUUID()): TrackedCall {
    const uri = this.targetUri(target);
    const inviter = new Inviter(this.userAgent, uri);
    const now = this.options.clock.now();
    const call: TrackedCall = {
      session: inviter,
      pending: null,
      // We send the ACK of an outgoing call ourselves.
      acked: Promise.resolve(),
      ackArrived: () => undefined,
      view: {
        ...liveView(id, 'outgoing', now),
        state: 'dialing',
        remoteNumber: normalizeNumber(uri.user ?? target, this.policy.defaultRegion),
        consultFor,
      },
    };
    this.watchSession(call);
    this.calls.set(call.view.id, call);
    this.emit();
    inviter
      .invite({
        requestDelegate: {
          // A callee may ask for a session timer in its answer, with us as the refresher.
          onAccept: (response) => this.guard('INVITE accepted', () => this.startOutgoingTimer(call, response.message)),
          onReject: (response) =>
            this.guard('INVITE rejected', () => {
              call.rejectCode = response.message.statusCode;
            }),
        },
      })
      .catch((error: unknown) =>
        this.guard('INVITE send', () => {
          this.options.logger.warn(`Could not place the call: ${describe(error)}`);
          if (this.calls.has(call.view.id)) this.apply(call, 'failed', describe(error));
        }),
      );
    return call;
  }

  // ── The early pop (early-invite.ts) ────────────────────────────────────────

  /**
   * Every inbound frame passes here before sip.js sees it: a new INVITE the agent
   * would be offered is shown at once, then the guard (inbound-guard.ts) judges the
   * frame as always. A frame it refuses withdraws the call again before anything
   * else runs; otherwise, once sip.js has taken the frame, the call is bound to its
   * Invitation (handleInvite) or withdrawn (checkEarly).
   */
  private inspectInbound(message: string): InboundVerdict {
    const early = this.popEarly(message);
    const verdict = inspectInbound(message);
    if (early) {
      if (verdict.kind !== 'pass') this.withdraw(early.key, verdict.reason);
      // Runs after sip.js's synchronous handling of this frame (the transport hands it over next).
      else queueMicrotask(() => this.guard('early call', () => this.checkEarly(early.key)));
    }
    return verdict;
  }

  private popEarly(message: string): InitialInvite | undefined {
    if (!this.accepting || this.calls.size + this.early.size >= (this.options.maxLiveCalls ?? 4)) return undefined;
    const invite = scanInitialInvite(message, this.policy.defaultRegion, {
      trustAssertedIdentity: this.policy.trustAssertedIdentity,
    });
    if (!invite || this.poppedKeys.includes(invite.key) || this.early.has(invite.key)) return undefined;
    // An INVITE refused before it rings (420, 400, 422: docs/sipjs-pitfalls.md#s27, #s29) is never shown.
    if (checkRequest(message).kind === 'refuse') return undefined;
    if (negotiateIncoming(message, { ...DEFAULT_SESSION_TIMER, ...this.options.sessionTimer }).kind === 'too-small')
      return undefined;
    this.poppedKeys.push(invite.key);
    if (this.poppedKeys.length > 64) this.poppedKeys.shift();
    const view: LiveView = {
      ...liveView(randomUUID(), 'incoming', this.options.clock.now()),
      remoteName: invite.identity.name,
      remoteNumber: invite.identity.number,
    };
    let settle: (bound: boolean) => void = () => undefined;
    const arrived = new Promise<void>((resolve, reject) => {
      settle = (bound) =>
        bound ? resolve() : reject(new PhoneError('invalid-transition', 'The call has already ended.'));
    });
    // Nobody may be waiting; the rejection is only for those who are.
    arrived.catch(() => undefined);
    this.early.set(invite.key, { view, key: invite.key, arrived, settle });
    this.emit();
    return invite;
  }

  /**
   * What every call command awaits first: a call shown early waits until sip.js hands
   * it over (and is refused if it is withdrawn instead); any other call goes on at once.
   */
  private arrival(callId: string): Promise<void> | undefined {
    if (this.early.size === 0) return undefined;
    return [...this.early.values()].find((entry) => entry.view.id === callId)?.arrived;
  }

  /**
   * After sip.js has handled the INVITE frame: if it made no session of it (it
   * refused the request, or threw), the call is withdrawn; if the session ends
   * before it is handed to us (a rejection of its own), likewise.
   */
  private checkEarly(key: string): void {
    if (!this.early.has(key)) return;
    const session: Session | undefined = this.userAgent._sessions[key];
    if (!session || session.state === SessionState.Terminated) {
      this.withdraw(key, 'sip.js did not take the INVITE');
      return;
    }
    session.stateChange.addListener((state) => {
      if (state === SessionState.Terminated && this.early.has(key))
        this.guard('early call', () => this.withdraw(key, 'the INVITE ended before it was offered'));
    });
  }

  /** Ends a call shown early that will never be offered, through the state machine ('failed'). */
  private withdraw(key: string, reason: string): void {
    const early = this.early.get(key);
    if (!early) return;
    this.early.delete(key);
    this.withdrawView(early.view, reason);
    early.settle(false);
  }

  /** Reports an early call (already out of `early`) as ended, withdrawn. */
  private withdrawView(view: LiveView, reason: string): void {
    const now = this.options.clock.now();
    const detail = `withdrawn: ${reason}`;
    const ended: CallView = {
      ...view,
      state: nextCallState(view.state, 'failed'),
      endedAt: now,
      endReason: END_REASON.failed ?? 'failed',
      endedBy: ENDED_BY.failed ?? 'system',
      timeline: [...view.timeline, { kind: 'ended', at: now, detail }],
      pending: null,
      allowed: { ...NOTHING_ALLOWED },
    };
    this.recent = [ended, ...this.recent].slice(0, this.options.recentCallsKept ?? 10);
    this.emit();
  }

  private handleInvite(invitation: Invitation): void {
    const key = invitation.request.callId + invitation.request.fromTag;
    const early = this.early.get(key);
    this.early.delete(key);
    if (!this.accepting) {
      // On break or in wrap-up: the call is not offered to the agent at all.
      if (early) {
        this.withdrawView(early.view, 'the agent became unavailable');
        early.settle(false);
      }
      void invitation.reject({ statusCode: 486 }).catch(() => undefined);
      return;
    }
    const live = this.calls.size + this.early.size;
    if (live >= (this.options.maxLiveCalls ?? 4)) {
      // A flood of INVITEs must not bury the agent's screen in ringing calls.
      if (early) {
        this.withdrawView(early.view, 'too many calls');
        early.settle(false);
      }
      void invitation.reject({ statusCode: 486 }).catch(() => undefined);
      return;
    }
    const timerSettings = { ...DEFAULT_SESSION_TIMER, ...this.options.sessionTimer };
    const timerOffer = negotiateIncoming(invitation.request.data, timerSettings);
    if (timerOffer.kind === 'too-small') {
      void invitation.reject({ statusCode: 422, extraHeaders: [`Min-SE: ${timerOffer.minSe}`] }).catch(() => undefined);
      return;
    }
    const identity = remoteIdentity(
      {
        displayName: invitation.remoteIdentity.displayName,
        user: invitation.remoteIdentity.uri.user,
        host: invitation.remoteIdentity.uri.host,
      },
      invitation.request.getHeaders('P-Asserted-Identity'),
      this.policy.defaultRegion,
      {
        trustAssertedIdentity: this.policy.trustAssertedIdentity,
        privacy: invitation.request.getHeaders('Privacy'),
      },
    );
    const shown = {
      remoteName: identity.name,
      remoteNumber: identity.number,
      ...(identity.withheld ? { withheld: true } : {}),
    };
    if (early) {
      // The call shown early, now with its session: sip.js's parse has the last word on the identity.
      if (early.view.remoteName !== identity.name || early.view.remoteNumber !== identity.number)
        this.options.logger.warn('The early caller identity differed from the parsed one; corrected.');
      this.bind(invitation, { ...early.view, ...shown }, timerOffer.terms);
      early.settle(true);
      return;
    }
    this.bind(
      invitation,
      { ...liveView(randomUUID(), 'incoming', this.options.clock.now()), ...shown },
      timerOffer.terms,
    );
  }

  /** Tracks an incoming call with its Invitation and offers it to the agent. */
  private bind(invitation: Invitation, view: LiveView, timerTerms: SessionTimerTerms): void {
    let ackArrived = () => {};
    const acked = new Promise<void>((resolve) => {
      ackArrived = resolve;
    });
    const call: TrackedCall = { session: invitation, pending: null, acked, ackArrived, view };
    call.sessionTimer = new SessionTimer(timerTerms, this.options.clock, {
      refresh: () => this.guard('session refresh', () => this.refreshSession(call)),
      expire: (detail) => this.guard('session expiry', () => this.sessionExpired(call, detail)),
    });
    this.watchSession(call);
    this.calls.set(call.view.id, call);
    this.emit();
    // While it rings, the audio gets ready so that Answer only sends the 200 OK (docs/performance.md#answer).
    const offer = invitation.request.body;
    if (offer) answerPreparerOf(this.options.mediaFactory)?.(invitation, offer);
  }

  private watchSession(call: TrackedCall): void {
    const session = call.session;
    session.delegate = {
      onAck: () => call.ackArrived(),
      // With this delegate sip.js leaves the 200 to us; the flag tells a remote BYE
      // apart from sip.js ending the call itself (an offer/answer failure).
      onBye: (bye) =>
        this.guard('onBye', () => {
          call.remoteBye = { reason: sanitizeDisplayName(bye.request.getHeader('reason') ?? '').slice(0, 120) };
          void bye.accept().catch(() => undefined);
        }),
      // An unhandled in-dialog REFER would be accepted and followed by sip.js: the
      // caller could make the agent dial anything. The agent is never a transferee.
      onRefer: (referral) =>
        this.guard('onRefer', () => {
          void referral.reject({ statusCode: 603 }).catch(() => undefined);
        }),
      // A re-INVITE from the other side: did they put us on hold, or take us off it?
      onInvite: (request, _response, statusCode) =>
        this.guard('remote re-INVITE', () => {
          if (statusCode === 200) call.sessionTimer?.refreshed(request.getHeader('Session-Expires'));
          if (statusCode !== 200 || !request.body) return;
          const direction = audioDirection(request.body);
          const remoteHold = direction === 'sendonly' || direction === 'inactive';
          if (remoteHold === call.view.remoteHold || !this.calls.has(call.view.id)) return;
          this.update(call, {
            remoteHold,
            timeline: [
              ...call.view.timeline,
              { kind: remoteHold ? 'remote-held' : 'remote-resumed', at: this.options.clock.now() },
            ],
          });
        }),
    };
    session.stateChange.addListener((state) => this.guard('session state', () => this.handleSessionState(call, state)));
  }

  /** Every inbound message: the inbound guard, then the session refreshes sip.js cannot answer (UPDATE). */
  private inspect(message: string): InboundVerdict {
    const verdict = this.inspectInbound(message);
    if (verdict.kind === 'drop' && message.startsWith('SIP/2.0 ')) this.unreadableResponse(message);
    if (verdict.kind !== 'pass' || !message.startsWith('UPDATE ')) return verdict;
    const callId = rawHeaderValues(verdict.message, 'Call-ID', 'i')[0];
    const call = callId ? this.callByCallId(callId) : undefined;
    if (!call?.sessionTimer || call.session.state !== SessionState.Established) return verdict;
    const answer = answerSessionRefresh(verdict.message, this.userAgent.contact.toString(), call.sessionTimer);
    if (answer.refreshed) call.sessionTimer.refreshed(rawHeaderValues(verdict.message, 'Session-Expires', 'x')[0]);
    return { kind: 'reply', response: answer.response, reason: `UPDATE answered ${answer.status} by the phone` };
  }

  private callByCallId(callId: string): TrackedCall | undefined {
    return [...this.calls.values()].find(
      (call) =>
        call.session.dialog?.callId === callId ||
        ((call.session instanceof Invitation || call.session instanceof Inviter) &&
          call.session.request.callId === callId),
    );
  }

  /**
   * A response the guard had to drop because sip.js cannot read it. A final one for a
   * call's INVITE (or re-INVITE, UPDATE, REFER) would leave that call waiting for an
   * answer that never comes: the call ends at once, with the reason
   * (docs/sipjs-pitfalls.md#s33). Provisional ones and answers to BYE, INFO, NOTIFY
   * change nothing and stay dropped.
   */
  private unreadableResponse(raw: string): void {
    const status = Number(/^SIP\/2\.0 (\d{3})/.exec(raw)?.[1] ?? 0);
    if (status < 200) return;
    const callId = rawHeaderValues(raw, 'Call-ID', 'i')[0];
    const method = /^\s*\d+\s+([A-Za-z]+)/.exec(rawHeaderValues(raw, 'CSeq')[0] ?? '')?.[1]?.toUpperCase();
    const call = callId ? this.callByCallId(callId) : undefined;
    if (!call || !method || !['INVITE', 'UPDATE', 'REFER'].includes(method)) return;
    // Not from inside the transport's message handling: sip.js runs on after this returns.
    queueMicrotask(() =>
      this.guard('unreadable response', () =>
        this.endForCause(call, 'protocol-error', `unreadable ${status} answer to ${method}`),
      ),
    );
  }

  private timerOf(callId: string): SessionTimer | undefined {
    return this.callByCallId(callId)?.sessionTimer;
  }

  /**
   * The session timer an outgoing call's 2xx asks for (RFC 4028 §7.2), if any. Its
   * `refresher` is named from our INVITE's point of view: `uac` is us.
   */
  private startOutgoingTimer(call: TrackedCall, answer: { getHeader(name: string): string | undefined }): void {
    const se = parseSessionExpires(answer.getHeader('Session-Expires'));
    if (!se || call.sessionTimer || !this.calls.has(call.view.id)) return;
    const peerSupports = /\btimer\b/i.test(
      `${answer.getHeader('Require') ?? ''},${answer.getHeader('Supported') ?? ''}`,
    );
    call.sessionTimer = new SessionTimer(
      { intervalS: se.seconds, refresher: se.refresher === 'uac' ? 'uas' : 'uac', peerSupports },
      this.options.clock,
      {
        refresh: () => this.guard('session refresh', () => this.refreshSession(call)),
        expire: (detail) => this.guard('session expiry', () => this.sessionExpired(call, detail)),
      },
    );
    call.sessionTimer.refreshed();
  }

  /** We are the refresher: a re-INVITE keeps the session (and finds out whether the dialog is still there). */
  private refreshSession(call: TrackedCall): void {
    const timer = call.sessionTimer;
    if (!timer || !this.calls.has(call.view.id) || call.session.state !== SessionState.Established) return;
    if (call.pending) {
      // A hold or transfer re-INVITE is under way and refreshes too; look again shortly.
      this.options.clock.setTimeout(() => this.guard('session refresh', () => this.refreshSession(call)), 1_000);
      return;
    }
    call.session
      .invite({
        requestDelegate: {
          onAccept: (response) => timer.refreshed(response.message.getHeader('Session-Expires'), true),
          onReject: (response) =>
            this.guard('session refresh rejected', () => {
              const code = response.message.statusCode ?? 0;
              if (code === 408 || code === 481) this.endForCause(call, 'connection-lost', String(code));
              else if (code === 491)
                this.options.clock.setTimeout(() => this.refreshSession(call), 500 + Math.random() * 1500);
              else timer.refreshFailed(`session refresh refused (${code})`);
            }),
        },
      })
      .catch((error: unknown) => timer.refreshFailed(`session refresh not sent: ${describe(error)}`));
  }

  /** No refresh came in time: the dialog is gone on the other side, or the connection is. */
  private sessionExpired(call: TrackedCall, detail: string): void {
    const connected = this.userAgent.transport.isConnected();
    this.endForCause(call, connected ? 'session-expired' : 'connection-lost', detail);
  }

  private handleSessionState(call: TrackedCall, state: SessionState): void {
    if (!this.calls.has(call.view.id)) return;
    if (state === SessionState.Established) {
      call.sessionTimer?.refreshed();
      this.apply(call, call.view.direction === 'incoming' ? 'answer' : 'remote-answered');
    } else if (state === SessionState.Terminated) {
      call.sessionTimer?.stop();
      const { event, detail } = this.termination(call);
      if (event !== 'remote-rejected') {
        this.apply(call, event, detail);
        return;
      }
      // sip.js terminates the Inviter before it calls our onReject with the status:
      // wait one microtask so the call's record can say why it failed.
      queueMicrotask(() =>
        this.guard('rejected call', () => {
          if (this.calls.has(call.view.id))
            this.apply(call, event, call.rejectCode ? String(call.rejectCode) : undefined);
        }),
      );
    }
  }

  /** Why a session ended, and what to record about it (docs/sipjs-pitfalls.md#s28). */
  private termination(call: TrackedCall): { event: CallEvent; detail?: string | undefined } {
    const { state } = call.view;
    const pending = call.pending?.kind;
    // A ringing call the agent ends (decline, or the app stopping) was declined.
    if ((pending === 'decline' || pending === 'hang-up') && state === 'ringing')
      return { event: 'decline', detail: call.declineCode ? String(call.declineCode) : undefined };
    if (pending === 'hang-up') return { event: 'hang-up' };
    if (call.endCause) return { event: call.endCause.event, detail: call.endCause.detail };
    if (state === 'ringing' && pending === 'answer') return { event: 'failed', detail: 'answer-failed' };
    if (state === 'ringing') return { event: 'caller-cancelled' };
    if (state === 'dialing') return { event: 'remote-rejected' };
    if (call.remoteBye) return { event: 'remote-hangup', detail: call.remoteBye.reason || undefined };
    // Established, and nobody asked for the end: sip.js hung up itself, which it does
    // when an offer or answer fails (BYE with Reason 488).
    return { event: 'media-failed', detail: '488' };
  }

  /**
   * Ends a call for a network cause: BYE when established, CANCEL or a final answer
   * before, and locally when nothing can be sent. The cause goes to the call's record.
   */
  private endForCause(call: TrackedCall, event: NetworkEnding, detail: string): void {
    if (!this.calls.has(call.view.id) || call.endCause) return;
    call.endCause = { event, detail };
    this.options.logger.warn(`Ending call ${call.view.id}: ${event} (${detail})`);
    const session = call.session;
    // The BYE (or CANCEL) goes out in the background: sip.js may hold it back until the
    // caller's ACK arrives or its transaction times out (RFC 3261 §15), and over a dead
    // connection it may never leave. The agent's screen waits for neither.
    void this.endSession(call)
      .catch(() => undefined)
      .finally(() => {
        if (session.state !== SessionState.Terminated) void session.dispose().catch(() => undefined);
      });
    if (this.calls.has(call.view.id)) this.apply(call, event, detail);
  }

  /**
   * Applies a state machine event to a call and records it in the call's timeline.
   * An event that completes the call's pending operation ends it in the same report.
   */
  private apply(call: TrackedCall, event: CallEvent, detail?: string): void {
    const next = nextCallState(call.view.state, event);
    const now = this.options.clock.now();
    const kind = TIMELINE_KIND[event];
    if (call.pending && (next === 'ended' || COMPLETES[event] === call.pending.kind)) call.pending = null;
    const view: LiveView = {
      ...call.view,
      state: next,
      timeline: kind ? [...call.view.timeline, { kind, at: now, ...(detail ? { detail } : {}) }] : call.view.timeline,
    };
    if (next === 'active' && view.answeredAt === null) view.answeredAt = now;
    if (next !== 'ended') {
      call.view = view;
      this.emit();
      return;
    }
    view.endedAt = now;
    view.endReason = END_REASON[event] ?? 'failed';
    view.endedBy = ENDED_BY[event] ?? 'system';
    view.consents = this.consents.forCall(view.id);
    if (kind !== 'ended') view.timeline = [...view.timeline, { kind: 'ended', at: now, ...(detail ? { detail } : {}) }];
    call.view = view;
    this.consents.forget(view.id);
    this.calls.delete(view.id);
    const ended: CallView = { ...view, pending: null, allowed: { ...NOTHING_ALLOWED } };
    this.recent = [ended, ...this.recent].slice(0, this.options.recentCallsKept ?? 10);
    if (view.consultFor) this.consultEnded(call);
    this.emit();
  }

  private update(call: TrackedCall, patch: Partial<LiveView>): void {
    call.view = { ...call.view, ...patch };
    this.emit();
  }

  private updateTransfer(call: TrackedCall, patch: Partial<TransferView>): void {
    if (!call.view.transfer) return;
    this.update(call, { transfer: { ...call.view.transfer, ...patch } });
  }

  // ── Checks ─────────────────────────────────────────────────────────────────

  private requireCall(callId: string): TrackedCall {
    const call = this.calls.get(callId);
    if (!call && [...this.early.values()].some((early) => early.view.id === callId))
      throw new PhoneError('invalid-transition', 'The call is still arriving; try again in a moment.');
    if (!call) {
      const ended = this.recent.some((c) => c.id === callId);
      throw new PhoneError(
        ended ? 'invalid-transition' : 'call-not-found',
        ended ? 'The call has already ended.' : `No call with id ${callId}.`,
      );
    }
    return call;
  }

  /**
   * The one guard of every call command: refuses `action` unless allowed-actions.ts
   * allows it for this call now, with its hint of what to do instead.
   */
  private refuseUnlessAllowed(call: TrackedCall, action: CallAction): void {
    const refusal = refusalOf(action, this.factsOf(call), this.contextOf(call));
    if (refusal) throw new PhoneError(refusal.code, refusal.message);
  }

  /** The call as it is reported: its view with its operation in flight and what it allows. */
  private reported(call: TrackedCall): CallView {
    const facts = this.factsOf(call);
    return { ...facts, allowed: allowedActions(facts, this.contextOf(call)) };
  }

  private factsOf(call: TrackedCall): LiveView & { pending: CallPending | null } {
    return { ...call.view, pending: call.pending?.kind ?? null };
  }

  private contextOf(call: TrackedCall): CallContext {
    const consult = this.consultOf(call);
    return {
      consult: consult ? { state: consult.view.state, pending: consult.pending?.kind ?? null } : null,
      otherCallActive: this.anotherCallActive(call),
      supervisorConfigured: this.policy.escalationTarget !== '',
    };
  }

  private anotherCallActive(except: TrackedCall | undefined): boolean {
    return [...this.calls.values()].some((other) => other !== except && other.view.state === 'active');
  }

  /** Starts an operation on the call; it is reported at once, so the agent sees it under way. */
  private begin(call: TrackedCall, kind: CallPending): PendingOperation {
    const op: PendingOperation = { kind };
    call.pending = op;
    this.emit();
    return op;
  }

  /** Completes `op` with the event it was for, unless it was replaced meanwhile (hung up during a hold). */
  private complete(call: TrackedCall, op: PendingOperation, event: CallEvent): void {
    if (call.pending === op && this.calls.has(call.view.id)) this.apply(call, event);
  }

  /** Ends `op` without a change of state (it failed, or it needs none); a replaced one is left alone. */
  private settle(call: TrackedCall, op: PendingOperation): void {
    if (call.pending !== op) return;
    call.pending = null;
    if (this.calls.has(call.view.id)) this.emit();
  }

  private spendConsent(call: TrackedCall, consentId: string, action: ConsentAction): void {
    const used = this.consents.consume(consentId, call.view.id, action);
    this.update(call, { consents: call.view.consents.map((c) => (c.id === used.id ? used : c)) });
  }

  /** An incoming call's session (allowed-actions.ts has already refused outgoing ones). */
  private invitationOf(call: TrackedCall): Invitation {
    if (!(call.session instanceof Invitation)) throw new PhoneError('internal', 'An incoming call without an INVITE.');
    return call.session;
  }

  /** A number becomes `sip:<digits>@<our domain>`; a SIP URI is used as it is. */
  private targetUri(target: string): URI {
    const trimmed = target.trim();
    const text = /^sips?:/i.test(trimmed) ? trimmed : `sip:${trimmed.replace(/[\s\-().]/g, '')}@${this.domain}`;
    const uri = UserAgent.makeURI(text);
    if (!uri) throw new PhoneError('invalid-payload', 'That is not a number or SIP address that can be called.');
    return uri;
  }

  private emit(): void {
    const state = this.getState();
    for (const listener of [...this.listeners]) {
      this.guard('state listener', () => listener(state));
    }
  }

  private sipFailure(action: string, error: unknown): PhoneError {
    if (error instanceof PhoneError) return error;
    if (error instanceof MediaError) {
      this.options.logger.warn(`Could not ${action}: ${error.message}`);
      return new PhoneError('media-error', error.message);
    }
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

/** Which timeline entry each state machine event leaves in the call's record. */
const TIMELINE_KIND: Partial<Record<CallEvent, CallView['timeline'][number]['kind']>> = {
  answer: 'answered',
  'remote-answered': 'answered',
  hold: 'held',
  resume: 'resumed',
  transfer: 'transfer-started',
  'transfer-failed': 'transfer-failed',
  'transfer-succeeded': 'transferred',
};

/** A new call's view as the phone keeps it (newCallView without what is added when reported). */
function liveView(id: string, direction: CallView['direction'], offeredAt: number): LiveView {
  const { pending: _pending, allowed: _allowed, ...view } = newCallView(id, direction, offeredAt);
  return view;
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
