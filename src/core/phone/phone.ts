/**
 * The agent's phone: a sip.js UserAgent over SIP-over-WebSocket, wrapped so that the
 * rest of Calmline sees only plain, sanitised state (`PhoneState`) and a handful of
 * commands. No sip.js object leaves this module.
 *
 * The phone is the authority for call control: hold, transfer and escalate consume
 * a consent from the ConsentGate before anything is sent on the wire, whatever the
 * renderer asks.
 *
 * The wrapper also defuses the sip.js traps of docs/sipjs-pitfalls.md (ids in
 * brackets): our own transport drops messages sip.js throws on [S1]; every delegate
 * we hand sip.js is guarded [S3]; register()/unregister() are wrapped because they
 * throw synchronously [S4]; an in-dialog REFER is never followed on its own [S17]; a
 * dropped connection is retried with backoff and re-registered with a fresh
 * Registerer (the old one may be stuck waiting on a REGISTER that will never be
 * answered) [S5]; a successful transfer is ended with BYE by us (sip.js does not)
 * [S18]; 408/481 to a re-INVITE ends the dialog [S15].
 *
 * Rule codes (D2 …) are defined in docs/practice.md.
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
  type URI,
} from 'sip.js';
import {
  newCallView,
  type CallPolicy,
  type CallView,
  type ConsentAction,
  type ConsentEntry,
  type PhoneState,
  type Registration,
  type TransferView,
} from '../../shared/contract';
import type { Clock, TimerHandle } from '../clock';
import type { CoreLogger } from '../logger';
import { normalizeNumber, remoteIdentity, sanitizeDisplayName } from './caller-identity';
import { ENDED_BY, END_REASON, canApply, nextCallState, type CallEvent } from './call-state';
import { ConsentGate } from './consent-gate';
import { inspectInbound } from './inbound-guard';
import { PhoneError } from './phone-error';
import { audioDirection, type SignallingMediaOptions } from './signalling-media';
import { audioControlsOf, MediaError } from '../media/bridged-media';
import type { MediaEvent } from '../../shared/media-protocol';
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
  /** Delays between reconnect attempts, in milliseconds; the last one repeats. */
  reconnectBackoffMs?: readonly number[];
  /** How many ended calls the state keeps for the "recent calls" list. */
  recentCallsKept?: number;
  /** Calls alive at once (ringing, active, held); more INVITEs get 486 Busy Here. */
  maxLiveCalls?: number;
  /** Milliseconds before the consult leg of a completed attended transfer is hung up by us. */
  consultHangupGraceMs?: number;
  transport?: Partial<Omit<WsTransportOptions, 'server'>>;
}

const DEFAULT_BACKOFF_MS = [500, 1_000, 2_000, 5_000, 10_000, 30_000] as const;

interface TrackedCall {
  view: CallView;
  session: Session;
  /** What the agent asked for last, so a termination can be told apart from a remote one. */
  localIntent: 'decline' | 'hang-up' | undefined;
  /**
   * The agent's answer is under way. If the call ends before it is established, the
   * answer failed (no microphone, say: sip.js then rejects the INVITE itself), which
   * is not the caller giving up.
   */
  answering?: boolean;
  /** A re-INVITE or REFER in flight: a second one must wait (RFC 3261 §14.1). */
  busy: string | undefined;
  /** Final status of a rejected outgoing INVITE, for the call's record. */
  rejectCode?: number | undefined;
  /**
   * Settles when the caller's ACK for our 200 arrives. No re-INVITE may leave before
   * it (RFC 3261 §14.1): sip.js would otherwise take the late ACK as a protocol
   * error and end the call.
   */
  acked: Promise<void>;
  ackArrived: () => void;
}

type Listener = (state: PhoneState) => void;

/** A SIP phone for one account. Create, `start()`, read `getState()`, send commands. */
export class Phone {
  private readonly userAgent: UserAgent;
  private readonly domain: string;
  private registerer: Registerer | undefined;
  private registration: Registration = { status: 'stopped' };
  private readonly calls = new Map<string, TrackedCall>();
  private recent: CallView[] = [];
  private readonly listeners = new Set<Listener>();
  private reconnectTimer: TimerHandle | undefined;
  private reconnectAttempt = 0;
  private running = false;
  private readonly backoff: readonly number[];
  private policy: CallPolicy;
  private readonly consents: ConsentGate;
  /** Whether new calls are offered to the agent (false on break or in wrap-up), and how they are refused. */
  private availability: { accepting: boolean; mode: 'busy' | 'unregister' } = { accepting: true, mode: 'busy' };

  constructor(private readonly options: PhoneOptions) {
    const uri = UserAgent.makeURI(options.account.sipUri);
    if (!uri) throw new PhoneError('not-configured', `Not a SIP URI: ${options.account.sipUri}`);
    this.domain = uri.host;
    this.backoff = options.reconnectBackoffMs?.length ? options.reconnectBackoffMs : DEFAULT_BACKOFF_MS;
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
        inspect: inspectInbound,
        ...options.transport,
        server: options.account.wsUrl,
      } satisfies WsTransportOptions,
      sessionDescriptionHandlerFactory: options.mediaFactory,
      userAgentString: 'Calmline',
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

  /** Applies a new call policy (region, escalation target, consent lifetime) to later commands. */
  setPolicy(policy: CallPolicy): void {
    this.policy = policy;
    this.consents.setTtl(policy.consentTtlSeconds * 1000);
  }

  /**
   * Makes the agent unavailable (break, wrap-up) or available again. Unavailable
   * with mode `busy`: new calls are answered 486 Busy Here and never offered; with
   * `unregister`: the phone un-REGISTERs so the PBX routes calls elsewhere, and
   * registers again when the agent is back.
   */
  setAvailability(availability: { accepting: true } | { accepting: false; mode: 'busy' | 'unregister' }): void {
    const next = availability.accepting ? { accepting: true, mode: this.availability.mode } : availability;
    const wasUnregistered = !this.availability.accepting && this.availability.mode === 'unregister';
    const nowUnregistered = !next.accepting && next.mode === 'unregister';
    this.availability = next;
    if (nowUnregistered && !wasUnregistered) {
      void this.unregister().then(() => this.setRegistration({ status: 'connecting' }));
    } else if (wasUnregistered && !nowUnregistered && this.running) {
      this.registerNow();
    }
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
      call.localIntent = 'hang-up';
      await this.endSession(call).catch(() => undefined);
    }
    await this.unregister();
    await this.userAgent.stop().catch((error: unknown) => {
      this.options.logger.warn(`Stopping the user agent failed: ${describe(error)}`);
    });
    this.setRegistration({ status: 'stopped' });
  }

  // ── Commands ───────────────────────────────────────────────────────────────

  /** Answers a ringing incoming call. Another active caller must be put on hold first. */
  async answer(callId: string): Promise<void> {
    const call = this.requireCall(callId);
    this.check(call, 'answer');
    const invitation = this.asInvitation(call, 'answered');
    this.refuseIfAnotherCallIsActive(call);
    call.answering = true;
    try {
      await invitation.accept();
    } catch (error) {
      throw this.sipFailure('answer', error);
    } finally {
      call.answering = false;
    }
  }

  /** Declines a ringing incoming call with 486 Busy Here. */
  async decline(callId: string): Promise<void> {
    const call = this.requireCall(callId);
    this.check(call, 'decline');
    const invitation = this.asInvitation(call, 'declined');
    call.localIntent = 'decline';
    try {
      await invitation.reject({ statusCode: 486 });
    } catch (error) {
      call.localIntent = undefined;
      throw this.sipFailure('decline', error);
    }
  }

  /** Ends a call (BYE), or cancels an outgoing one that has not been answered. */
  async hangUp(callId: string): Promise<void> {
    const call = this.requireCall(callId);
    this.check(call, 'hang-up');
    call.localIntent = 'hang-up';
    try {
      await this.endSession(call);
    } catch (error) {
      call.localIntent = undefined;
      throw this.sipFailure('hang up', error);
    }
  }

  /** Calls a number or SIP URI. Any active caller must be on hold first. */
  dial(target: string): string {
    this.refuseIfAnotherCallIsActive(undefined);
    return this.startOutgoing(target, null).view.id;
  }

  /** Records the caller's answer to "may I hold / transfer you?" for one call and action. */
  recordConsent(callId: string, action: ConsentAction, answer: 'agreed' | 'declined'): ConsentEntry {
    const call = this.requireCall(callId);
    const entry = this.consents.record(callId, action, answer);
    this.update(call, { consents: [...call.view.consents, entry] });
    return entry;
  }

  /** Puts the caller on hold (re-INVITE: a=sendonly here, inactive with the audio engine), with their recorded agreement. */
  async hold(callId: string, consentId: string): Promise<void> {
    const call = this.requireCall(callId);
    this.check(call, 'hold');
    this.spendConsent(call, consentId, 'hold');
    await this.reinvite(call, true);
    this.apply(call, 'hold');
  }

  /** Takes the caller off hold. Needs no consent. */
  async resume(callId: string): Promise<void> {
    const call = this.requireCall(callId);
    this.check(call, 'resume');
    this.refuseIfAnotherCallIsActive(call);
    await this.reinvite(call, false);
    this.apply(call, 'resume');
  }

  /**
   * Transfers the caller, with their recorded agreement. Blind: the caller is held
   * and sent a REFER to `target`. Attended: the caller is held and the agent is
   * connected to `target` first (a consult call); `completeTransfer` then sends the
   * REFER with Replaces.
   */
  async transfer(callId: string, consentId: string, target: string, mode: 'blind' | 'attended'): Promise<void> {
    await this.startTransfer(callId, consentId, target, mode, 'transfer');
  }

  /** Transfers the caller to the configured supervisor (domain rule D2), with consent. */
  async escalate(callId: string, consentId: string): Promise<void> {
    const target = this.policy.escalationTarget;
    if (!target) {
      this.requireCall(callId);
      throw new PhoneError('no-escalation-target', 'No supervisor is configured for escalation; set one in the settings.');
    }
    await this.startTransfer(callId, consentId, target, this.policy.escalationMode, 'escalate');
  }

  /** Attended transfer: connects the held caller to the consulted target. */
  async completeTransfer(callId: string): Promise<void> {
    const call = this.requireCall(callId);
    const consult = this.consultOf(call);
    if (!consult || consult.view.state !== 'active') {
      throw new PhoneError('invalid-transition', 'Wait until the transfer target has answered, or cancel the transfer.');
    }
    this.check(call, 'transfer');
    this.refuseIfBusy(call);
    this.apply(call, 'transfer', 'attended');
    this.updateTransfer(call, { status: 'trying' });
    this.sendRefer(call, consult.session);
  }

  /** Attended transfer: hangs up the consult call; the caller stays on hold. */
  async cancelTransfer(callId: string): Promise<void> {
    const call = this.requireCall(callId);
    const consult = this.consultOf(call);
    if (!consult || call.view.state !== 'held') {
      throw new PhoneError('invalid-transition', 'There is no consultation to cancel on this call.');
    }
    this.update(call, { transfer: null });
    consult.localIntent = 'hang-up';
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
    const call = this.requireCall(callId);
    if (call.view.state !== 'active') throw new PhoneError('invalid-transition', 'Digits can only be sent on an active call.');
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
    const call = this.requireCall(callId);
    if (call.view.state === 'ringing' || call.view.state === 'dialing') {
      throw new PhoneError('invalid-transition', 'Mute applies once the call is connected.');
    }
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
    const call = this.requireCall(callId);
    if (call.view.state !== 'active' && call.view.state !== 'held') {
      throw new PhoneError('invalid-transition', 'Only a connected call can reconnect its audio.');
    }
    await this.reinvite(call, call.view.state === 'held', { iceRestart: true });
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
      event.kind === 'audio-restored' ? null : { kind: event.kind, message: event.message, at: this.options.clock.now() };
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
    if (!canApply(call.view.state, 'hold') && !canApply(call.view.state, 'transfer')) {
      this.check(call, 'transfer');
    }
    if (this.consultOf(call)) throw new PhoneError('invalid-transition', 'A transfer of this call is already in progress.');
    this.refuseIfBusy(call);
    const uri = this.targetUri(target);
    this.spendConsent(call, consentId, action);
    // The caller waits on hold (they agreed to it) while the transfer is tried.
    if (call.view.state === 'active') {
      await this.reinvite(call, true);
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
      this.sendRefer(call, uri);
      return;
    }
    const consult = this.startOutgoing(target, call.view.id);
    this.update(call, { transfer: { ...transfer, consultCallId: consult.view.id } });
  }

  private sendRefer(call: TrackedCall, target: URI | Session): void {
    call.busy = 'transfer';
    const settle = (outcome: 'succeeded' | 'failed', statusCode: number | null) => {
      call.busy = undefined;
      if (!this.calls.has(call.view.id) || call.view.state !== 'transferring') return;
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
          onReject: (response) => this.guard('REFER rejected', () => settle('failed', response.message.statusCode ?? null)),
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
      consult.localIntent = 'hang-up';
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
    this.updateTransfer(transferee, { status: 'failed', statusCode: code && /^\d{3}$/.test(code) ? Number(code) : null });
  }

  // ── SIP plumbing ───────────────────────────────────────────────────────────

  /** Sends a hold or resume re-INVITE and waits for its answer; retries on 491 glare. */
  private async reinvite(call: TrackedCall, hold: boolean, once: { iceRestart?: boolean } = {}): Promise<void> {
    this.refuseIfBusy(call);
    call.busy = hold ? 'hold' : 'resume';
    await this.untilAcked(call);
    if (!this.calls.has(call.view.id)) {
      call.busy = undefined;
      throw new PhoneError('invalid-transition', 'The call has already ended.');
    }
    const session = call.session;
    const previous = session.sessionDescriptionHandlerOptionsReInvite as SignallingMediaOptions;
    // Assign a new object: sip.js's getter returns a copy, mutating it is lost (docs/sipjs-pitfalls.md#s14).
    const kept = { ...previous, hold } as SignallingMediaOptions;
    session.sessionDescriptionHandlerOptionsReInvite = { ...kept, ...once } as SignallingMediaOptions;
    const done = () => {
      call.busy = undefined;
      // `hold` stays for the answers to the far end's re-INVITEs; an ICE restart is for this offer only.
      if (session.sessionDescriptionHandlerOptionsReInvite !== previous) session.sessionDescriptionHandlerOptionsReInvite = kept;
    };
    return new Promise<void>((resolve, reject) => {
      const fail = (error: PhoneError) => {
        session.sessionDescriptionHandlerOptionsReInvite = previous;
        done();
        reject(error);
      };
      const attempt = (retriesLeft: number) => {
        session
          .invite({
            requestDelegate: {
              onAccept: () => {
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
                  void session.bye().catch(() => undefined);
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

  private startOutgoing(target: string, consultFor: string | null): TrackedCall {
    const uri = this.targetUri(target);
    const inviter = new Inviter(this.userAgent, uri);
    const now = this.options.clock.now();
    const call: TrackedCall = {
      session: inviter,
      localIntent: undefined,
      busy: undefined,
      // We send the ACK of an outgoing call ourselves.
      acked: Promise.resolve(),
      ackArrived: () => undefined,
      view: {
        ...newCallView(randomUUID(), 'outgoing', now),
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

  private handleInvite(invitation: Invitation): void {
    if (!this.availability.accepting) {
      // On break or in wrap-up: the call is not offered to the agent at all.
      void invitation.reject({ statusCode: 486 }).catch(() => undefined);
      return;
    }
    const live = [...this.calls.values()].length;
    if (live >= (this.options.maxLiveCalls ?? 4)) {
      // A flood of INVITEs must not bury the agent's screen in ringing calls.
      void invitation.reject({ statusCode: 486 }).catch(() => undefined);
      return;
    }
    const identity = remoteIdentity(
      { displayName: invitation.remoteIdentity.displayName, user: invitation.remoteIdentity.uri.user },
      invitation.request.getHeaders('P-Asserted-Identity'),
      this.policy.defaultRegion,
    );
    let ackArrived = () => {};
    const acked = new Promise<void>((resolve) => {
      ackArrived = resolve;
    });
    const call: TrackedCall = {
      session: invitation,
      localIntent: undefined,
      busy: undefined,
      acked,
      ackArrived,
      view: { ...newCallView(randomUUID(), 'incoming', this.options.clock.now()), remoteName: identity.name, remoteNumber: identity.number },
    };
    this.watchSession(call);
    this.calls.set(call.view.id, call);
    this.emit();
  }


  private watchSession(call: TrackedCall): void {
    const session = call.session;
    session.delegate = {
      onAck: () => call.ackArrived(),
      // An unhandled in-dialog REFER would be accepted and followed by sip.js: the
      // caller could make the agent dial anything. The agent is never a transferee.
      onRefer: (referral) =>
        this.guard('onRefer', () => {
          void referral.reject({ statusCode: 603 }).catch(() => undefined);
        }),
      // A re-INVITE from the other side: did they put us on hold, or take us off it?
      onInvite: (request, _response, statusCode) =>
        this.guard('remote re-INVITE', () => {
          if (statusCode !== 200 || !request.body) return;
          const direction = audioDirection(request.body);
          const remoteHold = direction === 'sendonly' || direction === 'inactive';
          if (remoteHold === call.view.remoteHold || !this.calls.has(call.view.id)) return;
          this.update(call, {
            remoteHold,
            timeline: [...call.view.timeline, { kind: remoteHold ? 'remote-held' : 'remote-resumed', at: this.options.clock.now() }],
          });
        }),
    };
    session.stateChange.addListener((state) => this.guard('session state', () => this.handleSessionState(call, state)));
  }

  private handleSessionState(call: TrackedCall, state: SessionState): void {
    if (!this.calls.has(call.view.id)) return;
    if (state === SessionState.Established) {
      this.apply(call, call.view.direction === 'incoming' ? 'answer' : 'remote-answered');
    } else if (state === SessionState.Terminated) {
      const event = this.terminationEvent(call);
      if (event !== 'remote-rejected') {
        this.apply(call, event, event === 'failed' && call.view.state === 'ringing' ? 'answer-failed' : undefined);
        return;
      }
      // sip.js terminates the Inviter before it calls our onReject with the status:
      // wait one microtask so the call's record can say why it failed.
      queueMicrotask(() =>
        this.guard('rejected call', () => {
          if (this.calls.has(call.view.id)) this.apply(call, event, call.rejectCode ? String(call.rejectCode) : undefined);
        }),
      );
    }
  }

  private terminationEvent(call: TrackedCall): CallEvent {
    const { state } = call.view;
    // A ringing call the agent ends (decline, or the app stopping) was declined.
    if (call.localIntent !== undefined && state === 'ringing') return 'decline';
    if (call.localIntent === 'hang-up') return 'hang-up';
    if (state === 'ringing' && call.answering) return 'failed';
    if (state === 'ringing') return 'caller-cancelled';
    if (state === 'dialing') return 'remote-rejected';
    return 'remote-hangup';
  }

  /** Applies a state machine event to a call and records it in the call's timeline. */
  private apply(call: TrackedCall, event: CallEvent, detail?: string): void {
    const next = nextCallState(call.view.state, event);
    const now = this.options.clock.now();
    const kind = TIMELINE_KIND[event];
    const view: CallView = {
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
    this.recent = [view, ...this.recent].slice(0, this.options.recentCallsKept ?? 10);
    if (view.consultFor) this.consultEnded(call);
    this.emit();
  }

  private update(call: TrackedCall, patch: Partial<CallView>): void {
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
  private check(call: TrackedCall, event: CallEvent): void {
    try {
      nextCallState(call.view.state, event);
    } catch (error) {
      throw PhoneError.from(error);
    }
    if (call.localIntent !== undefined) {
      throw new PhoneError('invalid-transition', 'The call is already being ended.');
    }
  }

  private refuseIfBusy(call: TrackedCall): void {
    if (call.busy) throw new PhoneError('invalid-transition', `Wait: the ${call.busy} of this call is still in progress.`);
  }

  private refuseIfAnotherCallIsActive(except: TrackedCall | undefined): void {
    const other = [...this.calls.values()].find((c) => c !== except && c.view.state === 'active');
    if (other) {
      throw new PhoneError(
        'other-call-active',
        'Another caller is on the line: ask them for permission and put them on hold first.',
      );
    }
  }

  private spendConsent(call: TrackedCall, consentId: string, action: ConsentAction): void {
    const used = this.consents.consume(consentId, call.view.id, action);
    this.update(call, { consents: call.view.consents.map((c) => (c.id === used.id ? used : c)) });
  }

  private asInvitation(call: TrackedCall, what: string): Invitation {
    if (!(call.session instanceof Invitation)) throw new PhoneError('invalid-transition', `Only incoming calls can be ${what}.`);
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

  // ── Registration ───────────────────────────────────────────────────────────

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
        registerer.unregister({ requestDelegate: { onAccept: done, onReject: done } }).catch(done);
      } catch {
        done();
      }
    });
  }

  private handleConnect(): void {
    this.reconnectAttempt = 0;
    // Away with mode "unregister": stay connected but unregistered until the agent is back.
    if (!this.availability.accepting && this.availability.mode === 'unregister') return;
    this.registerNow();
  }

  private registerNow(): void {
    this.setRegistration({ status: 'connecting' });
    // A fresh Registerer per connection: the old one may be stuck "waiting" on a
    // REGISTER sent over the dead socket (docs/sipjs-pitfalls.md#s5).
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

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
