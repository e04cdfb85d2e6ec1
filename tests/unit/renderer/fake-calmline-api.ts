/**
 * An in-memory CalmlineApi for component tests: it records every command, answers
 * with results the test chooses, and lets the test push phone states as main would.
 */
import type { CalmlineApi } from '../../../src/shared/api';
import type {
  AccountInput,
  AccountView,
  CallPolicy,
  CallView,
  CommandRequest,
  ConsentEntry,
  PhoneState,
} from '../../../src/shared/contract';
import type { CommandErrorCode, Result } from '../../../src/shared/result';

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
  | 'saveCallPolicy';

/** Every command the test can make the fake refuse. */
export type RefusableCommand = CallCommand | OtherCommand | 'saveAccount' | 'getCallPolicy';

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
}

/** Options of {@link createFakeCalmlineApi}. */
export interface FakeCalmlineApiOptions {
  state?: PhoneState;
  account?: AccountView;
  /** The call policy main answers with (no escalation target by default). */
  policy?: Partial<CallPolicy>;
}

/** A phone state with the given registration and calls. */
export function phoneState(
  registration: PhoneState['registration'],
  calls: CallView[] = [],
): PhoneState {
  return { registration, calls };
}

/** A call with sensible defaults; override what the test is about. */
export function callView(overrides: Partial<CallView> = {}): CallView {
  return {
    id: 'call-1',
    direction: 'incoming',
    state: 'ringing',
    remoteName: 'Erika Mustermann',
    remoteNumber: '+49 30 1234567',
    offeredAt: Date.UTC(2025, 0, 6, 9, 30),
    answeredAt: null,
    endedAt: null,
    endReason: null,
    endedBy: null,
    remoteHold: false,
    muted: false,
    consultFor: null,
    transfer: null,
    consents: [],
    timeline: [],
    ...overrides,
  };
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
  const refusals = new Map<RefusableCommand, CommandErrorCode>();
  const deferrals = new Map<RefusableCommand, Promise<void>>();
  const sent: SentCommand[] = [];

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

  return {
    sent,
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
    getCallPolicy: () => answer('getCallPolicy', () => policy),
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
