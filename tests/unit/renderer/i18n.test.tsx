// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { fa } from '../../../src/renderer/src/i18n/fa';
import { afterEach, describe, expect, it } from 'vitest';
import { bindDocumentLanguage, createI18n, pickLanguage } from '../../../src/renderer/src/i18n';
import { callView, createFakeCalmlineApi, phoneState } from './fake-calmline-api';
import { renderWithI18n } from './render-app';

afterEach(() => {
  cleanup();
  delete window.calmline;
  document.documentElement.lang = 'en';
  document.documentElement.dir = 'ltr';
});

describe('pickLanguage', () => {
  it.each([
    [['de-AT', 'en'], 'de'],
    [['fa-IR'], 'fa'],
    [['no'], 'nb'],
    [['nn-NO'], 'nb'],
    [['nb'], 'nb'],
    [['fr-FR', 'de'], 'de'],
    [['fr-FR'], 'en'],
    [[], 'en'],
  ])('picks from %o: %s', (preferred, expected) => {
    expect(pickLanguage(preferred)).toBe(expected);
  });
});

describe('document direction', () => {
  it('follows the language: Persian is right to left', async () => {
    const i18n = createI18n('en');
    const root = document.documentElement;
    const unbind = bindDocumentLanguage(i18n, root);
    expect(root.dir).toBe('ltr');

    await i18n.changeLanguage('fa');
    expect(root.dir).toBe('rtl');
    expect(root.lang).toBe('fa');

    await i18n.changeLanguage('nb');
    expect(root.dir).toBe('ltr');
    unbind();
    await i18n.changeLanguage('fa');
    expect(root.dir).toBe('ltr');
  });

  it('renders the first screen in Persian, its error messages too', async () => {
    const api = createFakeCalmlineApi({
      state: phoneState({ status: 'connecting' }, [callView({ remoteName: 'مریم' })]),
    });
    window.calmline = api;
    renderWithI18n(undefined, 'fa');
    const answer = await screen.findByRole('button', { name: 'پاسخ به تماس مریم' });
    expect(answer.textContent).toBe('پاسخ');
    expect(screen.getByRole('heading', { name: 'مریم' }).getAttribute('dir')).toBe('auto');
    // An agent sees their own language exactly when something goes wrong.
    api.refuseNext('answer', 'sip-error');
    fireEvent.click(answer);
    expect((await screen.findByRole('alert')).textContent).toBe(fa.errors!['sip-error']);
  });

  it('switches strings when the language setting changes', async () => {
    const api = createFakeCalmlineApi({
      state: phoneState({ status: 'stopped' }, [callView({ state: 'active' })]),
    });
    window.calmline = api;
    renderWithI18n();
    await screen.findByRole('button', { name: 'Hang up call with Erika Mustermann' });
    // The language follows main's setting, which main pushes when the agent saves it.
    act(() => api.pushLanguage({ language: 'de' }));
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Anruf mit Erika Mustermann beenden' }).textContent).toBe('Auflegen'),
    );
    expect(screen.getByTestId('registration-status').textContent).toBe('Telefon gestoppt');
  });
});
