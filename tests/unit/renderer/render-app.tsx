/** Renders the app the way main.tsx does, with a fresh translation instance per test. */
import { render, type RenderResult } from '@testing-library/react';
import type { ReactElement } from 'react';
import { I18nextProvider } from 'react-i18next';
import { App } from '../../../src/renderer/src/App';
import { createI18n, type SupportedLanguage } from '../../../src/renderer/src/i18n';
import '../../../src/renderer/src/zod-setup';

/**
 * Makes `languages` the system's preferred languages (jsdom says en-US). main.tsx
 * starts in the system language and the app keeps it while the setting is `auto`,
 * so a test in German needs a German system, as an agent in Germany has.
 */
export function setSystemLanguages(languages: readonly string[]): void {
  Object.defineProperty(window.navigator, 'languages', { configurable: true, get: () => [...languages] });
  Object.defineProperty(window.navigator, 'language', { configurable: true, get: () => languages[0] ?? 'en-US' });
}

/** Renders `ui` (the whole app by default) inside an i18n provider for `language`, on a system in that language. */
export function renderWithI18n(
  ui: ReactElement = <App />,
  language: SupportedLanguage = 'en',
): RenderResult & { i18n: ReturnType<typeof createI18n> } {
  setSystemLanguages([language]);
  const i18n = createI18n(language);
  const result = render(<I18nextProvider i18n={i18n}>{ui}</I18nextProvider>);
  return { ...result, i18n };
}
