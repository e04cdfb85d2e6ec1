/**
 * Requests to press a call button from outside the call list: the headset's buttons
 * (src/renderer/src/headset/headset-host.ts). The call list presses the very button
 * the agent would, so every such request goes through the same command, and Hold
 * opens the consent dialog (docs/desk.md#headset).
 */
import type { HeadsetIntent } from '../headset/headset-controller';

type Listener = (request: HeadsetIntent) => void;

const listeners = new Set<Listener>();

/** Asks the call list to press `request.action` on call `request.callId`; dropped when no list listens. */
export function requestCallAction(request: HeadsetIntent): void {
  for (const listener of [...listeners]) listener(request);
}

/** Listens for requests; returns the unsubscribe function. */
export function onCallActionRequest(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
