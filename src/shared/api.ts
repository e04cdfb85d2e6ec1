/**
 * The typed API the renderer uses, built once on top of a host transport.
 *
 * Both hosts build the same object: the Electron preload over ipcRenderer, the web
 * host's bridge over a loopback WebSocket. The renderer reads it from
 * `window.calmline` and never learns which host it runs in.
 */
import type {
  AccountInput,
  AccountView,
  CallPolicy,
  CommandChannel,
  CommandRequest,
  ConsentEntry,
  EventChannel,
  EventPayload,
  PhoneState,
} from './contract';
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
  };
}

/** Name of the global the hosts install the API under. */
export const API_GLOBAL = 'calmline';
