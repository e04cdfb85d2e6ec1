/**
 * Calmline's core, assembled: settings, the phone, the workspace, the command
 * handlers of each feature (src/core/handlers/, each on a narrow dependency object)
 * and the rules between features (cross-feature-rules.ts). A host (Electron main or
 * the web host) creates one AppCore, routes every incoming command through `router`,
 * and forwards `onEvent` to its renderer.
 */
import type { SessionDescriptionHandlerFactory } from 'sip.js';
import type { AudioDevices, CallPolicy, LanguageSetting, PhoneState, StorageNoticeView } from '../shared/contract';
import type { Clock } from './clock';
import { createCommandRouter, type CommandHandlers, type CommandRouter } from './command-router';
import type { CoreEventArgs } from './core-events';
import { CrossFeatureRules } from './cross-feature-rules';
import { createCallHandlers } from './handlers/call-handlers';
import { createCallerHandlers } from './handlers/caller-handlers';
import { createMediaHandlers } from './handlers/media-handlers';
import { createSettingsHandlers } from './handlers/settings-handlers';
import { createWorkspaceHandlers } from './handlers/workspace-handlers';
import type { CoreLogger } from './logger';
import { DEFAULT_CALL_POLICY, Phone, type PhoneOptions } from './phone/phone';
import { PhoneError } from './phone/phone-error';
import {
  AccountSettings,
  agentNameFrom,
  audioDevicesSetting,
  callPolicySetting,
  languageSetting,
  mediaPolicySetting,
  type StoredSetting,
  type KeyValueStore,
  type SecretStore,
} from './settings';
import type { AgentData } from './storage/agent-data';
import { CallRecorder } from './call-recorder';
import { Workspace } from './workspace/workspace';
import type { ChecklistDefinition } from '../shared/workspace/checklists';
import { loadWorkspacePolicy, type WorkspacePolicy } from '../shared/workspace/workspace-policy';
import { createBridgedMediaFactory } from './media/bridged-media';
import { RendererMediaChannel } from './media/renderer-media-channel';
import type { MediaPolicy } from '../shared/media-protocol';

/** What a host gives the core. */
export interface AppCoreOptions {
  store: KeyValueStore;
  secrets: SecretStore;
  clock: Clock;
  logger: CoreLogger;
  /**
   * Builds the media seam for each phone (one phone per saved account). Default: real
   * audio, bridged to the renderer's WebRTC engine over {@link AppCore.media}. Tests
   * whose SIP peers carry no WebRTC media pass the signalling-only seam.
   */
  createMediaFactory?: () => SessionDescriptionHandlerFactory;
  /** Call history, notes and the caller directory; without it those commands answer `storage-unavailable`. */
  agentData?: AgentData;
  /** Where caller exports are written. */
  exportDir?: string;
  /** Checklists to offer: the built-ins plus what IT deployed (see open-core.ts). */
  checklists?: readonly ChecklistDefinition[];
  /** Problems found while opening the settings store (a file kept aside), shown to the agent. */
  startupNotices?: StorageNoticeView[];
  /** Extra phone options (timeouts, backoff) for tests and benchmarks. */
  phone?: Partial<Omit<PhoneOptions, 'account' | 'clock' | 'logger' | 'mediaFactory' | 'policy'>>;
}

/** (channel, payload) pairs; a listener's `if (channel === …)` narrows the payload. */
export type { CoreEventArgs } from './core-events';
type EventListener = (...args: CoreEventArgs) => void;

const UNCONFIGURED: PhoneState = { registration: { status: 'unconfigured' }, calls: [] };

/** The core of one running app. */
export class AppCore {
  readonly router: CommandRouter;
  private readonly settings: AccountSettings;
  private readonly policy: StoredSetting<CallPolicy>;
  private readonly language: StoredSetting<LanguageSetting>;
  private readonly audioDevices: StoredSetting<AudioDevices>;
  private phone: Phone | undefined;
  private unsubscribePhone: (() => void) | undefined;
  private readonly listeners = new Set<EventListener>();
  private readonly recorder: CallRecorder | undefined;
  readonly workspace: Workspace;
  private readonly workspacePolicy: WorkspacePolicy;
  private readonly unsubscribeData: Array<() => void> = [];
  /** The hop to the renderer's audio engine; hosts attach it when their renderer says it is ready. */
  readonly media: RendererMediaChannel;
  private readonly mediaPolicy: MediaPolicy;
  private readonly rules: CrossFeatureRules;

  constructor(private readonly options: AppCoreOptions) {
    this.settings = new AccountSettings(options.store, options.secrets, options.logger);
    this.policy = callPolicySetting(options.store, DEFAULT_CALL_POLICY, options.logger);
    this.language = languageSetting(options.store, options.logger);
    this.audioDevices = audioDevicesSetting(options.store, options.logger);
    this.mediaPolicy = mediaPolicySetting(options.store, options.logger).get();
    this.media = new RendererMediaChannel({
      send: (message) => this.emit('media:request', message),
      clock: options.clock,
      logger: options.logger,
      // Past every handler deadline, so a late answer is still recognised as late.
      forgetAfterMs: this.mediaPolicy.requestTimeoutMs + this.mediaPolicy.iceGatheringTimeoutMs + 5_000,
    });
    this.workspacePolicy = this.loadPolicy();
    this.workspace = new Workspace({
      clock: options.clock,
      logger: options.logger,
      policy: this.workspacePolicy,
      ...(options.checklists ? { checklists: options.checklists } : {}),
    });
    this.rules = new CrossFeatureRules({
      workspace: this.workspace,
      workspacePolicy: this.workspacePolicy,
      directory: options.agentData?.directory,
      calls: () => this.phoneState().calls,
      agentName: () => this.agentName(),
      emit: (...args) => this.emit(...args),
      logger: options.logger,
    });
    this.router = createCommandRouter(this.handlers(), options.logger);
    this.workspace.onChange(() => {
      this.phone?.setAvailability(this.rules.phoneAvailability());
      this.emit('workspace:state', this.workspace.view());
    });
    const data = options.agentData;
    if (data) {
      this.recorder = new CallRecorder(data.history, () => this.agentName(), options.logger);
      this.unsubscribeData.push(
        data.notes.onStatus((status) => this.emit('notes:status', status)),
        data.onNotice((notice) => this.emit('storage:notice', notice)),
      );
    }
  }

  /** One handler per command, by feature; each feature sees only what it needs. */
  private handlers(): CommandHandlers {
    const { options } = this;
    return {
      ...createCallHandlers({ requirePhone: () => this.requirePhone(), phoneState: () => this.phoneState() }),
      ...createCallerHandlers({
        requireData: () => this.requireData(),
        callRecorded: (callId) => this.recorder?.ready(callId),
        agentName: () => this.agentName(),
        exportDir: options.exportDir,
        notices: () => [...(options.startupNotices ?? []), ...(options.agentData?.notices() ?? [])],
        flagAdded: (callId) => this.rules.flagAdded(callId),
      }),
      ...createWorkspaceHandlers({
        workspace: this.workspace,
        defaultChecklistId: this.workspacePolicy.defaultChecklistId,
        keepCommitment: (run) => this.rules.keepCommitment(run),
      }),
      ...createSettingsHandlers({
        store: options.store,
        account: this.settings,
        callPolicy: this.policy,
        language: this.language,
        audioDevices: this.audioDevices,
        retention: options.agentData?.retention,
        currentPhone: () => this.phone,
        restartPhone: () => this.restartPhone(),
        emit: (...args) => this.emit(...args),
      }),
      ...createMediaHandlers({ media: this.media, currentPhone: () => this.phone }),
    };
  }

  private loadPolicy(): WorkspacePolicy {
    const { policy, error } = loadWorkspacePolicy(this.options.store.get('workspacePolicy'), 'workspacePolicy setting');
    if (error) this.options.logger.warn(error);
    return policy;
  }

  /** The name written as author of notes, flags and exports: never taken from the renderer. */
  private agentName(): string {
    return agentNameFrom(this.settings.get());
  }

  private requireData(): AgentData {
    if (!this.options.agentData) {
      throw new PhoneError('storage-unavailable', 'Call history and notes are not available in this app.');
    }
    return this.options.agentData;
  }

  /** Starts the phone when an account is configured. */
  async start(): Promise<void> {
    await this.restartPhone();
  }

  /** Stops the phone (un-REGISTER, end calls) and saves every unsaved note. */
  async stop(): Promise<void> {
    await this.stopPhone();
    this.workspace.dispose();
    await this.recorder?.settled();
    for (const unsubscribe of this.unsubscribeData.splice(0)) unsubscribe();
    const flushed = await this.options.agentData?.close();
    if (flushed?.failed.length) {
      this.options.logger.error(`Notes of ${flushed.failed.length} call(s) could not be saved before closing.`);
    }
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
      mediaFactory: this.options.createMediaFactory?.() ?? this.bridgedMediaFactory(),
    });
    this.phone = phone;
    phone.setAvailability(this.rules.phoneAvailability());
    this.unsubscribePhone = phone.onChange((state) => {
      // The look-up and the renderer first: a ringing call's card waits on nothing else (bench/phone.ts).
      this.rules.prefetchCallers(state.calls);
      this.emit('phone:state', state);
      this.recorder?.observe(state.calls);
      this.workspace.updateCalls(state.calls);
    });
    await phone.start();
  }

  private bridgedMediaFactory(): SessionDescriptionHandlerFactory {
    const { iceServers, iceGatheringTimeoutMs, requestTimeoutMs } = this.mediaPolicy;
    return createBridgedMediaFactory(this.media, {
      iceServers,
      iceGatheringTimeoutMs,
      requestTimeoutMs,
      logger: this.options.logger,
    });
  }

  private async stopPhone(): Promise<void> {
    const phone = this.phone;
    if (!phone) return;
    this.phone = undefined;
    await phone.stop();
    this.unsubscribePhone?.();
    this.unsubscribePhone = undefined;
  }

  private emit(...args: CoreEventArgs): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(...args);
      } catch (error) {
        this.options.logger.error(`Event listener failed: ${String(error)}`);
      }
    }
  }
}
