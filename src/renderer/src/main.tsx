/** Renderer entry: translations first, then the app into #root. */
import './zod-setup';
import './styles/app.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { App } from './App';
import { bindDocumentLanguage, createI18n, pickLanguage } from './i18n';

const i18n = createI18n(pickLanguage([...navigator.languages, navigator.language]));
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
