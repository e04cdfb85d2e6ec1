import { useEffect, useMemo, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import { createLanguageStore, type LanguageSnapshot, type LanguageSource } from '../state/language-store';
import { systemLanguages, uiLanguageFor } from '../ui-language';

/** The agent's saved language setting, as main pushes it (for the settings form). */
export function useLanguageSetting(source: LanguageSource): LanguageSnapshot {
  const store = useMemo(() => createLanguageStore(source), [source]);
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
}

/**
 * Shows the window in the language the agent chose: at start (once main answers)
 * and whenever the setting changes. `auto` follows the system languages, also when
 * they change while the app runs. `<html lang dir>` follows the translation
 * instance (bindDocumentLanguage), so Persian turns the layout right to left live.
 * Nothing happens without an API (the bridge-missing screen keeps the system language).
 */
export function useAppliedLanguage(source: LanguageSource | null): void {
  const { i18n } = useTranslation();
  useEffect(() => {
    if (!source) return;
    const store = createLanguageStore(source);
    const apply = () => {
      const { setting } = store.getSnapshot();
      if (setting === null) return;
      const language = uiLanguageFor(setting, systemLanguages());
      if (language !== i18n.language) void i18n.changeLanguage(language);
    };
    const stop = store.subscribe(apply);
    // The OS or browser language changed: an `auto` setting follows it (any other ignores it).
    window.addEventListener('languagechange', apply);
    return () => {
      stop();
      window.removeEventListener('languagechange', apply);
    };
  }, [source, i18n]);
}
