/** Renderer entry: translations first, then the app into #root. */
import './zod-setup';
import './styles/app.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { App } from './App';
import { readHostApi } from './host-api';
import { bindDocumentLanguage, createI18n } from './i18n';
import { systemLanguages, uiLanguageFor, type LanguageChoice } from './ui-language';
import { languageSettingSchema } from '../../shared/contract';

/** How long the first paint may wait for the saved language before using the system's. */
const LANGUAGE_WAIT_MS = 300;

/**
 * The agent's saved language, asked of main before the first render so the window
 * does not flash in the system language first. `auto` if main is slow or absent.
 */
async function savedLanguage(): Promise<LanguageChoice> {
  const api = readHostApi(window);
  if (!api) return 'auto';
  const timeout = new Promise<'auto'>((resolve) => setTimeout(() => resolve('auto'), LANGUAGE_WAIT_MS));
  const answer = api.getLanguage().then(
    (result) => {
      const parsed = result.ok ? languageSettingSchema.safeParse(result.value) : undefined;
      return parsed?.success ? parsed.data.language : 'auto';
    },
    () => 'auto' as const,
  );
  return Promise.race([answer, timeout]);
}

const i18n = createI18n(uiLanguageFor(await savedLanguage(), systemLanguages()));
bindDocumentLanguage(i18n, document.documentElement);

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');

createRoot(container).render(
  <StrictMode>
    <I18nextProvider i18n={i18n}>
      <App />
    </I18nextProvider>
  </StrictMode>,
);
