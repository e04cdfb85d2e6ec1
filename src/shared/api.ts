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
  CommandChannel,
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
  getAccount(): Promise<Result<AccountView>>;
  saveAccount(input: AccountInput): Promise<Result<AccountView>>;
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
    getAccount: () => invoke('settings:get-account'),
    saveAccount: (input) => invoke('settings:save-account', input),
    onPhoneState: (listener) =>
      transport.subscribe('phone:state', (payload) => listener(payload as PhoneState)),
  };
}

/** Name of the global the hosts install the API under. */
export const API_GLOBAL = 'calmline';
