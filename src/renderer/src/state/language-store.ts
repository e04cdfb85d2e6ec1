/**
 * The renderer's store of the agent's language setting. Main holds the setting and
 * pushes `settings:language` whenever it is saved (from this window or another), so
 * every window follows; this only keeps the latest value, parsed from `unknown`.
 */
import type { CalmlineApi } from '../../../shared/api';
import { languageSettingSchema } from '../../../shared/contract';
import type { CommandErrorCode } from '../../../shared/result';
import type { LanguageChoice } from '../ui-language';
import { createMainPushedStore, type MainPushedStore } from './main-pushed-store';

/** What components read. A new object on every change. */
export interface LanguageSnapshot {
  /** The saved choice, or null until main has answered. */
  setting: LanguageChoice | null;
  /** Set when loading failed or an update could not be read; cleared by the next good one. */
  problem: CommandErrorCode | 'invalid-update' | null;
}

/** The part of the API the store needs. */
export type LanguageSource = Pick<CalmlineApi, 'getLanguage' | 'onLanguage'>;

/** A subscribable store in the shape `useSyncExternalStore` expects. */
export type LanguageStore = MainPushedStore<LanguageSnapshot>;

/** Creates a store over `source`; a slow load never overwrites a newer pushed setting. */
export function createLanguageStore(source: LanguageSource): LanguageStore {
  return createMainPushedStore<LanguageSnapshot>({
    initial: { setting: null, problem: null },
    listen: (onValue) => source.onLanguage(onValue),
    load: () => source.getLanguage(),
    accept: (snapshot, raw) => {
      const parsed = languageSettingSchema.safeParse(raw);
      return parsed.success
        ? { setting: parsed.data.language, problem: null }
        : { ...snapshot, problem: 'invalid-update' };
    },
    loadFailed: (snapshot, code) => ({ ...snapshot, problem: code }),
  });
}
