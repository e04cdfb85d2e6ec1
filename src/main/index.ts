/**
 * Electron main entry: thin glue around the core. Everything that decides anything
 * lives in src/core (no Electron import there), so it runs and is tested in Node.
 */
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { app, BrowserWindow } from 'electron';
import Store from 'electron-store';
import { openCore } from '../core/open-core';
import { systemClock } from '../core/clock';
import { createConsoleLogger } from '../core/logger';
import { createSignallingMediaFactory } from '../core/phone/signalling-media';
import { installProcessGuards } from '../core/process-guards';
import { prepareJsonStoreFile } from '../core/storage/files/settings-store';
import { notifyIncomingCalls } from './incoming-call-notifier';
import { detachMediaWithPage, registerIpc } from './ipc';
import { createSafeStorageKeySealer } from './data-key-sealer';
import { createSafeStorageSecretStore } from './secret-store';
import { createMainWindow, hardenSession } from './window';
import { loadManagedPolicy } from '../core/policy/policy';

const logger = createConsoleLogger(process.env.CALMLINE_LOG_LEVEL === 'debug' ? 'debug' : 'info');
installProcessGuards(logger);
// The demo and tests run with a profile of their own, never the agent's real one.
if (process.env.CALMLINE_USER_DATA_DIR) app.setPath('userData', process.env.CALMLINE_USER_DATA_DIR);

if (!app.requestSingleInstanceLock()) {
  // A second Calmline would register the same account twice and split the calls.
  app.quit();
} else {
  let mainWindow: BrowserWindow | undefined;
  app.on('second-instance', () => {
    if (mainWindow?.isMinimized()) mainWindow.restore();
    mainWindow?.focus();
  });

  void app.whenReady().then(async () => {
    hardenSession();
    const dataDir = app.getPath('userData');
    // electron-store throws on (or silently wipes) a corrupt file: move it aside first.
    const settingsNotice = await prepareJsonStoreFile({
      path: join(dataDir, 'settings.json'),
      clock: systemClock,
      logger,
    });
    const store = new Store<Record<string, unknown>>({ name: 'settings', configFileMode: 0o600 });
    const secrets = createSafeStorageSecretStore(store);
    // IT's managed policy: the registry, managed preferences or /etc/calmline/policy.json.
    const policy = await loadManagedPolicy({ platform: process.platform, username: userInfo().username });
    const keySealer = createSafeStorageKeySealer();
    if (!keySealer) logger.warn('No OS keychain: notes and call records are stored without encryption at rest.');
    const core = await openCore({
      dataDir,
      policy,
      store,
      secrets,
      startupNotices: settingsNotice ? [settingsNotice] : [],
      env: process.env,
      clock: systemClock,
      logger,
      ...(keySealer ? { keySealer } : {}),
      // Real audio through the window's WebRTC engine, unless a test or demo without
      // WebRTC peers asks for signalling only.
      ...(process.env.CALMLINE_MEDIA === 'signalling'
        ? { createMediaFactory: () => createSignallingMediaFactory() }
        : {}),
    });
    registerIpc(core, () => mainWindow);
    notifyIncomingCalls(core, () => mainWindow);
    mainWindow = createMainWindow();
    detachMediaWithPage(core, mainWindow);
    mainWindow.on('closed', () => {
      mainWindow = undefined;
    });
    await core.start();

    let stopping = false;
    app.on('before-quit', (event) => {
      if (stopping) return;
      // Un-REGISTER and end calls cleanly before the process goes.
      event.preventDefault();
      stopping = true;
      void core.stop().finally(() => app.quit());
    });
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) {
        mainWindow = createMainWindow();
        detachMediaWithPage(core, mainWindow);
      }
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}
