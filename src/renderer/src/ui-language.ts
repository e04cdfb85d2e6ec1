/**
 * Which language the window shows, from the agent's language setting (plain code,
 * no React): `auto` follows the system's preferred languages, anything else wins.
 */
import type { LanguageSetting } from '../../shared/contract';
import { pickLanguage, type SupportedLanguage } from './i18n';

/** One of the setting's choices: `auto` or a supported language. */
export type LanguageChoice = LanguageSetting['language'];

/**
 * Each language named in its own language, so an agent who cannot read the current
 * one still finds theirs. These are never translated.
 */
export const nativeLanguageNames: Readonly<Record<SupportedLanguage, string>> = {
  en: 'English',
  de: 'Deutsch',
  nb: 'Norsk bokmål',
  fa: 'فارسی',
};

/** The system's preferred languages, best first (the OS locale in Electron, the browser's otherwise). */
export function systemLanguages(): string[] {
  return [...navigator.languages, navigator.language];
}

/** The language to show for `choice`, given the system's preferred languages. */
export function uiLanguageFor(choice: LanguageChoice, preferred: readonly string[]): SupportedLanguage {
  return choice === 'auto' ? pickLanguage(preferred) : choice;
}
