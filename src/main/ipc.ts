/**
 * Registers the contract's commands on ipcMain. Every command goes through the
 * core's router (schema validation, typed errors); this layer only adds the check
 * that the sender is our own window's main frame.
 */
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import type { AppCore } from '../core/app-core';
import { commands, type CommandChannel } from '../shared/contract';
import { fail } from '../shared/result';

/**
 * The window's audio engine goes with its page: a reload, a crash or closing the
 * window fails the media requests in flight now (the engine re-attaches on load).
 */
export function detachMediaWithPage(core: AppCore, window: BrowserWindow): void {
  const detach = (reason: string) => () => core.media.detach(reason);
  window.webContents.on('did-start-loading', detach('the Calmline window is reloading'));
  window.webContents.on('render-process-gone', detach('the Calmline window crashed'));
  window.on('closed', detach('the Calmline window was closed'));
}

/** Wires commands and events between the core and one window; returns a disposer. */
export function registerIpc(core: AppCore, getWindow: () => BrowserWindow | undefined): () => void {
  const isOurWindow = (event: IpcMainInvokeEvent) => {
    const window = getWindow();
    return (
      window !== undefined &&
      event.sender === window.webContents &&
      event.senderFrame !== null &&
      event.senderFrame === window.webContents.mainFrame
    );
  };

  const channels = Object.keys(commands) as CommandChannel[];
  for (const channel of channels) {
    ipcMain.handle(channel, (event, payload: unknown) => {
      if (!isOurWindow(event)) return fail('forbidden-sender', 'Commands are accepted from the Calmline window only.');
      return core.router(channel, payload);
    });
  }

  const unsubscribe = core.onEvent((channel, payload) => {
    const window = getWindow();
    if (window && !window.isDestroyed()) window.webContents.send(channel, payload);
  });

  return () => {
    core.media.detach('the Calmline window is gone');
    unsubscribe();
    for (const channel of channels) ipcMain.removeHandler(channel);
  };
}
