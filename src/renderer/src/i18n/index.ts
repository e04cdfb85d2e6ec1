/**
 * The renderer's translations: one i18next instance per window, initialised
 * synchronously so the first render already has its strings.
 */
import i18next, { type i18n } from 'i18next';
import { de } from './de';
import { en } from './en';
import { fa } from './fa';
import { nb } from './nb';

/** Languages Calmline ships strings for; each is complete (tests/unit/renderer/i18n-complete.test.ts). */
export const supportedLanguages = ['en', 'de', 'nb', 'fa'] as const;
export type SupportedLanguage = (typeof supportedLanguages)[number];

/** Used when none of the agent's preferred languages is supported. */
export const fallbackLanguage: SupportedLanguage = 'en';

// Norwegian appears as "no" (macrolanguage), "nb" (Bokmål) or "nn" (Nynorsk);
// Bokmål is the closest we have for all three.
const languageAliases: Readonly<Record<string, SupportedLanguage>> = { no: 'nb', nn: 'nb' };

/**
 * Picks the first supported language from BCP 47 tags in order of preference
 * (`navigator.languages`), matching on the primary subtag: `de-AT` gives `de`.
 */
export function pickLanguage(preferred: readonly string[]): SupportedLanguage {
  for (const tag of preferred) {
    const primary = tag.trim().toLowerCase().split(/[-_]/)[0] ?? '';
    const alias = languageAliases[primary];
    if (alias) return alias;
    const supported = supportedLanguages.find((language) => language === primary);
    if (supported) return supported;
  }
  return fallbackLanguage;
}

/** Creates and synchronously initialises a translation instance for `language`. */
export function createI18n(language: SupportedLanguage): i18n {
  const instance = i18next.createInstance();
  // No global registration (initReactI18next): components get this instance from
  // <I18nextProvider>, so tests can run several instances side by side.
  void instance.init({
    lng: language,
    fallbackLng: fallbackLanguage,
    supportedLngs: [...supportedLanguages],
    resources: {
      en: { translation: en },
      de: { translation: de },
      nb: { translation: nb },
      fa: { translation: fa },
    },
    initAsync: false,
    // React renders every value as text, so i18next must not HTML-escape it a second
    // time (a caller named "Tom & Jerry" would read "Tom &amp; Jerry").
    interpolation: { escapeValue: false },
    react: { useSuspense: false },
    returnNull: false,
  });
  return instance;
}

/**
 * Keeps `<html lang dir>` in step with the instance's language, so a right-to-left
 * language such as Persian mirrors the whole layout. Returns the unsubscribe function.
 */
export function bindDocumentLanguage(instance: i18n, root: HTMLElement): () => void {
  const apply = (language: string): void => {
    root.lang = language;
    root.dir = instance.dir(language);
  };
  apply(instance.resolvedLanguage ?? instance.language);
  instance.on('languageChanged', apply);
  return () => instance.off('languageChanged', apply);
}
