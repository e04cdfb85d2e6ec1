/**
 * Opens everything a host's AppCore needs from one data folder: the agent's data
 * (history, notes, caller directory) and the retention schedule. Both hosts call it,
 * so the Electron app and the web host keep their data the same way.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadChecklists } from '../shared/workspace/checklists';
import { accountFromEnvironment } from './account-preset';
import { AppCore, type AppCoreOptions } from './app-core';
import { AccountSettings, agentNameFrom, retentionDaysFrom, type KeyValueStore, type SecretStore } from './settings';
import { openAgentData } from './storage/agent-data';
import { FileDataKeyProvider, type KeySealer } from './storage/files/data-key';
import type { StorageNotice } from './storage/files/storage-notice';
import { createMemoryTokenStore, directorySettingFrom, type DirectoryTokenStore } from './directory/directory-settings';
import { RemoteCallerDirectory, type RemoteCallerDirectoryOptions } from './directory/remote-caller-directory';

/** What a host provides. */
export interface OpenCoreOptions extends Pick<AppCoreOptions, 'clock' | 'logger' | 'createMediaFactory' | 'phone'> {
  /** The data folder (Electron: userData; web host: --data-dir). */
  dataDir: string;
  store: KeyValueStore;
  secrets: SecretStore;
  startupNotices?: StorageNotice[];
  /** Environment with an optional CALMLINE_* account preset (see account-preset.ts). */
  env?: Record<string, string | undefined>;
  /**
   * Seals the key that encrypts notes and call records at rest (Electron: the OS
   * keychain). Without one, history files are written in the clear.
   */
  keySealer?: KeySealer;
  /**
   * The agent's token for the shared caller directory (a secret like the SIP password);
   * default: memory, preset from CALMLINE_DIRECTORY_TOKEN.
   */
  directoryToken?: DirectoryTokenStore;
  /** Options of the shared directory client (timeouts, backoff) for tests and benchmarks. */
  directoryClient?: Partial<
    Pick<RemoteCallerDirectoryOptions, 'lookupTimeoutMs' | 'confirmTimeoutMs' | 'requestTimeoutMs' | 'backoffMs'>
  >;
}

/**
 * The checklists IT deployed as JSON files in `<dataDir>/checklists/` (one list per
 * file), validated; a bad file is reported by name and the others still load.
 */
export async function loadDeployedChecklists(dir: string, logger: OpenCoreOptions['logger']) {
  let names: string[] = [];
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith('.json')).sort();
  } catch {
    // No folder: only the built-in lists.
  }
  const raw: unknown[] = [];
  const sources: string[] = [];
  for (const name of names) {
    const path = join(dir, name);
    try {
      raw.push(JSON.parse(await readFile(path, 'utf8')));
    } catch (error) {
      raw.push({ unreadable: error instanceof Error ? error.message : String(error) });
    }
    sources.push(path);
  }
  const catalogue = loadChecklists(raw, { sources });
  for (const error of catalogue.errors) logger.warn(`Checklist ${error.source} not loaded: ${error.message}`);
  return catalogue;
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
    ...(options.keySealer
      ? {
          dataKeys: new FileDataKeyProvider(
            join(options.dataDir, 'agent-data', 'data-key.json'),
            undefined,
            options.keySealer,
          ),
        }
      : {}),
  });
  for (const notice of [...(options.startupNotices ?? []), ...agentData.notices()]) {
    options.logger.warn(notice.message);
  }
  const { checklists } = await loadDeployedChecklists(join(options.dataDir, 'checklists'), options.logger);
  const callerDirectory = await openSharedDirectory(options, agentData.directory);
  return new AppCore({
    ...options,
    ...(callerDirectory ? { callerDirectory } : {}),
    checklists,
    agentData,
    exportDir: join(options.dataDir, 'exports'),
    startupNotices: options.startupNotices ?? [],
  });
}

/** The shared caller directory when one is configured (README "Caller directory service"). */
async function openSharedDirectory(
  options: OpenCoreOptions,
  local: RemoteCallerDirectoryOptions['local'],
): Promise<RemoteCallerDirectory | undefined> {
  const setting = directorySettingFrom(options.store, options.env, (message) => options.logger.warn(message));
  if (!setting) return undefined;
  const tokens = options.directoryToken ?? createMemoryTokenStore();
  const preset = options.env?.CALMLINE_DIRECTORY_TOKEN;
  if (preset) tokens.set(preset);
  return RemoteCallerDirectory.open({
    url: setting.url,
    token: () => tokens.get(),
    local,
    dir: join(options.dataDir, 'agent-data'),
    clock: options.clock,
    logger: options.logger,
    ...(setting.lookupTimeoutMs ? { lookupTimeoutMs: setting.lookupTimeoutMs } : {}),
    ...options.directoryClient,
  });
}
