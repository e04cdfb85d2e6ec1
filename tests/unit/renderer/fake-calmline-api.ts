/**
 * An in-memory CalmlineApi for component tests: it records every command, answers
 * with results the test chooses, and lets the test push phone states as main would.
 */
import type { CalmlineApi } from '../../../src/shared/api';
import type { AccountInput, AccountView, CallView, PhoneState } from '../../../src/shared/contract';
import type { CommandErrorCode, Result } from '../../../src/shared/result';

type CallCommand = 'answer' | 'decline' | 'hangUp';

/** A recorded command, in the order the renderer sent it. */
export type SentCommand =
  | { command: CallCommand; callId: string }
  | { command: 'saveAccount'; input: AccountInput }
  | { command: OtherCommand; args: unknown[] };

/** Commands the first screen does not use yet; the fake records them and answers ok. */
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
  | 'getCallPolicy'
  | 'saveCallPolicy';

/** The fake, with handles for the test. */
export interface FakeCalmlineApi extends CalmlineApi {
  /** Every command sent, oldest first. */
  readonly sent: SentCommand[];
  /** Sends `state` to every phone-state listener, as main does on a change. */
  push(state: PhoneState): void;
  /** The next call command of this kind answers with this error instead of ok. */
  refuseNext(command: CallCommand | 'saveAccount', code: CommandErrorCode): void;
  /** How many phone-state listeners are subscribed. */
  listenerCount(): number;
}

/** Options of {@link createFakeCalmlineApi}. */
export interface FakeCalmlineApiOptions {
  state?: PhoneState;
  account?: AccountView;
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
  const refusals = new Map<CallCommand | 'saveAccount', CommandErrorCode>();
  const sent: SentCommand[] = [];

  const answer = async <T>(
    command: CallCommand | 'saveAccount',
    value: () => T,
  ): Promise<Result<T>> => {
    await Promise.resolve();
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
      return answer(command as never, () => value(...(args as never[])));
    };
  const policy = { defaultRegion: 'DE', escalationTarget: '', escalationMode: 'attended', consentTtlSeconds: 120 } as const;

  return {
    sent,
    dial: other('dial', () => ({ callId: 'dialled-1' })),
    recordConsent: other('recordConsent', (request: { callId: string; action: 'hold'; answer: 'agreed' }) => ({
      id: 'consent-1',
      action: request.action,
      answer: request.answer,
      recordedAt: 0,
      expiresAt: 120_000,
      usedAt: null,
    })),
    hold: other('hold', () => undefined),
    resume: other('resume', () => undefined),
    transfer: other('transfer', () => undefined),
    completeTransfer: other('completeTransfer', () => undefined),
    cancelTransfer: other('cancelTransfer', () => undefined),
    escalate: other('escalate', () => undefined),
    sendDtmf: other('sendDtmf', () => undefined),
    setMute: other('setMute', () => undefined),
    getCallPolicy: other('getCallPolicy', () => policy),
    saveCallPolicy: other('saveCallPolicy', (next: typeof policy) => next),
    push(next) {
      state = next;
      for (const listener of [...listeners]) listener(next);
    },
    refuseNext(command, code) {
      refusals.set(command, code);
    },
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
