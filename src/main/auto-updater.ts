/**
 * Thin glue from the core's update decisions (src/core/updates/update-scheduler.ts)
 * to electron-updater's autoUpdater with the generic provider: the scheduler
 * decides when to check, download and install; electron-updater fetches the channel
 * file, verifies the download's sha512 (and on Windows the publisher's signature) and
 * runs the installer. Nothing downloads or installs on its own.
 */
import { autoUpdater, type AppUpdater } from 'electron-updater';
import type { AppCore } from '../core/app-core';
import type { CoreLogger } from '../core/logger';
import type { Clock } from '../core/clock';
import { UpdateScheduler, type Updater } from '../core/updates/update-scheduler';
import type { UpdateSettings } from '../shared/policy';

/** The part of electron-updater's AppUpdater used here (tests pass a fake). */
export type AutoUpdaterLike = Pick<
  AppUpdater,
  | 'autoDownload'
  | 'autoInstallOnAppQuit'
  | 'allowDowngrade'
  | 'logger'
  | 'channel'
  | 'setFeedURL'
  | 'checkForUpdates'
  | 'downloadUpdate'
  | 'quitAndInstall'
>;

/** electron-updater behind the core's Updater seam. */
export function createElectronUpdater(logger: CoreLogger, autoUpdater: AutoUpdaterLike = defaultUpdater()): Updater {
  autoUpdater.autoDownload = false;
  autoUpdater.autoInstallOnAppQuit = false;
  autoUpdater.allowDowngrade = false;
  autoUpdater.logger = {
    info: (message?: unknown) => logger.info(`updater: ${String(message)}`),
    warn: (message?: unknown) => logger.warn(`updater: ${String(message)}`),
    error: (message?: unknown) => logger.error(`updater: ${String(message)}`),
    debug: (message: string) => logger.debug(`updater: ${message}`),
  };
  return {
    configure: ({ url, channel }) => {
      autoUpdater.setFeedURL({ provider: 'generic', url, ...(channel === 'stable' ? {} : { channel }) });
      autoUpdater.channel = channel === 'stable' ? null : channel;
    },
    check: async () => {
      const result = await autoUpdater.checkForUpdates();
      return result?.isUpdateAvailable ? { version: result.updateInfo.version } : null;
    },
    download: async () => {
      await autoUpdater.downloadUpdate();
    },
    // Silent install, then start Calmline again.
    install: () => autoUpdater.quitAndInstall(true, true),
  };
}

/** electron-updater's own instance; reading it loads Electron, so only when needed. */
function defaultUpdater(): AutoUpdaterLike {
  return autoUpdater;
}

/** Starts the scheduler on the core's activity: it hears every call and workspace change. */
export function startUpdates(options: {
  core: AppCore;
  settings: UpdateSettings;
  clock: Clock;
  logger: CoreLogger;
}): UpdateScheduler {
  const { core } = options;
  const scheduler = new UpdateScheduler({
    settings: options.settings,
    updater: createElectronUpdater(options.logger),
    clock: options.clock,
    logger: options.logger,
    activity: () => ({
      status: core.workspace.view().status,
      liveCalls: core.phoneState().calls.filter((call) => call.state !== 'ended').length,
    }),
  });
  core.onEvent((...[channel]) => {
    if (channel === 'phone:state' || channel === 'workspace:state') scheduler.activityChanged();
  });
  scheduler.start();
  return scheduler;
}
