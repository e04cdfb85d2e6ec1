/**
 * Settings and secrets as the core sees them: narrow interfaces the hosts fill in
 * (electron-store and safeStorage in Electron, `conf` and memory in the web host).
 */
import { z } from 'zod';
import {
  audioDevicesSchema,
  callPolicySchema,
  languageSettingSchema,
  type AccountInput,
  type AccountView,
  type AudioDevices,
  type CallPolicy,
  type LanguageSetting,
} from '../shared/contract';
import { DEFAULT_MEDIA_POLICY, mediaPolicySchema, type MediaPolicy } from '../shared/media-protocol';
import type { CoreLogger } from './logger';

/** The part of electron-store / conf the core uses. */
export interface KeyValueStore {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

/** Where the SIP password lives. Implementations never write it in clear text. */
export interface SecretStore {
  getPassword(): string | undefined;
  setPassword(password: string): void;
  /** False when the password only lives in memory for this run. */
  readonly persistent: boolean;
}

/** The stored SIP account, without the password. */
export const storedAccountSchema = z.object({
  wsUrl: z.string(),
  sipUri: z.string(),
  displayName: z.string(),
});
export type StoredAccount = z.infer<typeof storedAccountSchema>;

const ACCOUNT_KEY = 'account';

/** Reads and writes the account settings, validating what comes off disk. */
export class AccountSettings {
  constructor(
    private readonly store: KeyValueStore,
    private readonly secrets: SecretStore,
    private readonly logger: CoreLogger,
  ) {}

  /** The stored account, or undefined when none (or an unreadable one) is stored. */
  get(): StoredAccount | undefined {
    const raw = this.store.get(ACCOUNT_KEY);
    if (raw === undefined) return undefined;
    const parsed = storedAccountSchema.safeParse(raw);
    if (!parsed.success) {
      this.logger.warn('The stored SIP account is unreadable; the settings form will ask for it again.');
      return undefined;
    }
    return parsed.data;
  }

  /** What the renderer may see. */
  view(): AccountView {
    const account = this.get();
    return {
      wsUrl: account?.wsUrl ?? '',
      sipUri: account?.sipUri ?? '',
      displayName: account?.displayName ?? '',
      hasPassword: Boolean(this.secrets.getPassword()),
    };
  }

  /** Saves validated input; an absent password keeps the stored one. */
  save(input: AccountInput): void {
    this.store.set(ACCOUNT_KEY, {
      wsUrl: input.wsUrl,
      sipUri: input.sipUri,
      displayName: input.displayName,
    } satisfies StoredAccount);
    if (input.password !== undefined) this.secrets.setPassword(input.password);
  }

  password(): string {
    return this.secrets.getPassword() ?? '';
  }
}

/** The name written as author of notes, flags and exports: the account's display name, else its SIP user. */
export function agentNameFrom(account: StoredAccount | undefined): string {
  return account?.displayName || account?.sipUri.replace(/^sips?:/i, '') || 'agent';
}

/** Days after which call records and notes are deleted (privacy); IT sets `retentionDays`. */
export function retentionDaysFrom(store: KeyValueStore, fallback = 365): number | undefined {
  const raw = store.get('retentionDays');
  if (raw === null) return undefined; // explicitly "keep everything"
  const parsed = z.number().int().min(1).max(3650).safeParse(raw);
  return parsed.success ? parsed.data : fallback;
}

/**
 * One setting stored under `key` and validated against `schema` on every read:
 * anything unreadable (hand-edited, from an older version, set wrongly by IT) falls
 * back to the defaults with a warning rather than stopping the app.
 */
export class StoredSetting<T> {
  constructor(
    private readonly store: KeyValueStore,
    private readonly key: string,
    private readonly schema: z.ZodType<T>,
    private readonly defaults: T,
    private readonly logger: CoreLogger,
  ) {}

  get(): T {
    const raw = this.store.get(this.key);
    if (raw === undefined) return this.defaults;
    const parsed = this.schema.safeParse(raw);
    if (!parsed.success) {
      this.logger.warn(`The stored setting "${this.key}" is unreadable; using the defaults.`);
      return this.defaults;
    }
    return parsed.data;
  }

  save(value: T): T {
    this.store.set(this.key, value);
    return value;
  }
}

/** The call-handling policy (`callPolicy`). */
export function callPolicySetting(
  store: KeyValueStore,
  defaults: CallPolicy,
  logger: CoreLogger,
): StoredSetting<CallPolicy> {
  return new StoredSetting(store, 'callPolicy', callPolicySchema, defaults, logger);
}

/** The UI language (`language`); `auto` follows the system. */
export function languageSetting(store: KeyValueStore, logger: CoreLogger): StoredSetting<LanguageSetting> {
  return new StoredSetting(store, 'language', languageSettingSchema, { language: 'auto' }, logger);
}

/** No device chosen: the system defaults, ringtone on. */
export const DEFAULT_AUDIO_DEVICES: AudioDevices = {
  microphone: { id: '', label: '' },
  speaker: { id: '', label: '' },
  ringer: { id: '', label: '' },
  ringtone: true,
};

/** ICE servers and media timeouts, as IT sets them (`mediaPolicy`). */
export function mediaPolicySetting(store: KeyValueStore, logger: CoreLogger): StoredSetting<MediaPolicy> {
  return new StoredSetting(store, 'mediaPolicy', mediaPolicySchema, DEFAULT_MEDIA_POLICY, logger);
}

/** The agent's headset and ringer (`audioDevices`). */
export function audioDevicesSetting(store: KeyValueStore, logger: CoreLogger): StoredSetting<AudioDevices> {
  return new StoredSetting(store, 'audioDevices', audioDevicesSchema, DEFAULT_AUDIO_DEVICES, logger);
}

/** A secret store that keeps the password for this run only (web host, tests). */
export function createMemorySecretStore(initial?: string): SecretStore {
  let password = initial;
  return {
    persistent: false,
    getPassword: () => password,
    setPassword: (value) => {
      password = value;
    },
  };
}

/** A key-value store in memory (tests). */
export function createMemoryStore(initial: Record<string, unknown> = {}): KeyValueStore {
  const data = new Map(Object.entries(structuredClone(initial)));
  return {
    get: (key) => structuredClone(data.get(key)),
    set: (key, value) => {
      data.set(key, structuredClone(value));
    },
  };
}

/** The Electron shell's switches (`desktopPolicy`); read by src/main/desktop-policy.ts. */
export const desktopPolicySchema = z.object({
  /** DevTools in a packaged build (a development build always has them). */
  allowDevTools: z.boolean().default(false),
  /** Origins (`https://docs.example.com`) a link may open in the agent's browser; none by default. */
  externalLinkOrigins: z
    .array(z.url({ protocol: /^https$/ }).max(512))
    .max(32)
    .default([]),
  /**
   * What an incoming call's OS notification says, on a screen others may see:
   * `generic` "Incoming call" only (default), `name` adds the caller's name,
   * `name-and-number` also the number.
   */
  notificationText: z.enum(['generic', 'name', 'name-and-number']).default('generic'),
  /**
   * Where Windows and Linux fetch spellchecker dictionaries from (an https folder URL
   * ending in `/`, hosted by IT). Without one, spellchecking is off there rather than
   * downloading from Google's CDN; macOS uses its own spellchecker.
   */
  spellcheckDictionaryUrl: z
    .url({ protocol: /^https$/ })
    .max(512)
    .endsWith('/')
    .optional(),
});

/** The Electron shell's switches. */
export type DesktopPolicy = z.infer<typeof desktopPolicySchema>;

/** The defaults: locked down. */
export const DEFAULT_DESKTOP_POLICY: DesktopPolicy = desktopPolicySchema.parse({});

/** `desktopPolicy`: DevTools, external links, notification text, spellchecker dictionaries. */
export function desktopPolicySetting(store: KeyValueStore, logger: CoreLogger): StoredSetting<DesktopPolicy> {
  return new StoredSetting(store, 'desktopPolicy', desktopPolicySchema, DEFAULT_DESKTOP_POLICY, logger);
}

/** Days in a retention key: a number of days, `null` for "keep everything", else `fallback`. */
function daysFrom(store: KeyValueStore, key: string, fallback: number | undefined): number | undefined {
  const raw = store.get(key);
  if (raw === null) return undefined;
  const parsed = z.number().int().min(1).max(3650).safeParse(raw);
  return parsed.success ? parsed.data : fallback;
}

/**
 * The retention periods of the caller directory's stores, in days (undefined keeps
 * everything), as IT sets them:
 * - `directoryRetentionDays`: callers with no active flag and nothing newer (default:
 *   the history's `retentionDays`, so a caller's entry goes with their last call);
 * - `incidentRetentionDays`: threat incidents (default 1095, three years, for a report
 *   or a court case that comes late);
 * - `exportRetentionDays`: exported records in the export folder (default 30: an
 *   export is for handing on, not for keeping).
 */
export function retentionPeriodsFrom(store: KeyValueStore): {
  directoryDays?: number;
  incidentDays?: number;
  exportDays?: number;
} {
  const periods = {
    directoryDays: daysFrom(store, 'directoryRetentionDays', retentionDaysFrom(store)),
    incidentDays: daysFrom(store, 'incidentRetentionDays', 1095),
    exportDays: daysFrom(store, 'exportRetentionDays', 30),
  };
  return Object.fromEntries(Object.entries(periods).filter(([, days]) => days !== undefined));
}

/** `dataProtection.requireEncryption`: refuse to start when the data cannot be encrypted at rest. */
export function encryptionRequired(store: KeyValueStore): boolean {
  const raw = store.get('dataProtection');
  const parsed = z.object({ requireEncryption: z.boolean().default(false) }).safeParse(raw ?? {});
  // An unreadable value errs on the side of the data: required.
  return parsed.success ? parsed.data.requireEncryption : true;
}
