/**
 * The web host's stand-in for the Electron preload: installs `window.calmline` over
 * a loopback WebSocket to the real core. Served by the web host before the
 * renderer's own scripts; the renderer cannot tell it apart from the preload.
 *
 * The per-run token comes in the page URL's fragment (`#token=…`), which the
 * browser never sends over HTTP, and is presented when the socket opens.
 */
import { API_GLOBAL, createCalmlineApi, type HostTransport } from '../../shared/api';
import type { CommandChannel, EventChannel } from '../../shared/contract';
import { fail, type Result } from '../../shared/result';
import { BRIDGE_PATH, type BridgeClientMessage, type BridgeServerMessage } from '../protocol';

const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? '';
const pending = new Map<number, (result: Result<unknown>) => void>();
const listeners = new Map<EventChannel, Set<(payload: unknown) => void>>();
const queue: string[] = [];
let nextId = 1;
let socket: WebSocket | undefined;
let retryMs = 250;

function connect(): void {
  const url = `ws://${location.host}${BRIDGE_PATH}?token=${encodeURIComponent(token)}`;
  const ws = new WebSocket(url);
  socket = ws;
  ws.addEventListener('open', () => {
    retryMs = 250;
    for (const message of queue.splice(0)) ws.send(message);
  });
  ws.addEventListener('message', (event) => {
    let message: BridgeServerMessage;
    try {
      message = JSON.parse(String(event.data)) as BridgeServerMessage;
    } catch {
      return;
    }
    if (message.type === 'result') {
      pending.get(message.id)?.(message.result);
      pending.delete(message.id);
    } else if (message.type === 'event') {
      for (const listener of listeners.get(message.channel) ?? []) listener(message.payload);
    }
  });
  ws.addEventListener('close', () => {
    socket = undefined;
    // Commands in flight have no answer coming: say so rather than hang the UI.
    for (const [id, resolve] of pending) {
      resolve(fail('internal', 'Lost the connection to the Calmline host.'));
      pending.delete(id);
    }
    setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 5_000);
  });
}

function send(message: BridgeClientMessage): void {
  const text = JSON.stringify(message);
  if (socket?.readyState === WebSocket.OPEN) socket.send(text);
  else queue.push(text);
}

const transport: HostTransport = {
  invoke(channel: CommandChannel, payload: unknown) {
    const id = nextId++;
    return new Promise((resolve) => {
      pending.set(id, resolve);
      send({ type: 'invoke', id, channel, payload });
    });
  },
  subscribe(channel, listener) {
    const set = listeners.get(channel) ?? new Set();
    set.add(listener);
    listeners.set(channel, set);
    return () => set.delete(listener);
  },
};

Object.defineProperty(window, API_GLOBAL, {
  value: Object.freeze(createCalmlineApi(transport)),
  writable: false,
  configurable: false,
});
connect();
