/**
 * The typed API the renderer uses, built once on top of a host transport.
 *
 * Both hosts build the same object: the Electron preload over ipcRenderer, the web
 * host's bridge over a loopback WebSocket. The renderer reads it from
 * `window.calmline` and never learns which host it runs in.
 *
 * Nothing here lists commands: the functions, their parameters and their answers
 * all come from the contract's `commands` and `events` tables, so a command added
 * there (with its handler in the core) is on the API with no edit here. At run time
 * it reads only the schema-free routes generated from those tables (api-routes.ts),
 * so the preload and the web bridge load neither zod nor the schemas.
 */
import { commandRoutes, eventRoutes } from './api-routes';
import type {
  ArgMapping,
  CommandArgs,
  CommandChannel,
  CommandMethod,
  CommandResponse,
  commands,
  EventChannel,
  EventMethod,
  EventPayload,
  events,
} from './contract';
import type { Result } from './result';

/** What a host must provide: send a command, listen to an event. */
export interface HostTransport {
  invoke(channel: CommandChannel, payload: unknown): Promise<Result<unknown>>;
  subscribe(channel: EventChannel, listener: (payload: unknown) => void): () => void;
}

/** One function per command: its entry's `args` are the parameters, its response the answer. */
type CommandFunctions = {
  -readonly [C in keyof typeof commands as (typeof commands)[C]['method']]: (
    ...args: CommandArgs<C>
  ) => Promise<Result<CommandResponse<C>>>;
};

/** One subscribe function per event: it calls `listener` with every payload and returns the unsubscribe function. */
type EventFunctions = {
  -readonly [E in keyof typeof events as (typeof events)[E]['method']]: (
    listener: (payload: EventPayload<E>) => void,
  ) => () => void;
};

/**
 * Purpose-named functions, one per command or event of the contract (no generic
 * invoke). Derived from the tables; their doc comments are on the table entries.
 */
export interface CalmlineApi extends CommandFunctions, EventFunctions {}

/** Every function name of the API, commands first, in the tables' order. */
export const apiFunctionNames: readonly (CommandMethod | EventMethod)[] = [
  ...Object.values(commandRoutes).map((route) => route.method),
  ...Object.values(eventRoutes),
];

/** Builds a command's request from a method's arguments, as its entry's `args` say. */
function requestFromArgs(mapping: ArgMapping | undefined, values: readonly unknown[]): unknown {
  if (mapping === undefined) return undefined;
  if (mapping === 'request') return values[0];
  const request: Record<string, unknown> = {};
  mapping.forEach((field, index) => {
    // An omitted optional argument is left out, not sent as an explicit undefined.
    if (values[index] !== undefined) request[field] = values[index];
  });
  return request;
}

/** Builds the renderer API over a host transport. Main validates; this only forwards. */
export function createCalmlineApi(transport: HostTransport): CalmlineApi {
  const api: Record<string, unknown> = {};
  for (const [channel, route] of Object.entries(commandRoutes) as [
    CommandChannel,
    { method: string; args?: ArgMapping },
  ][]) {
    api[route.method] = (...values: unknown[]) => transport.invoke(channel, requestFromArgs(route.args, values));
  }
  for (const [channel, method] of Object.entries(eventRoutes) as [EventChannel, string][]) {
    api[method] = (listener: (payload: unknown) => void) => transport.subscribe(channel, listener);
  }
  // The cast is safe because every table entry became its function above, and main
  // answers with the contract's response schema.
  return api as unknown as CalmlineApi;
}

/** Name of the global the hosts install the API under. */
export const API_GLOBAL = 'calmline';
