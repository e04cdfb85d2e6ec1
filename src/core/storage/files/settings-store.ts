/**
 * The settings store: `conf` (electron-store is conf with Electron's paths) behind the
 * core's `KeyValueStore`. Settings are small and written rarely, which is what conf
 * is good at; call history and notes are not kept here (see history-partition.ts).
 *
 * What conf 15 does, and what this module adds:
 * - Every `set` reads and parses the whole file twice and rewrites it whole, through
 *   `atomically.writeFileSync`: temp file, write, fsync of the file, rename. It does
 *   not fsync the directory (the rename may be lost in a power cut, leaving the old
 *   version — never a torn one) and it blocks the event loop while doing so.
 * - With its default `clearInvalidConfig: false`, a settings file that is not JSON
 *   makes the constructor throw, so the app would not start; with `true` it would
 *   silently start empty and overwrite the damaged file on the next `set`. Neither
 *   keeps the file, so `prepareJsonStoreFile` runs first and moves a bad file aside.
 * - conf's own migrations are keyed by the app's semver; settings here carry a plain
 *   schema version number instead (`migrateSettings`), like every other store file.
 * - conf creates the file 0666 (less the umask); here it is 0600.
 */
import Conf from 'conf';
import { basename, dirname, join } from 'node:path';
import type { z } from 'zod';
import type { Clock } from '../../clock';
import type { CoreLogger } from '../../logger';
import type { KeyValueStore } from '../../settings';
import { moveAside } from './quarantine';
import { toStorageError } from './storage-error';
import { errorCode, nodeStorageFs, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, type StorageFs } from './storage-fs';
import { describeCorruption, type CorruptionReason, type StorageNotice } from './storage-notice';

/** The key holding the settings' schema version. */
export const SETTINGS_VERSION_KEY = 'calmlineSettingsVersion';

/** Brings the settings to `version` (from `version - 1`). */
export interface SettingsMigration {
  readonly version: number;
  migrate(store: KeyValueStore): void;
}

/** What `prepareJsonStoreFile` needs. */
export interface PrepareJsonStoreOptions {
  path: string;
  clock: Clock;
  logger: CoreLogger;
  fs?: StorageFs;
  /** The whole file's data must pass this, else the file is moved aside (default: any JSON object). */
  schema?: z.ZodType;
  /** The highest settings version this app reads; a file with a higher one is moved aside. */
  version?: number;
}

function reasonFor(
  raw: Uint8Array,
  schema: z.ZodType | undefined,
  version: number | undefined,
): CorruptionReason | undefined {
  if (raw.byteLength === 0) return 'empty';
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    return 'not-text';
  }
  if (text.trim() === '') return 'empty';
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return 'not-json';
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return 'wrong-format';
  const stored = (json as Record<string, unknown>)[SETTINGS_VERSION_KEY];
  if (stored !== undefined && (typeof stored !== 'number' || !Number.isInteger(stored))) return 'schema';
  if (version !== undefined && typeof stored === 'number' && stored > version) return 'newer-version';
  if (schema && !schema.safeParse(json).success) return 'schema';
  return undefined;
}

/**
 * Checks a conf / electron-store JSON file before it is opened and moves it aside
 * (as `<name>.corrupt-<timestamp>`) when it is empty, not JSON, not an object, or
 * fails `schema`. Returns the notice for the agent, or undefined when all is well.
 * The Electron host calls this on `<userData>/settings.json` before `new Store()`.
 */
export async function prepareJsonStoreFile(options: PrepareJsonStoreOptions): Promise<StorageNotice | undefined> {
  const fs = options.fs ?? nodeStorageFs;
  let raw: Uint8Array;
  try {
    raw = await fs.readFile(options.path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw toStorageError(error, 'read', options.path);
  }
  const reason = reasonFor(raw, options.schema, options.version);
  if (!reason) return undefined;
  const at = options.clock.now();
  const keptAs = await moveAside(fs, options.path, at);
  const notice: StorageNotice = {
    code: 'file-kept-aside',
    file: options.path,
    keptAs,
    reason,
    recovered: 0,
    at,
    message:
      `Calmline could not read its settings file ${basename(options.path)} (${describeCorruption(reason)}). ` +
      `The file was kept as ${basename(keptAs)} in ${dirname(keptAs)}; Calmline started with default settings.`,
  };
  options.logger.warn(notice.message);
  return notice;
}

/**
 * Runs the migrations above the stored version in order and records the new version.
 * Returns the version the settings are at afterwards.
 */
export function migrateSettings(store: KeyValueStore, migrations: readonly SettingsMigration[]): number {
  const raw = store.get(SETTINGS_VERSION_KEY);
  let version = typeof raw === 'number' ? raw : 0;
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (migration.version <= version) continue;
    migration.migrate(store);
    version = migration.version;
    store.set(SETTINGS_VERSION_KEY, version);
  }
  return version;
}

/** What `openConfSettingsStore` needs. */
export interface ConfSettingsOptions {
  /** The folder of the settings file. */
  dir: string;
  /** File name without `.json` (default `settings`). */
  name?: string;
  clock: Clock;
  logger: CoreLogger;
  fs?: StorageFs;
  migrations?: readonly SettingsMigration[];
  schema?: z.ZodType;
}

/** An opened settings store. */
export interface SettingsStoreHandle {
  store: KeyValueStore;
  path: string;
  /** The settings' schema version after migrations. */
  version: number;
  /** The settings file was unreadable and moved aside. */
  notices: StorageNotice[];
}

/** Opens the settings file through conf, after moving a damaged one aside, and migrates it. */
export async function openConfSettingsStore(options: ConfSettingsOptions): Promise<SettingsStoreHandle> {
  const fs = options.fs ?? nodeStorageFs;
  const name = options.name ?? 'settings';
  const path = join(options.dir, `${name}.json`);
  try {
    await fs.mkdir(options.dir, PRIVATE_DIR_MODE);
  } catch (error) {
    throw toStorageError(error, 'create', options.dir);
  }
  const migrations = options.migrations ?? [];
  const newest = migrations.reduce((max, migration) => Math.max(max, migration.version), 0);
  const notice = await prepareJsonStoreFile({
    path,
    clock: options.clock,
    logger: options.logger,
    fs,
    version: newest,
    ...(options.schema ? { schema: options.schema } : {}),
  });
  const conf = new Conf<Record<string, unknown>>({
    cwd: options.dir,
    configName: name,
    configFileMode: PRIVATE_FILE_MODE,
    accessPropertiesByDotNotation: false,
  });
  const store: KeyValueStore = {
    get: (key) => conf.get(key),
    set: (key, value) => {
      // conf refuses undefined; for a key-value store it means "no value".
      if (value === undefined) conf.delete(key);
      else conf.set(key, value);
    },
  };
  const version = migrateSettings(store, migrations);
  return { store, path, version, notices: notice ? [notice] : [] };
}
