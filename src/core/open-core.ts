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
import type { DataProtectionView } from '../shared/contract';
import {
  AccountSettings,
  agentNameFrom,
  encryptionRequired,
  retentionDaysFrom,
  retentionPeriodsFrom,
  type KeyValueStore,
  type SecretStore,
} from './settings';
import { openAgentData } from './storage/agent-data';
import { FileDataKeyProvider, type KeySealer } from './storage/files/data-key';
import type { StorageNotice } from './storage/files/storage-notice';
import { describePolicyIssue, NO_POLICY, type EffectivePolicy } from './policy/policy';
import { PolicyLockedError, PolicyStore } from './policy/policy-store';
import { SETTING_BASES } from './policy/setting-bases';
import { createMemoryTokenStore, directorySettingFrom, type DirectoryTokenStore } from './directory/directory-settings';
import { RemoteCallerDirectory, type RemoteCallerDirectoryOptions } from './directory/remote-caller-directory';

/** What a host provides. */
export interface OpenCoreOptions extends Pick<
  AppCoreOptions,
  'clock' | 'logger' | 'createMediaFactory' | 'phone' | 'redactor' | 'diagnostics'
> {
  /** The data folder (Electron: userData; web host: --data-dir). */
  dataDir: string;
  store: KeyValueStore;
  secrets: SecretStore;
  startupNotices?: StorageNotice[];
  /** Environment with an optional CALMLINE_* account preset (see account-preset.ts). */
  env?: Record<string, string | undefined>;
  /**
   * Seals the key that encrypts the agent's data at rest (Electron: the OS keychain).
   */
  keySealer?: KeySealer;
  /**
   * Without a sealer: a file of its own (mode 0600) that holds the data key in the
   * clear (the web host). It protects the data as far as that file is kept apart from
   * it (another folder, another backup). Without either, the data is written in the
   * clear and the UI says so.
   */
  keyFile?: string;
  /** IT's managed policy (src/core/policy/); laid over `store` so every setting honours it. */
  policy?: EffectivePolicy;
  /**
   * The agent's token for the shared caller directory (a secret like the SIP password);
   * default: memory, preset from CALMLINE_DIRECTORY_TOKEN.
   */
  directoryToken?: DirectoryTokenStore;
  /** Options of the shared directory client (timeouts, backoff) for tests and benchmarks. */
  directoryClient?: Partial<
    Pick<
      RemoteCallerDirectoryOptions,
      'lookupTimeoutMs' | 'confirmTimeoutMs' | 'requestTimeoutMs' | 'backoffMs' | 'shareNoteText'
    >
  >;
}

/** Thrown by `openCore` when `dataProtection.requireEncryption` is set and there is no key. */
export class EncryptionRequiredError extends Error {
  constructor() {
    super(
      'Calmline is set to run only with its data encrypted (dataProtection.requireEncryption), ' +
        'and this computer offers no keychain to protect the key. Calmline did not start and wrote nothing. ' +
        'Ask IT to enable the OS keychain (on Linux: GNOME Keyring or KWallet) or to change the setting.',
    );
    this.name = 'EncryptionRequiredError';
  }
}

/** Where the data key comes from, by what the host offers; pure. */
export function chooseDataProtection(options: Pick<OpenCoreOptions, 'dataDir' | 'keySealer' | 'keyFile'>): {
  dataKeys?: FileDataKeyProvider;
  view: DataProtectionView;
} {
  if (options.keySealer) {
    return {
      dataKeys: new FileDataKeyProvider(
        join(options.dataDir, 'agent-data', 'data-key.json'),
        undefined,
        options.keySealer,
      ),
      view: { storesData: true, encrypted: true, keyStorage: 'os-keychain' },
    };
  }
  if (options.keyFile) {
    return {
      dataKeys: new FileDataKeyProvider(options.keyFile),
      view: { storesData: true, encrypted: true, keyStorage: 'key-file' },
    };
  }
  return { view: { storesData: true, encrypted: false, keyStorage: 'none' } };
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

/**
 * Opens the agent's data under `dataDir` and builds the core on it. Rejects with
 * {@link EncryptionRequiredError}, before anything is written, when encryption is
 * required and not available.
 */
export async function openCore(options: OpenCoreOptions): Promise<AppCore> {
  const policy = options.policy ?? NO_POLICY;
  for (const issue of policy.issues) options.logger.warn(describePolicyIssue(issue));
  const store = new PolicyStore(options.store, policy, SETTING_BASES);
  const protection = chooseDataProtection(options);
  if (!protection.dataKeys && encryptionRequired(store)) throw new EncryptionRequiredError();
  const account = new AccountSettings(store, options.secrets, options.logger);
  const preset = options.env ? accountFromEnvironment(options.env) : undefined;
  if (preset && 'error' in preset) options.logger.error(preset.error);
  else if (preset) {
    try {
      account.save(preset.account);
    } catch (error) {
      if (!(error instanceof PolicyLockedError)) throw error;
      options.logger.warn(`CALMLINE_* account preset ignored: ${error.message}`);
    }
  }
  if (store.get('encryptionAtRest') === 'required' && !protection.dataKeys) {
    // IT requires encryption at rest and there is no key: keep no history rather than keep it in the clear
    // (the phone still works; dataProtection.requireEncryption refuses to start instead).
    options.logger.error(
      'Policy encryptionAtRest is "required" but no OS keychain or key file is available: call history and notes are switched off.',
    );
    return new AppCore({
      ...options,
      store,
      managedPolicy: policy,
      dataProtection: { storesData: false, encrypted: false, keyStorage: 'none' },
      checklists: (await loadDeployedChecklists(join(options.dataDir, 'checklists'), options.logger)).checklists,
      startupNotices: options.startupNotices ?? [],
    });
  }
  const agentData = await openAgentData({
    dir: join(options.dataDir, 'agent-data'),
    clock: options.clock,
    logger: options.logger,
    agentName: () => agentNameFrom(account.get()),
    retentionDays: () => retentionDaysFrom(store),
    periods: () => retentionPeriodsFrom(store),
    exportDir: join(options.dataDir, 'exports'),
    ...(protection.dataKeys ? { dataKeys: protection.dataKeys } : {}),
  });
  if (!protection.dataKeys) {
    options.logger.warn(
      'No key to encrypt with: notes, call records and the caller directory are stored in the clear.',
    );
  }
  for (const notice of [...(options.startupNotices ?? []), ...agentData.notices()]) {
    options.logger.warn(notice.message);
  }
  const { checklists } = await loadDeployedChecklists(join(options.dataDir, 'checklists'), options.logger);
  const callerDirectory = await openSharedDirectory(options, agentData.directory);
  return new AppCore({
    ...options,
    store,
    managedPolicy: policy,
    ...(callerDirectory ? { callerDirectory } : {}),
    checklists,
    agentData,
    exportDir: join(options.dataDir, 'exports'),
    dataProtection: protection.view,
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
    ...(setting.shareNoteText ? { shareNoteText: true } : {}),
    ...options.directoryClient,
  });
}
