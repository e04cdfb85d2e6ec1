/**
 * The electron-updater glue on a fake AppUpdater: nothing downloads or installs on
 * its own, the feed is the generic provider with the policy's channel, and the
 * scheduler's calls map onto check, download and a silent quit-and-install.
 */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/logger';
import { createElectronUpdater, type AutoUpdaterLike } from '../../../src/main/auto-updater';

function fakeAutoUpdater(available: boolean) {
  const calls: unknown[][] = [];
  const fake = {
    autoDownload: true,
    autoInstallOnAppQuit: true,
    allowDowngrade: true,
    logger: null,
    channel: null as string | null,
    setFeedURL: (options: unknown) => void calls.push(['setFeedURL', options]),
    checkForUpdates: async () => {
      calls.push(['checkForUpdates']);
      return { isUpdateAvailable: available, updateInfo: { version: '1.2.0' } };
    },
    downloadUpdate: async () => {
      calls.push(['downloadUpdate']);
      return [];
    },
    quitAndInstall: (silent?: boolean, runAfter?: boolean) => void calls.push(['quitAndInstall', silent, runAfter]),
  };
  return { fake, calls };
}

describe('electron-updater glue', () => {
  it('leaves every decision to the scheduler and uses the generic provider on the channel', async () => {
    const { fake, calls } = fakeAutoUpdater(true);
    const updater = createElectronUpdater(silentLogger, fake as unknown as AutoUpdaterLike);
    expect([fake.autoDownload, fake.autoInstallOnAppQuit, fake.allowDowngrade]).toEqual([false, false, false]);
    updater.configure({ url: 'https://updates.example.com/calmline/', channel: 'pilot' });
    expect(calls[0]).toEqual([
      'setFeedURL',
      { provider: 'generic', url: 'https://updates.example.com/calmline/', channel: 'pilot' },
    ]);
    expect(fake.channel).toBe('pilot');
    updater.configure({ url: 'https://updates.example.com/calmline/', channel: 'stable' });
    expect(calls[1]).toEqual(['setFeedURL', { provider: 'generic', url: 'https://updates.example.com/calmline/' }]);
    expect(fake.channel).toBeNull();
    expect(await updater.check()).toEqual({ version: '1.2.0' });
    await updater.download();
    updater.install();
    expect(calls.slice(2)).toEqual([['checkForUpdates'], ['downloadUpdate'], ['quitAndInstall', true, true]]);
  });

  it('answers no update when the feed has none', async () => {
    const { fake } = fakeAutoUpdater(false);
    expect(await createElectronUpdater(silentLogger, fake as unknown as AutoUpdaterLike).check()).toBeNull();
  });
});
