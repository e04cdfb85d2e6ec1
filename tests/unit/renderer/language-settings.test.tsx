// @vitest-environment jsdom
/**
 * The language setting: each language named in its own language, saved in main,
 * and applied to the window at start and on every change, with `<html lang dir>`
 * following (Persian turns the layout right to left without a reload).
 */
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { bindDocumentLanguage } from '../../../src/renderer/src/i18n';
import { uiLanguageFor } from '../../../src/renderer/src/ui-language';
import { createFakeCalmlineApi, type FakeCalmlineApi } from './fake-calmline-api';
import { renderWithI18n, setSystemLanguages } from './render-app';

let unbind: (() => void) | undefined;

afterEach(() => {
  cleanup();
  unbind?.();
  unbind = undefined;
  delete window.calmline;
  document.documentElement.lang = 'en';
  document.documentElement.dir = 'ltr';
});

const root = document.documentElement;

/** Renders the app as main.tsx does (document bound to the translations) and opens Settings. */
async function openSettings(api: FakeCalmlineApi = createFakeCalmlineApi()) {
  window.calmline = api;
  const rendered = renderWithI18n();
  unbind = bindDocumentLanguage(rendered.i18n, root);
  fireEvent.click(screen.getByRole('button', { name: 'Settings' }));
  await screen.findByRole('form', { name: 'Language' });
  return api;
}

const languageSelect = () => screen.getByRole('combobox', { name: 'Language of Calmline' }) as HTMLSelectElement;
const persianLanguageSelect = () => screen.getByRole('combobox', { name: 'زبان Calmline' }) as HTMLSelectElement;

describe('LanguageSettings', () => {
  it('names each language in its own language, after the system language', async () => {
    await openSettings();
    const select = languageSelect();
    expect(select.value).toBe('auto');
    expect([...select.options].map((option) => [option.value, option.textContent, option.lang])).toEqual([
      ['auto', 'System language (English)', ''],
      ['en', 'English', 'en'],
      ['de', 'Deutsch', 'de'],
      ['nb', 'Norsk bokmål', 'nb'],
      ['fa', 'فارسی', 'fa'],
    ]);
    const hint = document.getElementById(select.getAttribute('aria-describedby') ?? '');
    expect(hint?.textContent).toBe('“System language” follows the language of your computer.');
  });

  it('saves Persian and turns the window right to left at once, keeping focus on Save', async () => {
    const api = await openSettings();
    fireEvent.change(languageSelect(), { target: { value: 'fa' } });
    // Choosing alone changes nothing: the agent may still be moving through the list.
    expect(root.dir).toBe('ltr');
    expect(api.sentNames()).not.toContain('saveLanguage');

    const save = screen.getByRole('button', { name: 'Save language' });
    save.focus();
    fireEvent.click(save);
    await waitFor(() => expect(root.dir).toBe('rtl'));
    expect(root.lang).toBe('fa');
    expect(api.sent).toContainEqual({ command: 'saveLanguage', args: [{ language: 'fa' }] });
    expect(screen.getByRole('button', { name: 'تنظیمات' })).toBeTruthy();
    expect(screen.getByRole('form', { name: 'زبان' })).toBeTruthy();
    // Main pushes the new setting before it answers the save: "saved" may come a moment later.
    await waitFor(() => expect(screen.getByTestId('language-save-status').textContent).toBe('زبان ذخیره شد.'));
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'ذخیرهٔ زبان' }));
    expect(persianLanguageSelect().value).toBe('fa');

    // Back to the system language (English here): left to right again.
    fireEvent.change(persianLanguageSelect(), { target: { value: 'auto' } });
    fireEvent.click(screen.getByRole('button', { name: 'ذخیرهٔ زبان' }));
    await waitFor(() => expect(root.dir).toBe('ltr'));
    expect(root.lang).toBe('en');
    await waitFor(() => expect(screen.getByTestId('language-save-status').textContent).toBe('Language saved.'));
  });

  it('starts in the saved language, whatever the system prefers', async () => {
    window.calmline = createFakeCalmlineApi({ languageSetting: { language: 'nb' } });
    const { i18n } = renderWithI18n(undefined, 'en');
    unbind = bindDocumentLanguage(i18n, root);
    expect(await screen.findByRole('button', { name: 'Innstillinger' })).toBeTruthy();
    expect(root.lang).toBe('nb');
    expect(root.dir).toBe('ltr');
  });

  it('follows a setting saved in another window, and on "auto" the system language as it changes', async () => {
    const api = await openSettings();
    act(() => api.pushLanguage({ language: 'de' }));
    await screen.findByRole('button', { name: 'Einstellungen' });
    expect((screen.getByRole('combobox', { name: 'Sprache von Calmline' }) as HTMLSelectElement).value).toBe('de');

    setSystemLanguages(['fa-IR', 'en']);
    act(() => api.pushLanguage({ language: 'auto' }));
    await waitFor(() => expect(root.dir).toBe('rtl'));

    // The OS language changes while the app runs: "auto" follows it.
    setSystemLanguages(['nn-NO']);
    act(() => window.dispatchEvent(new Event('languagechange')));
    await waitFor(() => expect(root.lang).toBe('nb'));
    expect(root.dir).toBe('ltr');

    // A language the agent chose stays, whatever the system does.
    act(() => api.pushLanguage({ language: 'en' }));
    await waitFor(() => expect(root.lang).toBe('en'));
    setSystemLanguages(['de-DE']);
    act(() => window.dispatchEvent(new Event('languagechange')));
    expect(root.lang).toBe('en');
  });

  it('says when the language was not saved, and keeps the current one', async () => {
    const api = await openSettings();
    api.refuseNext('saveLanguage', 'internal');
    fireEvent.change(languageSelect(), { target: { value: 'fa' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save language' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe(
      'The language was not saved. Something went wrong inside Calmline. Please try again.',
    );
    expect(root.dir).toBe('ltr');
    expect(screen.getByTestId('language-save-status').textContent).toBe('');
    // What the agent picked stays picked, ready to try again.
    expect(languageSelect().value).toBe('fa');
  });

  it('ignores a setting from main it cannot read', async () => {
    const api = await openSettings();
    act(() => api.pushLanguage({ language: 'tlh' } as never));
    await screen.findByRole('alert');
    expect(root.lang).toBe('en');
    expect(screen.getByRole('button', { name: 'Settings' })).toBeTruthy();
  });
});

describe('uiLanguageFor', () => {
  it('follows the system on auto, and the choice otherwise', () => {
    expect(uiLanguageFor('auto', ['de-AT', 'en'])).toBe('de');
    expect(uiLanguageFor('auto', ['fr-FR'])).toBe('en');
    expect(uiLanguageFor('fa', ['de-AT'])).toBe('fa');
  });
});
