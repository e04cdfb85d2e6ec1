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
import { forwardingLogger } from '../core/diagnostics/file-log';
import { setUpDiagnostics } from '../core/diagnostics/setup';
import { logChildProcessCrashes, reloadAfterCrash } from './crash-recovery';
import { startUpdates } from './auto-updater';
import type { UpdateScheduler } from '../core/updates/update-scheduler';

const consoleLogger = createConsoleLogger(process.env.CALMLINE_LOG_LEVEL === 'debug' ? 'debug' : 'info');
// stderr until the log file is open (src/core/diagnostics/setup.ts), then the file too.
const logger = forwardingLogger(consoleLogger);
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
    // Set once the core has started; the diagnostics bundle reads it.
    const updater: { scheduler?: UpdateScheduler } = {};
    const diagnostics = await setUpDiagnostics({
      dataDir,
      store,
      policy,
      logger,
      mirror: consoleLogger,
      appVersion: app.getVersion(),
      runtime: `Electron ${process.versions.electron} (Chromium ${process.versions.chrome}, Node ${process.versions.node})`,
      updates: () => updater.scheduler?.current(),
    });
    const keySealer = createSafeStorageKeySealer();
    if (!keySealer) logger.warn('No OS keychain: notes and call records are stored without encryption at rest.');
    const core = await openCore({
      dataDir,
      policy,
      redactor: diagnostics.redactor,
      diagnostics: diagnostics.bundle,
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
    reloadAfterCrash(mainWindow, { logger, clock: systemClock });
    logChildProcessCrashes(app, logger);
    mainWindow.on('closed', () => {
      mainWindow = undefined;
    });
    await core.start();
    updater.scheduler = startUpdates({ core, settings: diagnostics.settings.updates, clock: systemClock, logger });

    let stopping = false;
    app.on('before-quit', (event) => {
      if (stopping) return;
      // Un-REGISTER and end calls cleanly before the process goes.
      event.preventDefault();
      stopping = true;
      void core
        .stop()
        .then(() => {
          logger.use(consoleLogger);
          return diagnostics.log.close();
        })
        .finally(() => {
          // A downloaded update installs now (and restarts Calmline); otherwise just quit.
          if (!updater.scheduler?.installOnQuit()) app.quit();
        });
    });
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) {
        mainWindow = createMainWindow();
        detachMediaWithPage(core, mainWindow);
        reloadAfterCrash(mainWindow, { logger, clock: systemClock });
      }
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}
