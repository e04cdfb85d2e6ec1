/**
 * Where the shared caller directory is and the agent's token for it. The address is a
 * setting (`callerDirectory` in the settings store: `{ "url": "https://…" }`), or IT's
 * `CALMLINE_DIRECTORY_URL`. The token is a secret like the SIP password: it comes from a
 * secret store (never the settings file) or IT's `CALMLINE_DIRECTORY_TOKEN`, and never
 * goes to the renderer.
 */
import { z } from 'zod';
import type { KeyValueStore } from '../settings';

/** Where the directory token lives (the host's keychain-backed store, or memory). */
export interface DirectoryTokenStore {
  get(): string | undefined;
  set(token: string): void;
}

/** A token store that keeps the token for this run only. */
export function createMemoryTokenStore(initial?: string): DirectoryTokenStore {
  let token = initial;
  return {
    get: () => token,
    set: (value) => {
      token = value === '' ? undefined : value;
    },
  };
}

const urlSchema = z
  .string()
  .url()
  .refine((value) => /^https?:\/\//.test(value), 'must be an http(s) URL');

/** The stored setting. */
export const directorySettingSchema = z.object({
  url: urlSchema,
  /** Look-up budget on ring, in ms (default 300). */
  lookupTimeoutMs: z.number().int().min(20).max(5_000).optional(),
  /** Set where the service shares wrap-up note text (CALMLINE_DIRECTORY_SHARE_NOTE_TEXT); default: notes stay on the desk. */
  shareNoteText: z.boolean().optional(),
});
export type DirectorySetting = z.infer<typeof directorySettingSchema>;

/**
 * The directory setting from the environment (IT) or the store; undefined when none is
 * configured. A malformed one is reported through `warn` and ignored (the local directory
 * is used).
 */
export function directorySettingFrom(
  store: KeyValueStore,
  env: Record<string, string | undefined> | undefined,
  warn: (message: string) => void,
): DirectorySetting | undefined {
  const raw = env?.CALMLINE_DIRECTORY_URL ? { url: env.CALMLINE_DIRECTORY_URL } : store.get('callerDirectory');
  if (raw === undefined || raw === null) return undefined;
  // An empty address (the built-in default under IT policy) means no shared directory.
  if (typeof raw === 'object' && 'url' in raw && (raw as { url: unknown }).url === '') return undefined;
  const parsed = directorySettingSchema.safeParse(raw);
  if (!parsed.success) {
    warn(`The caller directory setting is not valid and is ignored: ${parsed.error.issues[0]?.message ?? ''}`);
    return undefined;
  }
  return parsed.data;
}
