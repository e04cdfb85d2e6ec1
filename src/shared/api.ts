/**
 * The typed API the renderer uses, built once on top of a host transport.
 *
 * Both hosts build the same object: the Electron preload over ipcRenderer, the web
 * host's bridge over a loopback WebSocket. The renderer reads it from
 * `window.calmline` and never learns which host it runs in.
 *
 * Rule codes (H4 …) are defined in docs/practice.md.
 */
import type { CallRecord } from './call-record';
import type { CallerFlag, CallerRecord, FollowUp } from './caller-record';
import type {
  AccountInput,
  AccountView,
  AudioDevices,
  CallPolicy,
  CommandChannel,
  CommandRequest,
  CommandResponse,
  ConsentEntry,
  EventChannel,
  EventPayload,
  LanguageSetting,
  NoteSaveStatusView,
  PhoneState,
  StorageNoticeView,
} from './contract';
import type { ChecklistRun, CommitmentInput } from './workspace/checklists';
import type { WorkspaceView } from './workspace/workspace-view';
import type { Result } from './result';

/** What a host must provide: send a command, listen to an event. */
export interface HostTransport {
  invoke(channel: CommandChannel, payload: unknown): Promise<Result<unknown>>;
  subscribe(channel: EventChannel, listener: (payload: unknown) => void): () => void;
}

/** Purpose-named functions, one per command or event of the contract. */
export interface CalmlineApi {
  getPhoneState(): Promise<Result<PhoneState>>;
  answer(callId: string): Promise<Result<void>>;
  decline(callId: string): Promise<Result<void>>;
  hangUp(callId: string): Promise<Result<void>>;
  dial(target: string): Promise<Result<{ callId: string }>>;
  recordConsent(request: CommandRequest<'call:record-consent'>): Promise<Result<ConsentEntry>>;
  hold(callId: string, consentId: string): Promise<Result<void>>;
  resume(callId: string): Promise<Result<void>>;
  transfer(request: CommandRequest<'call:transfer'>): Promise<Result<void>>;
  completeTransfer(callId: string): Promise<Result<void>>;
  cancelTransfer(callId: string): Promise<Result<void>>;
  escalate(callId: string, consentId: string): Promise<Result<void>>;
  sendDtmf(callId: string, tones: string): Promise<Result<void>>;
  setMute(callId: string, muted: boolean): Promise<Result<void>>;
  getAccount(): Promise<Result<AccountView>>;
  saveAccount(input: AccountInput): Promise<Result<AccountView>>;
  getCallPolicy(): Promise<Result<CallPolicy>>;
  saveCallPolicy(policy: CallPolicy): Promise<Result<CallPolicy>>;
  /** Calls `listener` with every new phone state; returns the unsubscribe function. */
  onPhoneState(listener: (state: EventPayload<'phone:state'>) => void): () => void;

  /** Hands the note pad's whole text to main, which autosaves it (no Save button). */
  editNote(callId: string, text: string): Promise<Result<NoteSaveStatusView>>;
  /** The note of a call and where its save stands; null when main knows no such call. */
  getNote(callId: string): Promise<Result<CommandResponse<'notes:get'>>>;
  searchHistory(request: CommandRequest<'history:search'>): Promise<Result<CommandResponse<'history:search'>>>;
  /** The caller's earlier calls with their notes, newest first. */
  callsForCaller(number: string, limit?: number): Promise<Result<CallRecord[]>>;
  /** What the directory knows of a caller; null for a first call. */
  lookupCaller(number: string): Promise<Result<CallerRecord | null>>;
  addCallerFlag(request: CommandRequest<'callers:add-flag'>): Promise<Result<CallerFlag>>;
  clearCallerFlag(number: string, flagId: string): Promise<Result<CallerFlag>>;
  /** Sets how the caller wishes to be addressed; an empty text removes it. */
  setPreferredAddress(number: string, text: string): Promise<Result<CallerRecord | null>>;
  addFollowUp(request: CommandRequest<'callers:add-follow-up'>): Promise<Result<FollowUp>>;
  completeFollowUp(number: string, followUpId: string): Promise<Result<FollowUp>>;
  recordIncident(
    request: CommandRequest<'callers:record-incident'>,
  ): Promise<Result<CommandResponse<'callers:record-incident'>>>;
  exportCallerRecord(number: string): Promise<Result<CommandResponse<'callers:export-record'>>>;
  /** Files that could not be read and were kept aside since start. */
  getStorageNotices(): Promise<Result<StorageNoticeView[]>>;
  getWorkspaceState(): Promise<Result<WorkspaceView>>;
  listChecklists(): Promise<Result<CommandResponse<'checklists:list'>>>;
  setChecklistStep(callId: string, stepId: string, checked: boolean): Promise<Result<ChecklistRun>>;
  /** Records the Take-action promise (H4); it also becomes a follow-up on the caller's record. */
  recordCommitment(callId: string, commitment: CommitmentInput): Promise<Result<ChecklistRun>>;
  completeWrapUp(request: CommandRequest<'wrap-up:complete'>): Promise<Result<void>>;
  /** Makes the agent unavailable (new calls get 486 or the phone unregisters) until `endBreak`. */
  startBreak(kind: CommandRequest<'break:start'>['kind']): Promise<Result<void>>;
  endBreak(): Promise<Result<void>>;
  declineBreakOffer(): Promise<Result<void>>;
  snoozeReminder(kind: CommandRequest<'reminder:snooze'>['kind']): Promise<Result<void>>;
  /** Calls `listener` with every change of a note's save status; returns the unsubscribe function. */
  onNotesStatus(listener: (status: EventPayload<'notes:status'>) => void): () => void;
  /** Calls `listener` with every new storage notice; returns the unsubscribe function. */
  onStorageNotice(listener: (notice: EventPayload<'storage:notice'>) => void): () => void;
  /** Calls `listener` with every new workspace state; returns the unsubscribe function. */
  onWorkspaceState(listener: (state: EventPayload<'workspace:state'>) => void): () => void;
  /** The UI language setting; `auto` follows the system locale. */
  getLanguage(): Promise<Result<LanguageSetting>>;
  saveLanguage(setting: LanguageSetting): Promise<Result<LanguageSetting>>;
  /** Calls `listener` when the language setting changes; returns the unsubscribe function. */
  onLanguage(listener: (setting: LanguageSetting) => void): () => void;
  /** The agent's microphone, speaker and ringer, and whether a ringtone plays. */
  getAudioDevices(): Promise<Result<AudioDevices>>;
  saveAudioDevices(devices: AudioDevices): Promise<Result<AudioDevices>>;
  onAudioDevices(listener: (devices: AudioDevices) => void): () => void;
  /** Calls `listener` with the directory record main looked up for a call that started ringing. */
  onCallerPrefetched(listener: (message: EventPayload<'callers:prefetched'>) => void): () => void;
  /** Offered when the watchdog reports no audio: re-INVITE with an ICE restart. */
  reconnectAudio(callId: string): Promise<Result<void>>;
  /** The media engine's side of the bridge: main's requests in, the engine's answers and reports out. */
  onMediaRequest(listener: (message: EventPayload<'media:request'>) => void): () => void;
  answerMediaRequest(message: CommandRequest<'media:response'>): Promise<Result<void>>;
  /** Tells main that this window's media engine listens for `media:request` events. */
  attachMediaEngine(): Promise<Result<void>>;
  reportMedia(event: CommandRequest<'media:report'>): Promise<Result<void>>;
}

/** Builds the renderer API over a host transport. Main validates; this only forwards. */
export function createCalmlineApi(transport: HostTransport): CalmlineApi {
  // The casts are safe because main answers with the contract's response schema.
  const invoke = <T>(channel: CommandChannel, payload?: unknown) =>
    transport.invoke(channel, payload) as Promise<Result<T>>;
  return {
    getPhoneState: () => invoke('phone:get-state'),
    answer: (callId) => invoke('call:answer', { callId }),
    decline: (callId) => invoke('call:decline', { callId }),
    hangUp: (callId) => invoke('call:hang-up', { callId }),
    dial: (target) => invoke('call:dial', { target }),
    recordConsent: (request) => invoke('call:record-consent', request),
    hold: (callId, consentId) => invoke('call:hold', { callId, consentId }),
    resume: (callId) => invoke('call:resume', { callId }),
    transfer: (request) => invoke('call:transfer', request),
    completeTransfer: (callId) => invoke('call:complete-transfer', { callId }),
    cancelTransfer: (callId) => invoke('call:cancel-transfer', { callId }),
    escalate: (callId, consentId) => invoke('call:escalate', { callId, consentId }),
    sendDtmf: (callId, tones) => invoke('call:send-dtmf', { callId, tones }),
    setMute: (callId, muted) => invoke('call:set-mute', { callId, muted }),
    getAccount: () => invoke('settings:get-account'),
    saveAccount: (input) => invoke('settings:save-account', input),
    getCallPolicy: () => invoke('settings:get-call-policy'),
    saveCallPolicy: (policy) => invoke('settings:save-call-policy', policy),
    onPhoneState: (listener) =>
      transport.subscribe('phone:state', (payload) => listener(payload as PhoneState)),
    editNote: (callId, text) => invoke('notes:edit', { callId, text }),
    getNote: (callId) => invoke('notes:get', { callId }),
    searchHistory: (request) => invoke('history:search', request),
    callsForCaller: (number, limit) =>
      invoke('history:calls-for-caller', limit === undefined ? { number } : { number, limit }),
    lookupCaller: (number) => invoke('callers:lookup', { number }),
    addCallerFlag: (request) => invoke('callers:add-flag', request),
    clearCallerFlag: (number, flagId) => invoke('callers:clear-flag', { number, flagId }),
    setPreferredAddress: (number, text) => invoke('callers:set-preferred-address', { number, text }),
    addFollowUp: (request) => invoke('callers:add-follow-up', request),
    completeFollowUp: (number, followUpId) => invoke('callers:complete-follow-up', { number, followUpId }),
    recordIncident: (request) => invoke('callers:record-incident', request),
    exportCallerRecord: (number) => invoke('callers:export-record', { number }),
    getStorageNotices: () => invoke('storage:get-notices'),
    getWorkspaceState: () => invoke('workspace:get-state'),
    listChecklists: () => invoke('checklists:list'),
    setChecklistStep: (callId, stepId, checked) => invoke('checklist:set-step', { callId, stepId, checked }),
    recordCommitment: (callId, commitment) => invoke('checklist:record-commitment', { callId, commitment }),
    completeWrapUp: (request) => invoke('wrap-up:complete', request),
    startBreak: (kind) => invoke('break:start', { kind }),
    endBreak: () => invoke('break:end'),
    declineBreakOffer: () => invoke('break:decline-offer'),
    snoozeReminder: (kind) => invoke('reminder:snooze', { kind }),
    onNotesStatus: (listener) =>
      transport.subscribe('notes:status', (payload) => listener(payload as NoteSaveStatusView)),
    onStorageNotice: (listener) =>
      transport.subscribe('storage:notice', (payload) => listener(payload as StorageNoticeView)),
    onWorkspaceState: (listener) =>
      transport.subscribe('workspace:state', (payload) => listener(payload as WorkspaceView)),
    getLanguage: () => invoke('settings:get-language'),
    saveLanguage: (setting) => invoke('settings:save-language', setting),
    onLanguage: (listener) => transport.subscribe('settings:language', (payload) => listener(payload as LanguageSetting)),
    getAudioDevices: () => invoke('settings:get-audio-devices'),
    saveAudioDevices: (devices) => invoke('settings:save-audio-devices', devices),
    onAudioDevices: (listener) =>
      transport.subscribe('settings:audio-devices', (payload) => listener(payload as AudioDevices)),
    onCallerPrefetched: (listener) =>
      transport.subscribe('callers:prefetched', (payload) => listener(payload as EventPayload<'callers:prefetched'>)),
    reconnectAudio: (callId) => invoke('call:reconnect-audio', { callId }),
    onMediaRequest: (listener) =>
      transport.subscribe('media:request', (payload) => listener(payload as EventPayload<'media:request'>)),
    answerMediaRequest: (message) => invoke('media:response', message),
    attachMediaEngine: () => invoke('media:attach'),
    reportMedia: (event) => invoke('media:report', event),
  };
}

/** Name of the global the hosts install the API under. */
export const API_GLOBAL = 'calmline';
