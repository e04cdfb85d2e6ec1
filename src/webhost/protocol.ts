/**
 * Messages between the web host's bridge (in the page) and its server (in Node).
 * The commands and events themselves are the IPC contract's; this only frames them.
 */
import type { CommandChannel, EventChannel } from '../shared/contract';
import type { Result } from '../shared/result';

/** Path of the bridge WebSocket on the web host. */
export const BRIDGE_PATH = '/__calmline/bridge';
/** Path the bridge script is served from. */
export const BRIDGE_SCRIPT_PATH = '/__calmline/bridge.js';

/** Page → host. `channel` is untrusted until the router has checked it. */
export type BridgeClientMessage = { type: 'invoke'; id: number; channel: CommandChannel; payload: unknown };

/** Host → page. */
export type BridgeServerMessage =
  { type: 'result'; id: number; result: Result<unknown> } | { type: 'event'; channel: EventChannel; payload: unknown };
