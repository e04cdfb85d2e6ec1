/**
 * A fake host for component tests: a recording transport under the real
 * `createCalmlineApi`, so components go through the same functions and argument
 * mapping as in the app. It records every command, checks its payload with the
 * contract's request schema as main does, answers it with the test's handler for the
 * channel (or a default below, else `ok(undefined)`), and lets the test push events.
 * A new command in the contract needs nothing here unless a test wants a better answer.
 */
import { DEFAULT_DESK_SETTINGS, type DeskSettings } from '../../../src/shared/desk';
import { allowedActions } from '../../../src/core/phone/allowed-actions';
import { createCalmlineApi, type CalmlineApi, type HostTransport } from '../../../src/shared/api';
import type { CallRecord } from '../../../src/shared/call-record';
import type { CallerFlag, CallerRecord } from '../../../src/shared/caller-record';
import {
  commands,
  newCallView,
  type AccountView,
  type AudioDevices,
  type CallPolicy,
  type CallView,
  type CommandChannel,
  type CommandEntry,
  type CommandMethod,
  type CommandRequest,
  type CommandResponse,
  type EventChannel,
  type EventPayload,
  type LanguageSetting,
  type NoteSaveStatusView,
  type PhoneState,
  type StorageNoticeView,
} from '../../../src/shared/contract';
import { fail, ok, type CommandErrorCode, type Result } from '../../../src/shared/result';
import {
  BUILT_IN_CHECKLISTS,
  recordCommitment,
  setStepChecked,
  type ChecklistRun,
} from '../../../src/shared/workspace/checklists';
import type { WorkspaceView } from '../../../src/shared/workspace/workspace-view';

/** A command as the renderer called it: the API function and its arguments. */
export type SentCommand = { [M in CommandMethod]: { command: M; args: Parameters<CalmlineApi[M]> } }[CommandMethod];

/** The media engine's own traffic, kept in `mediaSent` apart from the agent's commands. */
type MediaCommand = Extract<SentCommand, { command: 'answerMediaRequest' | 'attachMediaEngine' | 'reportMedia' }>;

/** A command as it crossed the transport: what main would receive. */
export interface InvokedCommand {
  channel: CommandChannel;
  payload: unknown;
}

/** How the fake answers one channel; it gets the request as main's schema parsed it. */
export type FakeHandlers = {
  [C in CommandChannel]?: (request: CommandRequest<C>) => CommandResponse<C> | Promise<CommandResponse<C>>;
};

/** Every command the test can make the fake refuse or hold back, by its API name. */
export type RefusableCommand = CommandMethod;

/** Reads: answered and in `invoked`, but not in `sent`, which holds what the agent changed. */
const readChannels: ReadonlySet<CommandChannel> = new Set<CommandChannel>([
  'phone:get-state',
  'settings:get-account',
  'settings:get-call-policy',
  'settings:get-language',
  'settings:get-audio-devices',
  'settings:get-retention',
  'settings:get-desk',
  'desk:get-status',
  'desk:take-dial-link',
  'notes:get',
  'history:search',
  'history:calls-for-caller',
  'callers:lookup',
  'storage:get-notices',
  'workspace:get-state',
  'checklists:list',
  'storage:get-protection',
  'policy:get-locks',
  'diagnostics:get',
  'directory:get-status',
]);
const mediaChannels: ReadonlySet<CommandChannel> = new Set<CommandChannel>([
  'media:attach',
  'media:response',
  'media:report',
]);

/** The fake, with handles for the test. */
export interface FakeCalmlineApi extends CalmlineApi {
  /** Every command that changes something, as the renderer called it, oldest first. */
  readonly sent: SentCommand[];
  /** Every command with its payload as it went over the transport, reads and media included. */
  readonly invoked: InvokedCommand[];
  /** What the media host sent main (answers, reports, attach), oldest first; not in `sent`. */
  readonly mediaSent: MediaCommand[];
  /** Every command name in `sent`, oldest first (handy for checking the order). */
  sentNames(): string[];
  /** Sends `payload` to the event's listeners, as main does. It is not checked: tests send bad ones too. */
  emit<E extends EventChannel>(channel: E, payload: EventPayload<E>): void;
  /** Sends `state` to every phone-state listener (and answers it from now on), as main does on a change. */
  push(state: PhoneState): void;
  /** The next command of this kind answers with this error instead of its handler's answer. */
  refuseNext(command: RefusableCommand, code: CommandErrorCode): void;
  /**
   * The next command of this kind waits for the returned function to be called
   * before it answers, so a test can act while it is in flight.
   */
  deferNext(command: RefusableCommand): () => void;
  /** How many listeners an event has (the phone state's by default). */
  listenerCount(channel?: EventChannel): number;
  /** Sends a workspace state to its listeners (and answers it from now on). */
  pushWorkspace(view: WorkspaceView): void;
  /** Sends a note's save status, as main does once the note is (or is not) on disk. */
  pushNoteStatus(status: NoteSaveStatusView): void;
  /** Sends a storage notice, as main does when it keeps a damaged file aside. */
  pushStorageNotice(notice: StorageNoticeView): void;
  /** The caller directory the fake answers from (changed by the flag commands). */
  readonly callers: Map<string, CallerRecord>;
  /** Sends a media request to the engine's listeners, as main does when a call needs audio. */
  pushMediaRequest(message: EventPayload<'media:request'>): void;
  /** Sends a caller record, as main does when a call from that number starts ringing. */
  pushCallerPrefetched(message: EventPayload<'callers:prefetched'>): void;
  /** Sends a language setting (and answers it from now on), as main does when it is saved. */
  pushLanguage(setting: LanguageSetting): void;
  /** Sends the audio devices setting (and answers it from now on), as main does when it is saved. */
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
  /** The desk settings main answers with (the defaults by default). */
  desk?: Partial<DeskSettings>;
  /** Answers for channels, in place of the defaults. */
  handlers?: FakeHandlers;
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
export function phoneState(registration: PhoneState['registration'], calls: CallView[] = []): PhoneState {
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

/** The API function's arguments that produced `payload`: the inverse of its entry's `args`. */
function argsOf(channel: CommandChannel, payload: unknown): unknown[] {
  const { args }: CommandEntry = commands[channel];
  if (args === undefined) return [];
  if (args === 'request') return [payload];
  const request = (payload ?? {}) as Record<string, unknown>;
  const values = args.map((field) => request[field]);
  // Omitted optional arguments are left out of the request; leave them out here too.
  while (values.length > 0 && values.at(-1) === undefined) values.pop();
  return values;
}

/** Creates the fake. Commands answer asynchronously, like a real IPC round trip. */
export function createFakeCalmlineApi(options: FakeCalmlineApiOptions = {}): FakeCalmlineApi {
  let state: PhoneState = options.state ?? phoneState({ status: 'registered', aor: 'sip:1001@pbx.example.com' });
  let account: AccountView = options.account ?? {
    wsUrl: 'wss://pbx.example.com:8089/ws',
    sipUri: 'sip:1001@pbx.example.com',
    displayName: 'Agent 1001',
    hasPassword: true,
  };
  let workspace = workspaceView(options.workspace);
  const callers = new Map(Object.entries(options.callers ?? {}));
  const history = options.history ?? {};
  const notes = new Map<string, string>();
  let language: LanguageSetting = options.languageSetting ?? { language: 'auto' };
  let audioDevices: AudioDevices = options.audioDevices ?? {
    microphone: { id: '', label: '' },
    speaker: { id: '', label: '' },
    ringer: { id: '', label: '' },
    ringtone: true,
  };
  let desk: DeskSettings = { ...DEFAULT_DESK_SETTINGS, ...options.desk };
  let policy: CallPolicy = {
    defaultRegion: 'DE',
    escalationTarget: '',
    escalationMode: 'attended',
    consentTtlSeconds: 120,
    ...options.policy,
  };
  let retention: CommandResponse<'settings:get-retention'> = { retentionDays: null };
  let flags = 0;
  let consents = 0;

  const listeners = new Map<EventChannel, Set<(payload: unknown) => void>>();
  const emit = <E extends EventChannel>(channel: E, payload: EventPayload<E>): void => {
    for (const listener of [...(listeners.get(channel) ?? [])]) listener(payload);
  };
  const callerOf = (number: string): CallerRecord =>
    callers.get(number) ?? { number, flags: [], followUps: [], incidents: [] };
  const updateRun = (callId: string, change: (run: ChecklistRun) => ChecklistRun): ChecklistRun => {
    const run = change(workspace.checklists[callId] ?? heatRun(callId));
    workspace = { ...workspace, checklists: { ...workspace.checklists, [callId]: run } };
    emit('workspace:state', workspace);
    return run;
  };

  // Answers like main's, for the channels whose answer is more than `undefined`.
  const defaults: FakeHandlers = {
    'phone:get-state': () => state,
    'settings:get-account': () => account,
    'settings:save-account': (input) => {
      account = {
        wsUrl: input.wsUrl,
        sipUri: input.sipUri,
        displayName: input.displayName,
        hasPassword: input.password === undefined ? account.hasPassword : input.password !== '',
      };
      return account;
    },
    'settings:get-call-policy': () => policy,
    'settings:save-call-policy': (next) => (policy = next),
    'storage:get-protection': () => ({ storesData: true, encrypted: true, keyStorage: 'os-keychain' }),
    'settings:get-retention': () => retention,
    'settings:save-retention': (next) => (retention = next),
    'policy:get-locks': () => ({ managed: false, locked: [] }),
    'diagnostics:get': () => ({ text: '# Calmline diagnostics\n' }),
    'diagnostics:save': () => ({ path: '/tmp/calmline-diagnostics.txt' }),
    'settings:get-language': () => language,
    'settings:save-language': (next) => {
      language = next;
      emit('settings:language', next);
      return next;
    },
    'settings:get-desk': () => desk,
    'settings:save-desk': (next) => {
      desk = next;
      emit('settings:desk', next);
      return next;
    },
    'desk:get-status': () => ({ native: false, shortcuts: [] }),
    'desk:take-dial-link': () => null,
    'settings:get-audio-devices': () => audioDevices,
    'settings:save-audio-devices': (next) => {
      audioDevices = next;
      emit('settings:audio-devices', next);
      return next;
    },
    'call:dial': () => ({ callId: 'dialled-1' }),
    'call:record-consent': (request) => ({
      id: `consent-${(consents += 1)}`,
      action: request.action,
      answer: request.answer,
      recordedAt: 0,
      expiresAt: 120_000,
      usedAt: null,
    }),
    'notes:edit': ({ callId, text }) => {
      notes.set(callId, text);
      return { callId, state: 'unsaved' };
    },
    'notes:get': ({ callId }) => {
      const text = notes.get(callId);
      return text === undefined ? null : { text, status: { callId, state: 'saved' } };
    },
    'history:search': () => ({ hits: [], total: 0 }),
    'history:calls-for-caller': ({ number }) => history[number] ?? [],
    'callers:lookup': ({ number }) => callers.get(number) ?? null,
    'callers:add-flag': (request) => {
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
    },
    'callers:clear-flag': ({ number, flagId }) => {
      const record = callerOf(number);
      const flag = record.flags.find((candidate) => candidate.id === flagId);
      if (!flag) throw new Error(`the fake has no flag ${flagId}`);
      const cleared = { ...flag, clearedAt: Date.UTC(2025, 0, 6, 9, 50), clearedBy: account.displayName };
      callers.set(number, { ...record, flags: record.flags.map((f) => (f.id === flagId ? cleared : f)) });
      return cleared;
    },
    'callers:set-preferred-address': ({ number, text }) => {
      const { preferredAddress: _old, ...rest } = callerOf(number);
      const next: CallerRecord =
        text === '' ? rest : { ...rest, preferredAddress: { text, author: account.displayName, updatedAt: 0 } };
      callers.set(number, next);
      return next;
    },
    'callers:add-follow-up': (request) => ({
      id: 'follow-up-1',
      ...request,
      done: false,
      author: account.displayName,
      createdAt: 0,
    }),
    'callers:complete-follow-up': ({ followUpId }) => ({
      id: followUpId,
      callId: 'call-1',
      kind: 'due-date',
      due: 0,
      text: '',
      done: true,
      author: account.displayName,
      createdAt: 0,
    }),
    // Like main: the incident is filed with a threat flag on the caller's record.
    'callers:record-incident': (request) => {
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
      callers.set(request.number, {
        ...record,
        flags: [...record.flags, flag],
        incidents: [...record.incidents, incident],
      });
      return { incident, flag };
    },
    'callers:export-record': ({ number }) => ({
      markdownPath: `/home/agent/.config/Calmline/exports/${number}.md`,
      jsonPath: `/home/agent/.config/Calmline/exports/${number}.json`,
    }),
    'storage:get-notices': () => options.notices ?? [],
    'directory:get-status': () => ({ state: 'off', queued: 0 }),
    'workspace:get-state': () => workspace,
    'checklists:list': () => ({ checklists: [...BUILT_IN_CHECKLISTS], defaultId: 'heat' }),
    'checklist:set-step': ({ callId, stepId, checked }) =>
      updateRun(callId, (run) => setStepChecked(run, stepId, checked, Date.now())),
    'checklist:record-commitment': ({ callId, commitment }) =>
      updateRun(callId, (run) => recordCommitment(run, commitment, Date.now())),
  };
  const handlers: FakeHandlers = { ...defaults, ...options.handlers };

  const invoked: InvokedCommand[] = [];
  const sent: SentCommand[] = [];
  const mediaSent: MediaCommand[] = [];
  const refusals = new Map<RefusableCommand, CommandErrorCode>();
  const deferrals = new Map<RefusableCommand, Promise<void>>();

  const transport: HostTransport = {
    async invoke(channel, payload): Promise<Result<unknown>> {
      const { method, request: requestSchema, response: responseSchema }: CommandEntry = commands[channel];
      const name = method as CommandMethod;
      invoked.push({ channel, payload });
      const call = { command: name, args: argsOf(channel, payload) } as SentCommand;
      if (mediaChannels.has(channel)) mediaSent.push(call as MediaCommand);
      else if (!readChannels.has(channel)) sent.push(call);

      await Promise.resolve();
      const deferred = deferrals.get(name);
      if (deferred) {
        deferrals.delete(name);
        await deferred;
      }
      const code = refusals.get(name);
      if (code) {
        refusals.delete(name);
        return fail(code, `fake refused ${name}`);
      }
      // As main does: the handler sees only a payload the contract accepts.
      const request = requestSchema.safeParse(payload);
      if (!request.success) return fail('invalid-payload', request.error.message);
      const handler = (handlers[channel] ?? (() => undefined)) as (request: unknown) => unknown;
      const answer = handler(request.data);
      const value = answer instanceof Promise ? ((await answer) as unknown) : answer;
      // A fake that answers outside the contract would let a test pass that the app fails.
      const response = responseSchema.safeParse(value);
      if (!response.success) {
        throw new Error(
          `The fake's answer to ${channel} breaks the contract (give it a handler): ${response.error.message}`,
        );
      }
      return ok(response.data);
    },
    subscribe(channel, listener) {
      const set = listeners.get(channel) ?? new Set();
      set.add(listener);
      listeners.set(channel, set);
      return () => {
        set.delete(listener);
      };
    },
  };

  const handles = {
    sent,
    invoked,
    mediaSent,
    callers,
    sentNames: () => sent.map((entry) => entry.command),
    emit,
    push(next: PhoneState) {
      state = next;
      emit('phone:state', next);
    },
    refuseNext(command: RefusableCommand, code: CommandErrorCode) {
      refusals.set(command, code);
    },
    deferNext(command: RefusableCommand) {
      let release = () => {};
      deferrals.set(command, new Promise<void>((resolve) => (release = resolve)));
      return () => release();
    },
    listenerCount: (channel: EventChannel = 'phone:state') => listeners.get(channel)?.size ?? 0,
    pushWorkspace(view: WorkspaceView) {
      workspace = view;
      emit('workspace:state', view);
    },
    pushNoteStatus: (status: NoteSaveStatusView) => emit('notes:status', status),
    pushStorageNotice: (notice: StorageNoticeView) => emit('storage:notice', notice),
    pushMediaRequest: (message: EventPayload<'media:request'>) => emit('media:request', message),
    pushCallerPrefetched: (message: EventPayload<'callers:prefetched'>) => emit('callers:prefetched', message),
    pushLanguage(setting: LanguageSetting) {
      language = setting;
      emit('settings:language', setting);
    },
    pushAudioDevices(devices: AudioDevices) {
      audioDevices = devices;
      emit('settings:audio-devices', devices);
    },
  } satisfies Omit<FakeCalmlineApi, keyof CalmlineApi>;
  return Object.assign(createCalmlineApi(transport), handles);
}
