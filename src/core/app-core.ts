/**
 * Calmline's core, assembled: settings, the phone, the workspace, the command
 * handlers of each feature (src/core/handlers/, each on a narrow dependency object)
 * and the rules between features (cross-feature-rules.ts). A host (Electron main or
 * the web host) creates one AppCore, routes every incoming command through `router`,
 * and forwards `onEvent` to its renderer.
 */
import type { SessionDescriptionHandlerFactory } from 'sip.js';
import type {
  AudioDevices,
  CallPolicy,
  DataProtectionView,
  LanguageSetting,
  PhoneState,
  StorageNoticeView,
} from '../shared/contract';
import type { Clock } from './clock';
import { createCommandRouter, type CommandHandlers, type CommandRouter } from './command-router';
import type { CoreEventArgs } from './core-events';
import { CrossFeatureRules } from './cross-feature-rules';
import { createCallHandlers } from './handlers/call-handlers';
import { createCallerHandlers, type CallerData } from './handlers/caller-handlers';
import { createMediaHandlers } from './handlers/media-handlers';
import { createPolicyHandlers } from './handlers/policy-handlers';
import { createDiagnosticsHandlers } from './handlers/diagnostics-handlers';
import { Diagnostics } from './diagnostics/diagnostics';
import { Redactor } from './diagnostics/redactor';
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
import type { GlobalShortcutAction } from '../shared/desk';
import { Desk, shortcutCommand } from './desk/desk';
import { createDeskHandlers } from './handlers/desk-handlers';
import { NO_POLICY, type EffectivePolicy } from './policy/policy';
import { PolicyStore } from './policy/policy-store';
import type { RemoteCallerDirectory } from './directory/remote-caller-directory';
import { createDirectoryHandlers } from './handlers/directory-handlers';
import { callerKey } from './storage/callers/caller-key';

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
  /** How the agent's data is protected at rest (open-core.ts decides); default: not encrypted. */
  dataProtection?: DataProtectionView;
  /** Checklists to offer: the built-ins plus what IT deployed (see open-core.ts). */
  checklists?: readonly ChecklistDefinition[];
  /** Problems found while opening the settings store (a file kept aside), shown to the agent. */
  startupNotices?: StorageNoticeView[];
  /** Extra phone options (timeouts, backoff) for tests and benchmarks. */
  phone?: Partial<Omit<PhoneOptions, 'account' | 'clock' | 'logger' | 'mediaFactory' | 'policy'>>;
  /** IT's managed policy in force (already laid over `store`, see src/core/policy/policy-store.ts). */
  managedPolicy?: EffectivePolicy;
  /** The log's redactor: it learns the sensitive fields of every command (notes, passwords) as they arrive. */
  redactor?: Redactor;
  /** The helpdesk bundle; default: one without a log file or updates. */
  diagnostics?: Diagnostics;
  /**
   * The call centre's shared caller directory (src/core/directory/): used instead of the
   * local one for callers with an E.164 number. Closed by `stop()`.
   */
  callerDirectory?: RemoteCallerDirectory;
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
  /** The agent's desk: settings, click-to-dial links, what the host set up (docs/desk.md). */
  readonly desk: Desk;

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
      agentName: () => this.agentName(),
    });
    this.rules = new CrossFeatureRules({
      workspace: this.workspace,
      workspacePolicy: this.workspacePolicy,
      directory: options.callerDirectory ?? options.agentData?.directory,
      calls: () => this.phoneState().calls,
      agentName: () => this.agentName(),
      emit: (...args) => this.emit(...args),
      logger: options.logger,
    });
    this.desk = new Desk({
      store: options.store,
      logger: options.logger,
      emit: (...args) => this.emit(...args),
      region: () => this.policy.get().defaultRegion,
    });
    const route = createCommandRouter(this.handlers(), options.logger);
    const { redactor } = options;
    // What the agent types about callers is known to the log's redactor before any handler could log it.
    this.router = redactor
      ? (channel, payload) => {
          redactor.observeCommand(payload);
          return route(channel, payload);
        }
      : route;
    this.workspace.onChange(() => {
      this.phone?.setAvailability(this.rules.phoneAvailability());
      for (const callId of this.rules.callsToTurnAway(this.phoneState().calls)) {
        this.phone?.decline(callId).catch((error: unknown) => {
          options.logger.warn(`Turning a waiting call away for the break failed: ${String(error)}`);
        });
      }
      this.emit('workspace:state', this.workspace.view());
    });
    this.workspace.onWrapUpFinished((record, run) => this.rules.wrapUpFinished(record, run));
    const data = options.agentData;
    if (data) {
      this.recorder = new CallRecorder(data.history, () => this.agentName(), options.logger);
      this.unsubscribeData.push(
        data.notes.onStatus((status) => this.emit('notes:status', status)),
        data.onNotice((notice) => this.emit('storage:notice', notice)),
      );
    }
    const shared = options.callerDirectory;
    if (shared) {
      this.unsubscribeData.push(
        shared.onStatus((status) => this.emit('directory:status', status)),
        shared.onChange((number) => this.callerChanged(shared, number)),
      );
    }
  }

  /** Another agent changed a caller: the open card of any call with that caller gets the new record. */
  private callerChanged(shared: RemoteCallerDirectory, number: string): void {
    for (const call of this.phoneState().calls) {
      if (call.state === 'ended' || callerKey(call.remoteNumber) !== number) continue;
      void shared.lookup(number).then(
        (record) =>
          this.emit('callers:prefetched', { callId: call.id, number: call.remoteNumber, record: record ?? null }),
        (error: unknown) => this.options.logger.warn(`Looking up the changed caller failed: ${String(error)}`),
      );
    }
  }

  /** One handler per command, by feature; each feature sees only what it needs. */
  private handlers(): CommandHandlers {
    const { options } = this;
    return {
      ...createCallHandlers({ requirePhone: () => this.requirePhone(), phoneState: () => this.phoneState() }),
      ...createCallerHandlers({
        requireData: () => this.callerData(),
        callRecorded: (callId) => this.recorder?.ready(callId),
        agentName: () => this.agentName(),
        exportDir: options.exportDir,
        notices: () => [...(options.startupNotices ?? []), ...(options.agentData?.notices() ?? [])],
        dataProtection: () =>
          options.dataProtection ?? {
            storesData: options.agentData !== undefined,
            encrypted: options.agentData?.encrypted ?? false,
            keyStorage: 'none',
          },
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
      ...createDeskHandlers(this.desk),
      ...createPolicyHandlers({ policy: options.managedPolicy ?? NO_POLICY }),
      ...createDiagnosticsHandlers({
        diagnostics:
          options.diagnostics ??
          new Diagnostics({
            appVersion: 'unknown',
            runtime: `Node ${process.versions.node}`,
            redactor: options.redactor ?? new Redactor(),
            policy: options.managedPolicy ?? NO_POLICY,
            clock: options.clock,
          }),
        registration: () => this.phoneState().registration,
      }),
      ...createDirectoryHandlers({
        status: () => options.callerDirectory?.status() ?? { state: 'off', queued: 0 },
      }),
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

  /** The agent's data, with the shared caller directory in place of the local one where configured. */
  private callerData(): CallerData {
    const data = this.requireData();
    return this.options.callerDirectory ? { ...data, directory: this.options.callerDirectory } : data;
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
    await this.options.callerDirectory?.close();
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

  /**
   * A global shortcut: the same command the window's button sends, on the call the
   * shortcut stands for (nothing when there is none).
   */
  async runShortcut(action: GlobalShortcutAction): Promise<void> {
    const command = shortcutCommand(action, this.phoneState().calls);
    if (!command) return;
    const result = await this.router(command.channel, { callId: command.callId });
    if (!result.ok) this.options.logger.warn(`Shortcut ${action} refused: ${result.error.code}`);
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
    // A provisioned first start (the account comes from IT's template, the agent has
    // saved nothing yet) waits for the password rather than failing to register: the
    // settings form opens. Once the agent saved the form, even with "No password", it starts.
    const { store } = this.options;
    const awaitingPassword =
      this.options.managedPolicy?.values.has('account.sipUriTemplate') === true &&
      this.options.secrets.getPassword() === undefined &&
      (store instanceof PolicyStore ? store.ownValue('account') : store.get('account')) === undefined;
    if (!account || awaitingPassword) {
      this.emit('phone:state', UNCONFIGURED);
      return;
    }
    // The log never shows the password, nor the TURN credentials (src/core/diagnostics/redactor.ts).
    this.options.redactor?.protect(this.settings.password());
    for (const server of this.mediaPolicy.iceServers) this.options.redactor?.protect(server.credential);
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
