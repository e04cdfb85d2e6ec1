/**
 * Opens everything a host's AppCore needs from one data folder: the agent's data
 * (history, notes, caller directory) and the retention schedule. Both hosts call it,
 * so the Electron app and the web host keep their data the same way.
 */
import { join } from 'node:path';
import { accountFromEnvironment } from './account-preset';
import { AppCore, type AppCoreOptions } from './app-core';
import { AccountSettings, agentNameFrom, retentionDaysFrom, type KeyValueStore, type SecretStore } from './settings';
import { openAgentData } from './storage/agent-data';
import type { StorageNotice } from './storage/storage-notice';

/** What a host provides. */
export interface OpenCoreOptions extends Pick<AppCoreOptions, 'clock' | 'logger' | 'createMediaFactory' | 'phone'> {
  /** The data folder (Electron: userData; web host: --data-dir). */
  dataDir: string;
  store: KeyValueStore;
  secrets: SecretStore;
  startupNotices?: StorageNotice[];
  /** Environment with an optional CALMLINE_* account preset (see account-preset.ts). */
  env?: Record<string, string | undefined>;
}

/** Opens the agent's data under `dataDir` and builds the core on it. */
export async function openCore(options: OpenCoreOptions): Promise<AppCore> {
  const account = new AccountSettings(options.store, options.secrets, options.logger);
  const preset = options.env ? accountFromEnvironment(options.env) : undefined;
  if (preset && 'error' in preset) options.logger.error(preset.error);
  else if (preset) account.save(preset.account);
  const agentData = await openAgentData({
    dir: join(options.dataDir, 'agent-data'),
    clock: options.clock,
    logger: options.logger,
    agentName: () => agentNameFrom(account.get()),
    retentionDays: () => retentionDaysFrom(options.store),
  });
  for (const notice of [...(options.startupNotices ?? []), ...agentData.notices()]) {
    options.logger.warn(notice.message);
  }
  return new AppCore({
    ...options,
    agentData,
    exportDir: join(options.dataDir, 'exports'),
    startupNotices: options.startupNotices ?? [],
  });
}
