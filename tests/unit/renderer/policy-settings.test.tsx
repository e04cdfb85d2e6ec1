// @vitest-environment jsdom
/**
 * The settings forms under IT's policy: a locked setting says "Set by your
 * organisation" and its control is disabled (the refusal itself is main's); and the
 * Help desk section copies and saves the diagnostics bundle main builds.
 */
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeCalmlineApi, type FakeCalmlineApi } from './fake-calmline-api';
import { renderWithI18n } from './render-app';

afterEach(() => {
  cleanup();
  delete window.calmline;
});

async function openSettings(api: FakeCalmlineApi): Promise<FakeCalmlineApi> {
  window.calmline = api;
  renderWithI18n();
  fireEvent.click(screen.getByRole('button', { name: 'Settings' }));
  await screen.findByRole('form', { name: 'SIP account' });
  return api;
}

describe('locked settings', () => {
  it('disable their control and say why; the rest stays editable', async () => {
    await openSettings(
      createFakeCalmlineApi({
        handlers: { 'policy:get-locks': () => ({ managed: true, locked: ['account.sipUriTemplate', 'language'] }) },
      }),
    );
    const sipUri = screen.getByLabelText<HTMLInputElement>('SIP URI');
    await waitFor(() => expect(sipUri.disabled).toBe(true));
    const described = (sipUri.getAttribute('aria-describedby') ?? '')
      .split(' ')
      .map((id) => document.getElementById(id)?.textContent ?? '');
    expect(described.join(' ')).toContain('Set by your organisation');
    expect(screen.getByLabelText<HTMLInputElement>('WebSocket URL').disabled).toBe(false);
    expect(screen.getByLabelText<HTMLInputElement>('Password').disabled).toBe(false);
    const language = await screen.findByLabelText<HTMLSelectElement>('Language of Calmline');
    await waitFor(() => expect(language.disabled).toBe(true));
    expect(screen.getByRole('button', { name: 'Save language' })).toHaveProperty('disabled', true);
    expect(screen.getAllByTestId('locked-badge')).toHaveLength(2);
  });

  it('show no badge on an unmanaged machine', async () => {
    await openSettings(createFakeCalmlineApi());
    await screen.findByLabelText('Language of Calmline');
    expect(screen.queryAllByTestId('locked-badge')).toHaveLength(0);
  });
});

describe('Help desk', () => {
  it('copies the bundle to the clipboard and saves the file', async () => {
    const copied: string[] = [];
    Object.defineProperty(navigator, 'clipboard', {
      configurable: true,
      value: { writeText: async (text: string) => void copied.push(text) },
    });
    await openSettings(
      createFakeCalmlineApi({
        handlers: {
          'diagnostics:get': () => ({ text: '# Calmline diagnostics\nVersion: 0.1.0\n' }),
          'diagnostics:save': () => ({ path: '/home/anna/.config/Calmline/diagnostics/calmline-diagnostics.txt' }),
        },
      }),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Copy diagnostics' }));
    const status = screen.getByTestId('diagnostics-status');
    await waitFor(() => expect(status.textContent).toBe('Diagnostics copied. Paste them into your support ticket.'));
    expect(copied).toEqual(['# Calmline diagnostics\nVersion: 0.1.0\n']);
    fireEvent.click(screen.getByRole('button', { name: 'Save diagnostics file' }));
    await waitFor(() => expect(status.textContent).toContain('calmline-diagnostics.txt'));
  });

  it('says when the bundle cannot be saved', async () => {
    const api = await openSettings(createFakeCalmlineApi());
    api.refuseNext('saveDiagnostics', 'storage-unavailable');
    fireEvent.click(screen.getByRole('button', { name: 'Save diagnostics file' }));
    expect(await screen.findByText('The diagnostics could not be collected.', { exact: false })).toBeTruthy();
  });
});
