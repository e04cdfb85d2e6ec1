/**
 * Calmline's core, assembled: settings, the phone, and the command handlers of the
 * IPC contract. A host (Electron main or the web host) creates one AppCore, routes
 * every incoming command through `router`, and forwards `onEvent` to its renderer.
 */
import type { SessionDescriptionHandlerFactory } from 'sip.js';
import type {
  AudioDevices,
  CallPolicy,
  EventChannel,
  EventPayload,
  LanguageSetting,
  PhoneState,
  StorageNoticeView,
} from '../shared/contract';
import type { Clock } from './clock';
import { createCommandRouter, type CommandRouter } from './command-router';
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
  retentionDaysFrom,
  type StoredSetting,
  type KeyValueStore,
  type SecretStore,
} from './settings';
import type { AgentData } from './storage/agent-data';
import { CallRecorder } from './call-recorder';
import { Workspace } from './workspace/workspace';
import { followUpFromRun, type ChecklistDefinition } from '../shared/workspace/checklists';
import { loadWorkspacePolicy, type WorkspacePolicy } from '../shared/workspace/workspace-policy';
import { writeCallerExport } from './storage/callers/caller-export';
import { nodeStorageFs } from './storage/files/storage-fs';
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
export type CoreEventArgs = { [E in EventChannel]: [channel: E, payload: EventPayload<E>] }[EventChannel];
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
        'notes:edit': async ({ callId, text }) => {
          const data = this.requireData();
          // The call's record must be on disk before its note can be saved.
          await this.recorder?.ready(callId);
          return data.notes.edit(callId, text);
        },
        'notes:get': async ({ callId }) => {
          const data = this.requireData();
          const pending = data.notes.text(callId);
          const status = data.notes.status(callId);
          if (pending !== undefined && status) return { text: pending, status };
          const record = await data.history.getCall(callId);
          if (!record) return null;
          return { text: record.note?.text ?? '', status: { callId, state: 'saved', savedAt: record.note?.updatedAt } };
        },
        'history:search': ({ text, limit }) => this.requireData().history.search({ text, ...(limit ? { limit } : {}) }),
        'history:calls-for-caller': ({ number, limit }) => this.requireData().history.callsFor(number, limit),
        'callers:lookup': async ({ number }) => (await this.requireData().directory.lookup(number)) ?? null,
        'callers:add-flag': async ({ number, kind, reason, callId }) => {
          const flag = await this.requireData().directory.addFlag(number, {
            kind,
            reason,
            author: this.agentName(),
            ...(callId ? { callId } : {}),
          });
          // A flagged call earns the agent a de-escalation break offer (W1).
          if (callId) this.workspace.markCallFlagged(callId);
          return flag;
        },
        'callers:clear-flag': ({ number, flagId }) => this.requireData().directory.clearFlag(number, flagId, this.agentName()),
        'callers:set-preferred-address': async ({ number, text }) =>
          (await this.requireData().directory.setPreferredAddress(number, text || undefined, this.agentName())) ?? null,
        'callers:add-follow-up': ({ number, callId, kind, due, text }) =>
          this.requireData().directory.addFollowUp(number, { callId, kind, due, text, author: this.agentName() }),
        'callers:complete-follow-up': ({ number, followUpId }) =>
          this.requireData().directory.completeFollowUp(number, followUpId),
        'callers:record-incident': ({ number, callId, kind, whatWasSaid, occurredAt }) =>
          this.requireData().directory.recordIncident(number, {
            callId,
            kind,
            whatWasSaid,
            occurredAt,
            recordedBy: this.agentName(),
          }),
        'callers:export-record': async ({ number }) => {
          const data = this.requireData();
          if (!options.exportDir) throw new PhoneError('storage-unavailable', 'No export folder is configured.');
          return writeCallerExport(nodeStorageFs, options.exportDir, await data.exportCaller(number));
        },
        'storage:get-notices': () => [...(this.options.startupNotices ?? []), ...(this.options.agentData?.notices() ?? [])],
        'settings:get-retention': () => ({ retentionDays: retentionDaysFrom(options.store) ?? null }),
        'settings:save-retention': async ({ retentionDays }) => {
          options.store.set('retentionDays', retentionDays);
          // Apply a shorter period now rather than at the next scheduled sweep.
          await this.options.agentData?.retention.runNow();
          return { retentionDays };
        },
        'workspace:get-state': () => this.workspace.view(),
        'checklists:list': () => ({
          checklists: [...this.workspace.checklists],
          defaultId: this.workspacePolicy.defaultChecklistId,
        }),
        'checklist:set-step': ({ callId, stepId, checked }) => this.workspace.setStep(callId, stepId, checked),
        'checklist:record-commitment': ({ callId, commitment }) =>
          this.workspace.recordCommitment(callId, commitment, async (run) => {
            const followUp = followUpFromRun(run);
            const call = this.phoneState().calls.find((c) => c.id === callId);
            // The promise to the caller becomes a follow-up reminder on their record (H4).
            if (followUp && call?.remoteNumber && this.options.agentData) {
              await this.options.agentData.directory.addFollowUp(call.remoteNumber, { ...followUp, author: this.agentName() });
            }
          }),
        'wrap-up:complete': ({ outcome, note }) => this.workspace.completeWrapUp({ outcome, ...(note ? { note } : {}) }),
        'break:start': ({ kind }) => this.workspace.startBreak(kind),
        'break:end': () => this.workspace.endBreak(),
        'break:decline-offer': () => this.workspace.declineBreakOffer(),
        'reminder:snooze': ({ kind }) => this.workspace.snoozeReminder(kind),
        'settings:get-call-policy': () => this.policy.get(),
        'settings:save-call-policy': (policy) => {
          this.phone?.setPolicy(policy);
          return this.policy.save(policy);
        },
        'settings:get-language': () => this.language.get(),
        'settings:save-language': (language) => {
          this.emit('settings:language', this.language.save(language));
          return language;
        },
        'settings:get-audio-devices': () => this.audioDevices.get(),
        'settings:save-audio-devices': (devices) => {
          this.emit('settings:audio-devices', this.audioDevices.save(devices));
          return devices;
        },
        'call:reconnect-audio': ({ callId }) => this.requirePhone().reconnectAudio(callId),
        'media:attach': () => this.media.attach(),
        'media:response': ({ requestId, response }) => this.media.respond(requestId, response),
        'media:report': (event) => this.phone?.reportMedia(event),
        'settings:get-account': () => this.settings.view(),
        'settings:save-account': async (input) => {
          this.settings.save(input);
          await this.restartPhone();
          return this.settings.view();
        },
      },
      options.logger,
    );
    this.workspacePolicy = this.loadPolicy();
    this.workspace = new Workspace({
      clock: options.clock,
      logger: options.logger,
      policy: this.workspacePolicy,
      ...(options.checklists ? { checklists: options.checklists } : {}),
    });
    this.workspace.onChange(() => {
      this.phone?.setAvailability(this.phoneAvailability());
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

  /**
   * What the phone does with new calls: a break holds them back, and so does the
   * wrap-up unless the workspace policy says otherwise.
   */
  private phoneAvailability() {
    const status = this.workspace.availability.state().status;
    if (status === 'wrap-up' && !this.workspacePolicy.wrapUpHoldsCalls) return { accepting: true } as const;
    return this.workspace.phoneAvailability();
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
    phone.setAvailability(this.phoneAvailability());
    this.unsubscribePhone = phone.onChange((state) => {
      this.prefetchCallers(state);
      this.recorder?.observe(state.calls);
      this.workspace.updateCalls(state.calls);
      this.emit('phone:state', state);
    });
    await phone.start();
  }

  /** Calls already prefetched, so each ringing call is looked up once. */
  private readonly prefetched = new Set<string>();

  /**
   * Looks up the caller of each call that starts ringing and pushes the record, so the
   * caller card shows the flags without a round trip of its own (bench/workspace.ts).
   */
  private prefetchCallers(state: PhoneState): void {
    const directory = this.options.agentData?.directory;
    if (!directory) return;
    for (const call of state.calls) {
      if (call.state !== 'ringing' || call.remoteNumber === '' || this.prefetched.has(call.id)) continue;
      this.prefetched.add(call.id);
      const number = call.remoteNumber;
      void directory.lookup(number).then(
        (record) => this.emit('callers:prefetched', { callId: call.id, number, record: record ?? null }),
        (error: unknown) => this.options.logger.warn(`Looking up the caller failed: ${String(error)}`),
      );
    }
    // Forget calls no longer in the state, so the set stays small.
    const present = new Set(state.calls.map((call) => call.id));
    for (const id of this.prefetched) if (!present.has(id)) this.prefetched.delete(id);
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
