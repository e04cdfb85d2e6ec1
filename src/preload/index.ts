/**
 * The preload: exposes the contract's purpose-named functions to the page and
 * nothing else (never ipcRenderer itself). Main validates every payload.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { API_GLOBAL, createCalmlineApi, type HostTransport } from '../shared/api';
import type { Result } from '../shared/result';

const transport: HostTransport = {
  invoke: (channel, payload) => ipcRenderer.invoke(channel, payload) as Promise<Result<unknown>>,
  subscribe: (channel, listener) => {
    const wrapped = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, wrapped);
    return () => ipcRenderer.removeListener(channel, wrapped);
  },
};

contextBridge.exposeInMainWorld(API_GLOBAL, createCalmlineApi(transport));
