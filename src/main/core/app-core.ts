/**
 * Calmline's core, assembled: settings, the phone, and the command handlers of the
 * IPC contract. A host (Electron main or the web host) creates one AppCore, routes
 * every incoming command through `router`, and forwards `onEvent` to its renderer.
 */
import type { SessionDescriptionHandlerFactory } from 'sip.js';
import type { EventChannel, EventPayload, PhoneState } from '../../shared/contract';
import type { Clock } from './clock';
import { createCommandRouter, type CommandRouter } from './command-router';
import type { CoreLogger } from './logger';
import { DEFAULT_CALL_POLICY, Phone, type PhoneOptions } from './phone/phone';
import { PhoneError } from './phone/phone-error';
import { AccountSettings, CallPolicySettings, type KeyValueStore, type SecretStore } from './settings';

/** What a host gives the core. */
export interface AppCoreOptions {
  store: KeyValueStore;
  secrets: SecretStore;
  clock: Clock;
  logger: CoreLogger;
  /** Builds the media seam for each phone (one phone per saved account). */
  createMediaFactory: () => SessionDescriptionHandlerFactory;
  /** Extra phone options (timeouts, backoff) for tests and benchmarks. */
  phone?: Partial<Omit<PhoneOptions, 'account' | 'clock' | 'logger' | 'mediaFactory' | 'policy'>>;
}

type EventListener = <E extends EventChannel>(channel: E, payload: EventPayload<E>) => void;

const UNCONFIGURED: PhoneState = { registration: { status: 'unconfigured' }, calls: [] };

/** The core of one running app. */
export class AppCore {
  readonly router: CommandRouter;
  private readonly settings: AccountSettings;
  private readonly policy: CallPolicySettings;
  private phone: Phone | undefined;
  private unsubscribePhone: (() => void) | undefined;
  private readonly listeners = new Set<EventListener>();

  constructor(private readonly options: AppCoreOptions) {
    this.settings = new AccountSettings(options.store, options.secrets, options.logger);
    this.policy = new CallPolicySettings(options.store, DEFAULT_CALL_POLICY, options.logger);
    this.router = createCommandRouter(
      {
        'phone:get-state': () => this.phoneState(),
        'call:answer': ({ callId }) => this.requirePhone().answer(callId),
        'call:decline': ({ callId }) => this.requirePhone().decline(callId),
        'call:hang-up': ({ callId }) => this.requirePhone().hangUp(callId),
        'call:dial': ({ target }) => ({ callId: this.requirePhone().dial(target) }),
        'call:record-consent': ({ callId, action, answer }) => this.requirePhone().recordConsent(callId, action, answer),
        'call:hold': ({ callId, consentId }) => this.requirePhone().hold(callId, consentId),
        'call:resume': ({ callId }) => this.requirePhone().resume(callId),
        'call:transfer': ({ callId, consentId, target, mode }) =>
          this.requirePhone().transfer(callId, consentId, target, mode),
        'call:complete-transfer': ({ callId }) => this.requirePhone().completeTransfer(callId),
        'call:cancel-transfer': ({ callId }) => this.requirePhone().cancelTransfer(callId),
        'call:escalate': ({ callId, consentId }) => this.requirePhone().escalate(callId, consentId),
        'call:send-dtmf': ({ callId, tones }) => this.requirePhone().sendDtmf(callId, tones),
        'call:set-mute': ({ callId, muted }) => this.requirePhone().setMute(callId, muted),
        'settings:get-call-policy': () => this.policy.get(),
        'settings:save-call-policy': (policy) => {
          this.phone?.setPolicy(policy);
          return this.policy.save(policy);
        },
        'settings:get-account': () => this.settings.view(),
        'settings:save-account': async (input) => {
          this.settings.save(input);
          await this.restartPhone();
          return this.settings.view();
        },
      },
      options.logger,
    );
  }

  /** Starts the phone when an account is configured. */
  async start(): Promise<void> {
    await this.restartPhone();
  }

  /** Stops the phone (un-REGISTER, end calls). */
  async stop(): Promise<void> {
    await this.stopPhone();
  }

  /** Subscribes to main→renderer events; returns the unsubscribe function. */
  onEvent(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The phone state now (also what `phone:get-state` answers). */
  phoneState(): PhoneState {
    return this.phone?.getState() ?? UNCONFIGURED;
  }

  private requirePhone(): Phone {
    if (!this.phone) throw new PhoneError('not-configured', 'No SIP account is configured yet.');
    return this.phone;
  }

  private async restartPhone(): Promise<void> {
    await this.stopPhone();
    const account = this.settings.get();
    if (!account) {
      this.emit('phone:state', UNCONFIGURED);
      return;
    }
    const phone = new Phone({
      ...this.options.phone,
      account: { ...account, password: this.settings.password() },
      policy: this.policy.get(),
      clock: this.options.clock,
      logger: this.options.logger,
      mediaFactory: this.options.createMediaFactory(),
    });
    this.phone = phone;
    this.unsubscribePhone = phone.onChange((state) => this.emit('phone:state', state));
    await phone.start();
  }

  private async stopPhone(): Promise<void> {
    const phone = this.phone;
    if (!phone) return;
    this.phone = undefined;
    await phone.stop();
    this.unsubscribePhone?.();
    this.unsubscribePhone = undefined;
  }

  private emit<E extends EventChannel>(channel: E, payload: EventPayload<E>): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(channel, payload);
      } catch (error) {
        this.options.logger.error(`Event listener failed: ${String(error)}`);
      }
    }
  }
}
