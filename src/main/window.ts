/**
 * The agent's window, locked down: context isolation, sandbox, no Node in the
 * page, no navigation away from our own page, no new windows, no permissions unless
 * this module grants them. The page's CSP (src/shared/csp.ts) is also in its HTML.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, session, shell } from 'electron';
import type { DesktopPolicy } from '../core/settings';
import { RENDERER_CSP } from '../shared/csp';
import { devServerUrl, devToolsAllowed, externalUrlAllowed, spellcheckPlan } from './desktop-policy';
import { allowPermission } from './permission-policy';
import { allowHidCheck } from './hid-policy';
import { installHidPolicy } from './hid-session';

const INDEX_HTML = join(import.meta.dirname, '../renderer/index.html');

/** The URL of our own page: the dev server in a development build, else the packaged index.html. */
function appUrl(): string {
  return devServerUrl(app, process.env) ?? pathToFileURL(INDEX_HTML).href;
}

/**
 * Applies deny-by-default rules to the default session. Call once, before any window.
 * The one grant: the microphone (and the speaker choice) for our own page, for calls.
 */
export function hardenSession(policy: DesktopPolicy): void {
  const ses = session.defaultSession;
  // Dictionaries only from IT's own server, never Google's CDN (desktop-policy.ts).
  const spellcheck = spellcheckPlan(process.platform, policy);
  if (spellcheck.downloadUrl) ses.setSpellCheckerDictionaryDownloadURL(spellcheck.downloadUrl);
  ses.setSpellCheckerEnabled(spellcheck.enabled);
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

/**
 * Creates the main window and loads the renderer. `policy` is read again for each
 * link, so IT's changes apply without a restart. `show: false` starts it in the tray
 * (docs/desk.md#shortcuts).
 */
export function createMainWindow(policy: () => DesktopPolicy, options: { show?: boolean } = {}): BrowserWindow {
  const atStart = policy();
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
      spellcheck: spellcheckPlan(process.platform, atStart).enabled,
      devTools: devToolsAllowed(app, atStart),
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
    // Only links IT listed open, in the agent's browser; never inside the app.
    if (externalUrlAllowed(url, policy())) void shell.openExternal(url);
    return { action: 'deny' };
  });
  // A crashed page is logged and reloaded by crash-recovery.ts (installed in index.ts).

  const devServer = devServerUrl(app, process.env);
  if (devServer) void window.loadURL(devServer);
  else void window.loadFile(INDEX_HTML);
  return window;
}
