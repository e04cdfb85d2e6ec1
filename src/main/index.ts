/**
 * Electron main entry: thin glue around the core. Everything that decides anything
 * lives in src/core (no Electron import there), so it runs and is tested in Node.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { app, BrowserWindow, dialog, globalShortcut, Menu, nativeImage, Tray, type NativeImage } from 'electron';
import Store from 'electron-store';
import { EncryptionRequiredError, openCore } from '../core/open-core';
import { systemClock } from '../core/clock';
import { createConsoleLogger } from '../core/logger';
import { createSignallingMediaFactory } from '../core/phone/signalling-media';
import { installProcessGuards } from '../core/process-guards';
import { desktopPolicySetting } from '../core/settings';
import { prepareJsonStoreFile } from '../core/storage/files/settings-store';
import { defaultMenuAllowed } from './desktop-policy';
import { notifyIncomingCalls } from './incoming-call-notifier';
import { detachMediaWithPage, registerIpc } from './ipc';
import { createSafeStorageKeySealer } from './data-key-sealer';
import { createSafeStorageSecretStore } from './secret-store';
import { createMainWindow, hardenSession } from './window';
import { installDeskGlue, type DeskGlue } from './desk-glue';
import { installLinkHandoff } from './link-handoff';
import { applyLoginItem, autostartPath } from './login-item';
import { loadManagedPolicy } from '../core/policy/policy';
import { forwardingLogger } from '../core/diagnostics/file-log';
import { setUpDiagnostics } from '../core/diagnostics/setup';
import { logChildProcessCrashes, reloadAfterCrash } from './crash-recovery';
import { startUpdates } from './auto-updater';
import type { UpdateScheduler } from '../core/updates/update-scheduler';

const consoleLogger = createConsoleLogger(process.env.CALMLINE_LOG_LEVEL === 'debug' ? 'debug' : 'info');
// stderr until the log file is open (src/core/diagnostics/setup.ts), then the file too.
const logger = forwardingLogger(consoleLogger);
// A fatal failure ends the process; before that, calls get their BYE and notes are saved.
const onFatal: { stop?: () => Promise<void> } = {};
installProcessGuards(logger, { onFatal: () => onFatal.stop?.() });
// The demo and tests run with a profile of their own, never the agent's real one.
if (process.env.CALMLINE_USER_DATA_DIR) app.setPath('userData', process.env.CALMLINE_USER_DATA_DIR);

if (!app.requestSingleInstanceLock()) {
  // A second Calmline would register the same account twice and split the calls.
  app.quit();
} else {
  let mainWindow: BrowserWindow | undefined;
  let desk: DeskGlue | undefined;
  // Click-to-dial (docs/desk.md#click-to-dial): registered and listening before ready,
  // so the link a first start was opened with (or macOS's open-url) is not lost.
  const links = installLinkHandoff({
    app,
    platform: process.platform,
    argv: process.argv,
    defaultApp: Boolean(process.defaultApp),
    execPath: process.execPath,
    warn: (message) => logger.warn(message),
  });
  app.on('second-instance', (_event, argv) => {
    if (mainWindow?.isMinimized()) mainWindow.restore();
    mainWindow?.show();
    mainWindow?.focus();
    links.fromArgs(argv);
  });

  void app.whenReady().then(async () => {
    // A packaged build has no default menu (and with it no Reload or Toggle DevTools).
    if (!defaultMenuAllowed(app)) Menu.setApplicationMenu(null);
    const dataDir = app.getPath('userData');
    // electron-store throws on (or silently wipes) a corrupt file: move it aside first.
    const settingsNotice = await prepareJsonStoreFile({
      path: join(dataDir, 'settings.json'),
      clock: systemClock,
      logger,
    });
    const store = new Store<Record<string, unknown>>({ name: 'settings', configFileMode: 0o600 });
    const desktopPolicy = desktopPolicySetting(store, logger);
    hardenSession(desktopPolicy.get());
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
    // Without a keychain the data is stored in the clear and the window says so, unless
    // IT requires encryption (dataProtection.requireEncryption): then Calmline does not start.
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
    }).catch((error: unknown) => {
      if (!(error instanceof EncryptionRequiredError)) throw error;
      logger.error(error.message);
      dialog.showErrorBox('Calmline cannot start', error.message);
      app.exit(78);
      return undefined;
    });
    if (!core) return;
    registerIpc(core, () => mainWindow);
    notifyIncomingCalls(
      core,
      () => mainWindow,
      () => desktopPolicy.get(),
    );
    desk = installDeskGlue({
      core,
      app,
      setLoginItem: (item) =>
        applyLoginItem(item, process.platform, {
          setLoginItemSettings: (settings) => app.setLoginItemSettings(settings),
          fs: { mkdirSync, writeFileSync, rmSync },
          path: autostartPath(process.env, app.getPath('home')),
          execPath: process.execPath,
        }),
      createTray: (image) => new Tray(image as NativeImage),
      image: (png) => nativeImage.createFromBuffer(png),
      buildMenu: (template) => Menu.buildFromTemplate(template),
      globalShortcut,
      confirm: (question) =>
        dialog.showMessageBoxSync({
          type: 'question',
          title: question.title,
          message: question.title,
          detail: question.message,
          buttons: [question.yes, question.no],
          defaultId: 1,
          cancelId: 1,
        }) === 0,
      getWindow: () => mainWindow,
      quit: () => app.quit(),
      warn: (message) => logger.warn(message),
    });
    mainWindow = createMainWindow(() => desktopPolicy.get(), { show: !desk.startHidden(process.argv) });
    desk.attachWindow(mainWindow);
    detachMediaWithPage(core, mainWindow);
    reloadAfterCrash(mainWindow, { logger, clock: systemClock });
    logChildProcessCrashes(app, logger);
    mainWindow.on('closed', () => {
      mainWindow = undefined;
    });
    onFatal.stop = () => core.stop();
    await core.start();
    links.ready((link) => {
      core.desk.openLink(link);
      desk?.showWindow();
    });
    updater.scheduler = startUpdates({ core, settings: diagnostics.settings.updates, clock: systemClock, logger });

    let stopping = false;
    app.on('before-quit', (event) => {
      if (stopping) return;
      // Quitting during a call asks first (docs/desk.md#tray).
      if (desk && !desk.confirmQuit()) {
        event.preventDefault();
        return;
      }
      // Un-REGISTER and end calls cleanly before the process goes.
      event.preventDefault();
      stopping = true;
      void core
        .stop()
        .then(() => {
          desk?.dispose();
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
        mainWindow = createMainWindow(() => desktopPolicy.get());
        desk?.attachWindow(mainWindow);
        detachMediaWithPage(core, mainWindow);
        reloadAfterCrash(mainWindow, { logger, clock: systemClock });
      } else desk?.showWindow();
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}
