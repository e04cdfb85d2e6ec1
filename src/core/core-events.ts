/**
 * The core's main→renderer events as argument lists, so a listener's
 * `if (channel === …)` narrows the payload, and a part of the core that sends only
 * some events is typed to send just those.
 */
import type { EventChannel, EventPayload } from '../shared/contract';

/** (channel, payload) pairs of the events `E` (default: all of them). */
export type CoreEventArgs<E extends EventChannel = EventChannel> = {
  [K in E]: [channel: K, payload: EventPayload<K>];
}[E];

/** Sends one of the events `E` to every listener of the core. */
export type EmitCoreEvent<E extends EventChannel = EventChannel> = (...args: CoreEventArgs<E>) => void;
