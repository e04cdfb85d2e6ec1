/**
 * An in-memory CalmlineApi for component tests: it records every command, answers
 * with results the test chooses, and lets the test push phone states as main would.
 */
import { allowedActions } from '../../../src/core/phone/allowed-actions';
import type { CalmlineApi } from '../../../src/shared/api';
import type { CallRecord } from '../../../src/shared/call-record';
import type { CallerFlag, CallerRecord } from '../../../src/shared/caller-record';
import {
  newCallView,
  type AccountInput,
  type AccountView,
  type AudioDevices,
  type CallPolicy,
  type CallView,
  type CommandRequest,
  type ConsentEntry,
  type EventPayload,
  type LanguageSetting,
  type NoteSaveStatusView,
  type PhoneState,
  type StorageNoticeView,
} from '../../../src/shared/contract';
import type { CommandErrorCode, Result } from '../../../src/shared/result';
import {
  BUILT_IN_CHECKLISTS,
  recordCommitment,
  setStepChecked,
  type ChecklistRun,
} from '../../../src/shared/workspace/checklists';
import type { WorkspaceView } from '../../../src/shared/workspace/workspace-view';

type CallCommand = 'answer' | 'decline' | 'hangUp';

/** A recorded command, in the order the renderer sent it. */
export type SentCommand =
  | { command: CallCommand; callId: string }
  | { command: 'saveAccount'; input: AccountInput }
  | { command: OtherCommand; args: unknown[] };

/** The newer commands; the fake records them with their arguments and answers ok. */
type OtherCommand =
  | 'dial'
  | 'recordConsent'
  | 'hold'
  | 'resume'
  | 'transfer'
  | 'completeTransfer'
  | 'cancelTransfer'
  | 'escalate'
  | 'sendDtmf'
  | 'setMute'
  | 'saveCallPolicy'
  | 'saveLanguage'
  | 'saveAudioDevices'
  | 'reconnectAudio'
  | WorkspaceCommand;

/** The agent-data and workspace commands that change something (recorded in `sent`). */
type WorkspaceCommand =
  | 'editNote'
  | 'addCallerFlag'
  | 'clearCallerFlag'
  | 'setPreferredAddress'
  | 'addFollowUp'
  | 'completeFollowUp'
  | 'recordIncident'
  | 'exportCallerRecord'
  | 'setChecklistStep'
  | 'recordCommitment'
  | 'completeWrapUp'
  | 'startBreak'
  | 'endBreak'
  | 'declineBreakOffer'
  | 'snoozeReminder';

/** Reads: answered but not recorded in `sent`; they can still be refused. */
type ReadCommand =
  | 'getCallPolicy'
  | 'getNote'
  | 'searchHistory'
  | 'callsForCaller'
  | 'lookupCaller'
  | 'getStorageNotices'
  | 'getWorkspaceState'
  | 'listChecklists'
  | 'getLanguage'
  | 'getAudioDevices';

/** Every command the test can make the fake refuse. */
export type RefusableCommand = CallCommand | OtherCommand | 'saveAccount' | ReadCommand;

/** The fake, with handles for the test. */
export interface FakeCalmlineApi extends CalmlineApi {
  /** Every command sent, oldest first. */
  readonly sent: SentCommand[];
  /** Sends `state` to every phone-state listener, as main does on a change. */
  push(state: PhoneState): void;
  /** The next command of this kind answers with this error instead of ok. */
  refuseNext(command: RefusableCommand, code: CommandErrorCode): void;
  /**
   * The next command of this kind waits for the returned function to be called
   * before it answers, so a test can act while it is in flight.
   */
  deferNext(command: RefusableCommand): () => void;
  /** Every command name sent, oldest first (handy for checking the order). */
  sentNames(): string[];
  /** How many phone-state listeners are subscribed. */
  listenerCount(): number;
  /** Sends a workspace state to its listeners (and answers it from now on). */
  pushWorkspace(view: WorkspaceView): void;
  /** Sends a note's save status, as main does once the note is (or is not) on disk. */
  pushNoteStatus(status: NoteSaveStatusView): void;
  /** Sends a storage notice, as main does when it keeps a damaged file aside. */
  pushStorageNotice(notice: StorageNoticeView): void;
  /** The caller directory the fake answers from (changed by the flag commands). */
  readonly callers: Map<string, CallerRecord>;
  /** What the media host sent main (answers, reports, attach), oldest first; not in `sent`. */
  readonly mediaSent: Array<{ command: 'answerMediaRequest' | 'attachMediaEngine' | 'reportMedia'; args: unknown[] }>;
  /** Sends a media request to the engine's listeners, as main does when a call needs audio. */
  pushMediaRequest(message: EventPayload<'media:request'>): void;
  /** Sends a caller record, as main does when a call from that number starts ringing. */
  pushCallerPrefetched(message: EventPayload<'callers:prefetched'>): void;
  /** Sends a language setting, as main does when it is saved. */
  pushLanguage(setting: LanguageSetting): void;
  /** Sends the audio devices setting, as main does when it is saved. */
  pushAudioDevices(devices: AudioDevices): void;
}

/** Options of {@link createFakeCalmlineApi}. */
export interface FakeCalmlineApiOptions {
  state?: PhoneState;
  account?: AccountView;
  /** The call policy main answers with (no escalation target by default). */
  policy?: Partial<CallPolicy>;
  /** The caller directory, by number. */
  callers?: Record<string, CallerRecord>;
  /** Earlier calls, by number, newest first. */
  history?: Record<string, CallRecord[]>;
  /** The workspace state main answers with (available, nothing running, by default). */
  workspace?: Partial<WorkspaceView>;
  /** Storage notices main answers with. */
  notices?: StorageNoticeView[];
  /** The language setting main answers with (`auto` by default). */
  languageSetting?: LanguageSetting;
  /** The audio devices main answers with (system defaults by default). */
  audioDevices?: AudioDevices;
}

/** A workspace view with sensible defaults (available, nothing running). */
export function workspaceView(overrides: Partial<WorkspaceView> = {}): WorkspaceView {
  return {
    status: 'available',
    acceptingCalls: true,
    breakOffer: null,
    activeBreak: null,
    wrapUp: null,
    callLengthHint: null,
    prompt: null,
    reminders: [],
    checklists: {},
    ...overrides,
  };
}

/** A fresh HEAT run for `callId`, as main starts one when the call is answered. */
export function heatRun(callId: string): ChecklistRun {
  const heat = BUILT_IN_CHECKLISTS[0]!;
  return {
    callId,
    checklistId: heat.id,
    checklistVersion: heat.version,
    startedAt: 0,
    steps: heat.steps.map((step) => ({ stepId: step.id, checkedAt: null })),
    commitmentStepId: 'take-action',
    commitment: null,
  };
}

/** A phone state with the given registration and calls. */
export function phoneState(
  registration: PhoneState['registration'],
  calls: CallView[] = [],
): PhoneState {
  return { registration, calls };
}

/**
 * A call with sensible defaults; override what the test is about. Unless the test
 * sets `allowed`, it is what the core allows such a call on its own (no other call,
 * no consultation, no supervisor configured).
 */
export function callView(overrides: Partial<CallView> = {}): CallView {
  const call: CallView = {
    ...newCallView('call-1', 'incoming', Date.UTC(2025, 0, 6, 9, 30)),
    remoteName: 'Erika Mustermann',
    remoteNumber: '+49 30 1234567',
    timeline: [],
    ...overrides,
  };
  const alone = { consult: null, otherCallActive: false, supervisorConfigured: false };
  return overrides.allowed ? call : { ...call, allowed: allowedActions(call, alone) };
}

/** Creates the fake. Commands answer asynchronously, like a real IPC round trip. */
export function createFakeCalmlineApi(options: FakeCalmlineApiOptions = {}): FakeCalmlineApi {
  let state: PhoneState =
    options.state ?? phoneState({ status: 'registered', aor: 'sip:1001@pbx.example.com' });
  let account: AccountView = options.account ?? {
    wsUrl: 'wss://pbx.example.com:8089/ws',
    sipUri: 'sip:1001@pbx.example.com',
    displayName: 'Agent 1001',
    hasPassword: true,
  };
  const listeners = new Set<(state: PhoneState) => void>();
  const workspaceListeners = new Set<(view: WorkspaceView) => void>();
  const noteListeners = new Set<(status: NoteSaveStatusView) => void>();
  const noticeListeners = new Set<(notice: StorageNoticeView) => void>();
  let workspace = workspaceView(options.workspace);
  const callers = new Map(Object.entries(options.callers ?? {}));
  const history = options.history ?? {};
  const notes = new Map<string, string>();
  let flags = 0;
  const refusals = new Map<RefusableCommand, CommandErrorCode>();
  const deferrals = new Map<RefusableCommand, Promise<void>>();
  const sent: SentCommand[] = [];
  let language: LanguageSetting = options.languageSetting ?? { language: 'auto' };
  let audioDevices: AudioDevices = options.audioDevices ?? {
    microphone: { id: '', label: '' },
    speaker: { id: '', label: '' },
    ringer: { id: '', label: '' },
    ringtone: true,
  };
  const mediaSent: Array<{ command: 'answerMediaRequest' | 'attachMediaEngine' | 'reportMedia'; args: unknown[] }> = [];
  const prefetchListeners = new Set<(message: EventPayload<'callers:prefetched'>) => void>();
  const mediaListeners = new Set<(message: EventPayload<'media:request'>) => void>();
  const languageListeners = new Set<(setting: LanguageSetting) => void>();
  const deviceListeners = new Set<(devices: AudioDevices) => void>();
  const subscribe =
    <T>(set: Set<(value: T) => void>) =>
    (listener: (value: T) => void) => {
      set.add(listener);
      return () => {
        set.delete(listener);
      };
    };

  const answer = async <T>(
    command: RefusableCommand,
    value: () => T,
  ): Promise<Result<T>> => {
    await Promise.resolve();
    const deferred = deferrals.get(command);
    if (deferred) {
      deferrals.delete(command);
      await deferred;
    }
    const code = refusals.get(command);
    if (code) {
      refusals.delete(command);
      return { ok: false, error: { code, message: `fake refused ${command}` } };
    }
    return { ok: true, value: value() };
  };

  const callCommand = (command: CallCommand) => (callId: string) => {
    sent.push({ command, callId });
    return answer(command, () => undefined);
  };

  const other =
    <T>(command: OtherCommand, value: (...args: never[]) => T) =>
    (...args: unknown[]) => {
      sent.push({ command, args });
      return answer(command, () => value(...(args as never[])));
    };
  const policy: CallPolicy = {
    defaultRegion: 'DE',
    escalationTarget: '',
    escalationMode: 'attended',
    consentTtlSeconds: 120,
    ...options.policy,
  };
  let consents = 0;

  const read = <T>(command: ReadCommand, value: () => T): Promise<Result<T>> => answer(command, value);
  const callerOf = (number: string): CallerRecord =>
    callers.get(number) ?? { number, flags: [], followUps: [], incidents: [] };
  const updateRun = (callId: string, change: (run: ChecklistRun) => ChecklistRun): ChecklistRun => {
    const run = change(workspace.checklists[callId] ?? heatRun(callId));
    workspace = { ...workspace, checklists: { ...workspace.checklists, [callId]: run } };
    for (const listener of [...workspaceListeners]) listener(workspace);
    return run;
  };

  return {
    sent,
    callers,
    editNote: other('editNote', (callId: string, text: string): NoteSaveStatusView => {
      notes.set(callId, text);
      return { callId, state: 'unsaved' };
    }),
    getNote: (callId) =>
      read('getNote', () => {
        const text = notes.get(callId);
        return text === undefined ? null : { text, status: { callId, state: 'saved' as const } };
      }),
    searchHistory: () => read('searchHistory', () => ({ hits: [], total: 0 })),
    callsForCaller: (number) => read('callsForCaller', () => history[number] ?? []),
    lookupCaller: (number) => read('lookupCaller', () => callers.get(number) ?? null),
    addCallerFlag: other('addCallerFlag', (request: CommandRequest<'callers:add-flag'>): CallerFlag => {
      const flag: CallerFlag = {
        id: `flag-${(flags += 1)}`,
        kind: request.kind,
        reason: request.reason,
        author: account.displayName,
        createdAt: Date.UTC(2025, 0, 6, 9, 45),
        ...(request.callId ? { callId: request.callId } : {}),
      };
      const record = callerOf(request.number);
      callers.set(request.number, { ...record, flags: [...record.flags, flag] });
      return flag;
    }),
    clearCallerFlag: other('clearCallerFlag', (number: string, flagId: string): CallerFlag => {
      const record = callerOf(number);
      const flag = record.flags.find((candidate) => candidate.id === flagId);
      if (!flag) throw new Error(`the fake has no flag ${flagId}`);
      const cleared = { ...flag, clearedAt: Date.UTC(2025, 0, 6, 9, 50), clearedBy: account.displayName };
      callers.set(number, { ...record, flags: record.flags.map((f) => (f.id === flagId ? cleared : f)) });
      return cleared;
    }),
    setPreferredAddress: other('setPreferredAddress', (number: string, text: string): CallerRecord => {
      const record = callerOf(number);
      const { preferredAddress: _old, ...rest } = record;
      const next: CallerRecord =
        text === '' ? rest : { ...rest, preferredAddress: { text, author: account.displayName, updatedAt: 0 } };
      callers.set(number, next);
      return next;
    }),
    addFollowUp: other('addFollowUp', (request: CommandRequest<'callers:add-follow-up'>) => ({
      id: 'follow-up-1',
      ...request,
      done: false,
      author: account.displayName,
      createdAt: 0,
    })),
    completeFollowUp: other('completeFollowUp', (_number: string, followUpId: string) => ({
      id: followUpId,
      callId: 'call-1',
      kind: 'due-date' as const,
      due: 0,
      text: '',
      done: true,
      author: account.displayName,
      createdAt: 0,
    })),
    // Like main: the incident is filed with a threat flag on the caller's record.
    recordIncident: other('recordIncident', (request: CommandRequest<'callers:record-incident'>) => {
      const flag: CallerFlag = {
        id: `flag-${(flags += 1)}`,
        kind: request.kind,
        reason: request.whatWasSaid,
        author: account.displayName,
        createdAt: Date.UTC(2025, 0, 6, 9, 45),
        callId: request.callId,
      };
      const incident = {
        id: `incident-${flags}`,
        callId: request.callId,
        kind: request.kind,
        whatWasSaid: request.whatWasSaid,
        occurredAt: request.occurredAt,
        saidBy: 'the caller',
        recordedBy: account.displayName,
        recordedAt: Date.UTC(2025, 0, 6, 9, 45),
        flagId: flag.id,
      };
      const record = callerOf(request.number);
      callers.set(request.number, { ...record, flags: [...record.flags, flag], incidents: [...record.incidents, incident] });
      return { incident, flag };
    }),
    exportCallerRecord: other('exportCallerRecord', (number: string) => ({
      markdownPath: `/home/agent/.config/Calmline/exports/${number}.md`,
      jsonPath: `/home/agent/.config/Calmline/exports/${number}.json`,
    })),
    getStorageNotices: () => read('getStorageNotices', () => options.notices ?? []),
    getWorkspaceState: () => read('getWorkspaceState', () => workspace),
    listChecklists: () => read('listChecklists', () => ({ checklists: [...BUILT_IN_CHECKLISTS], defaultId: 'heat' })),
    setChecklistStep: other('setChecklistStep', (callId: string, stepId: string, checked: boolean) =>
      updateRun(callId, (run) => setStepChecked(run, stepId, checked, Date.now())),
    ),
    recordCommitment: other(
      'recordCommitment',
      (callId: string, commitment: CommandRequest<'checklist:record-commitment'>['commitment']) =>
        updateRun(callId, (run) => recordCommitment(run, commitment, Date.now())),
    ),
    completeWrapUp: other('completeWrapUp', () => undefined),
    startBreak: other('startBreak', () => undefined),
    endBreak: other('endBreak', () => undefined),
    declineBreakOffer: other('declineBreakOffer', () => undefined),
    snoozeReminder: other('snoozeReminder', () => undefined),
    onNotesStatus(listener) {
      noteListeners.add(listener);
      return () => noteListeners.delete(listener);
    },
    onStorageNotice(listener) {
      noticeListeners.add(listener);
      return () => noticeListeners.delete(listener);
    },
    onWorkspaceState(listener) {
      workspaceListeners.add(listener);
      return () => workspaceListeners.delete(listener);
    },
    getLanguage: () => read('getLanguage', () => language),
    saveLanguage: other('saveLanguage', (next: LanguageSetting) => {
      language = next;
      for (const listener of [...languageListeners]) listener(next);
      return next;
    }),
    onLanguage: subscribe(languageListeners),
    pushLanguage(setting) {
      language = setting;
      for (const listener of [...languageListeners]) listener(setting);
    },
    getAudioDevices: () => read('getAudioDevices', () => audioDevices),
    saveAudioDevices: other('saveAudioDevices', (next: AudioDevices) => {
      audioDevices = next;
      for (const listener of [...deviceListeners]) listener(next);
      return next;
    }),
    onAudioDevices: subscribe(deviceListeners),
    pushAudioDevices(devices) {
      audioDevices = devices;
      for (const listener of [...deviceListeners]) listener(devices);
    },
    reconnectAudio: other('reconnectAudio', () => undefined),
    onCallerPrefetched: subscribe(prefetchListeners),
    pushCallerPrefetched(message) {
      for (const listener of [...prefetchListeners]) listener(message);
    },
    onMediaRequest: subscribe(mediaListeners),
    pushMediaRequest(message) {
      for (const listener of [...mediaListeners]) listener(message);
    },
    // The media bridge's own traffic is kept apart from the agent's commands in `sent`.
    answerMediaRequest: async (message) => {
      mediaSent.push({ command: 'answerMediaRequest', args: [message] });
      return { ok: true, value: undefined };
    },
    attachMediaEngine: async () => {
      mediaSent.push({ command: 'attachMediaEngine', args: [] });
      return { ok: true, value: undefined };
    },
    reportMedia: async (event) => {
      mediaSent.push({ command: 'reportMedia', args: [event] });
      return { ok: true, value: undefined };
    },
    mediaSent,
    pushWorkspace(view) {
      workspace = view;
      for (const listener of [...workspaceListeners]) listener(view);
    },
    pushNoteStatus(status) {
      for (const listener of [...noteListeners]) listener(status);
    },
    pushStorageNotice(notice) {
      for (const listener of [...noticeListeners]) listener(notice);
    },
    dial: other('dial', () => ({ callId: 'dialled-1' })),
    recordConsent: other(
      'recordConsent',
      (request: CommandRequest<'call:record-consent'>): ConsentEntry => ({
        id: `consent-${(consents += 1)}`,
        action: request.action,
        answer: request.answer,
        recordedAt: 0,
        expiresAt: 120_000,
        usedAt: null,
      }),
    ),
    hold: other('hold', () => undefined),
    resume: other('resume', () => undefined),
    transfer: other('transfer', () => undefined),
    completeTransfer: other('completeTransfer', () => undefined),
    cancelTransfer: other('cancelTransfer', () => undefined),
    escalate: other('escalate', () => undefined),
    sendDtmf: other('sendDtmf', () => undefined),
    setMute: other('setMute', () => undefined),
    // A read, like getAccount: answered but not recorded as sent.
    getCallPolicy: () => read('getCallPolicy', () => policy),
    saveCallPolicy: other('saveCallPolicy', (next: CallPolicy) => next),
    push(next) {
      state = next;
      for (const listener of [...listeners]) listener(next);
    },
    refuseNext(command, code) {
      refusals.set(command, code);
    },
    deferNext(command) {
      let release = () => {};
      deferrals.set(command, new Promise<void>((resolve) => (release = resolve)));
      return () => release();
    },
    sentNames: () => sent.map((entry) => entry.command),
    listenerCount: () => listeners.size,
    getPhoneState: async () => {
      await Promise.resolve();
      return { ok: true, value: state };
    },
    answer: callCommand('answer'),
    decline: callCommand('decline'),
    hangUp: callCommand('hangUp'),
    getAccount: async () => {
      await Promise.resolve();
      return { ok: true, value: account };
    },
    saveAccount(input) {
      sent.push({ command: 'saveAccount', input });
      return answer('saveAccount', () => {
        account = {
          wsUrl: input.wsUrl,
          sipUri: input.sipUri,
          displayName: input.displayName,
          hasPassword: input.password === undefined ? account.hasPassword : input.password !== '',
        };
        return account;
      });
    },
    onPhoneState(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
