/**
 * The agent's window, locked down: context isolation, sandbox, no Node in the
 * page, no navigation away from our own page, no new windows, no permissions unless
 * this module grants them. The page's CSP (src/shared/csp.ts) is also in its HTML.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BrowserWindow, session, shell } from 'electron';
import { RENDERER_CSP } from '../shared/csp';
import { allowPermission } from './permission-policy';
import { allowHidCheck } from './hid-policy';
import { installHidPolicy } from './hid-session';

const INDEX_HTML = join(import.meta.dirname, '../renderer/index.html');

/** The URL of our own page: the dev server while developing, else the packaged index.html. */
function appUrl(): string {
  return process.env.ELECTRON_RENDERER_URL ?? pathToFileURL(INDEX_HTML).href;
}

/**
 * Applies deny-by-default rules to the default session. Call once, before any window.
 * The one grant: the microphone (and the speaker choice) for our own page, for calls.
 */
export function hardenSession(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((webContents, permission, callback, details) => {
    const mediaTypes = 'mediaTypes' in details ? (details.mediaTypes ?? []) : [];
    callback(allowPermission(permission, details.requestingUrl || webContents.getURL(), appUrl(), mediaTypes));
  });
  ses.setPermissionCheckHandler((_webContents, permission, requestingOrigin, details) => {
    const mediaTypes = details.mediaType ? [details.mediaType] : [];
    const url = details.requestingUrl ?? requestingOrigin;
    return allowPermission(permission, url, appUrl(), mediaTypes) || allowHidCheck(permission, url, appUrl());
  });
  // Headset call control: telephony HID devices for our own page only (docs/desk.md#headset).
  installHidPolicy(ses, appUrl);
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [RENDERER_CSP] },
    });
  });
}

/** Creates the main window and loads the renderer; `show: false` starts it in the tray (docs/desk.md#shortcuts). */
export function createMainWindow(options: { show?: boolean } = {}): BrowserWindow {
  const window = new BrowserWindow({
    width: 1100,
    height: 760,
    minWidth: 720,
    minHeight: 520,
    show: false,
    title: 'Calmline',
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: true,
      // The ringtone must sound for a call that rings while the agent has not clicked anything yet.
      autoplayPolicy: 'no-user-gesture-required',
    },
  });
  window.once('ready-to-show', () => {
    if (options.show !== false) window.show();
  });

  const contents = window.webContents;
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    // Links to documentation open in the agent's browser, never inside the app.
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });

  const devServer = process.env.ELECTRON_RENDERER_URL;
  if (devServer) void window.loadURL(devServer);
  else void window.loadFile(INDEX_HTML);
  return window;
}
