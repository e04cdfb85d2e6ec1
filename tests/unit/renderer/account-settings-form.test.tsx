// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeCalmlineApi, phoneState, type FakeCalmlineApi } from './fake-calmline-api';
import { renderWithI18n } from './render-app';

afterEach(() => {
  cleanup();
  delete window.calmline;
});

/** Renders the app, opens Settings and waits for the saved account to load. */
async function openSettings(api: FakeCalmlineApi = createFakeCalmlineApi()) {
  window.calmline = api;
  renderWithI18n();
  const toggle = screen.getByRole('button', { name: 'Settings' });
  expect(toggle.getAttribute('aria-expanded')).toBe('false');
  fireEvent.click(toggle);
  expect(toggle.getAttribute('aria-expanded')).toBe('true');
  await screen.findByRole('form', { name: 'SIP account' });
  return api;
}

function field(label: string): HTMLInputElement {
  return screen.getByLabelText(label);
}

function type(label: string, value: string): void {
  fireEvent.change(field(label), { target: { value } });
}

function describedText(input: HTMLElement): string {
  return (input.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .filter(Boolean)
    .map((id) => document.getElementById(id)?.textContent ?? '')
    .join(' | ');
}

describe('AccountSettingsForm', () => {
  it('loads the saved account and never shows the password', async () => {
    await openSettings();
    expect(field('WebSocket URL').value).toBe('wss://pbx.example.com:8089/ws');
    expect(field('SIP URI').value).toBe('sip:1001@pbx.example.com');
    expect(field('Display name').value).toBe('Agent 1001');
    const password = field('Password');
    expect(password.type).toBe('password');
    expect(password.value).toBe('');
    expect(password.placeholder).toBe('unchanged');
    expect(password.getAttribute('autocomplete')).toBe('off');
  });

  it('marks a bad URL and URI invalid, says why, and sends nothing', async () => {
    const api = await openSettings();
    type('WebSocket URL', 'https://pbx.example.com');
    type('SIP URI', 'alice at example');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));

    const url = field('WebSocket URL');
    const uri = field('SIP URI');
    expect(url.getAttribute('aria-invalid')).toBe('true');
    expect(describedText(url)).toContain('Enter a URL that starts with ws:// or wss://.');
    expect(uri.getAttribute('aria-invalid')).toBe('true');
    expect(describedText(uri)).toContain('Enter a SIP URI like sip:user@host.');
    expect(field('Display name').getAttribute('aria-invalid')).toBeNull();
    expect(document.activeElement).toBe(url);

    // Fixing a field clears its error at once.
    type('WebSocket URL', 'ws://10.0.0.5:8088/ws');
    expect(url.getAttribute('aria-invalid')).toBeNull();
    expect(describedText(url)).not.toContain('Enter a URL');
    await Promise.resolve();
    expect(api.sent).toEqual([]);
  });

  it('saves correct input, keeping the stored password when the field is left empty', async () => {
    const api = await openSettings();
    type('WebSocket URL', ' wss://pbx2.example.com/ws ');
    type('SIP URI', 'sip:2002@pbx2.example.com');
    type('Display name', 'Erika');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));

    await waitFor(() => expect(screen.getByTestId('account-save-status').textContent).toBe('Saved'));
    expect(api.sent).toHaveLength(1);
    const sent = api.sent[0];
    expect(sent?.command).toBe('saveAccount');
    if (sent?.command !== 'saveAccount') return;
    expect(sent.args[0]).toEqual({
      wsUrl: 'wss://pbx2.example.com/ws',
      sipUri: 'sip:2002@pbx2.example.com',
      displayName: 'Erika',
      password: undefined,
    });
    expect(sent.args[0].password).toBeUndefined();
  });

  it('sends a new password when one is typed, and an empty one for "No password"', async () => {
    const api = await openSettings();
    type('Password', 's3cret');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(api.sent).toHaveLength(1));

    fireEvent.click(screen.getByLabelText('No password (the server does not ask for one)'));
    expect(field('Password').disabled).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(api.sent).toHaveLength(2));

    const passwords = api.sent.map((sent) => (sent.command === 'saveAccount' ? sent.args[0].password : 'not a save'));
    expect(passwords).toEqual(['s3cret', '']);
    // The account has no password now, so the field no longer says "unchanged".
    await waitFor(() => expect(field('Password').placeholder).toBe(''));
  });

  it('shows a refusal from main as an alert', async () => {
    const api = await openSettings();
    api.refuseNext('saveAccount', 'invalid-payload');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe(
      'The settings were not saved. The phone service refused the request because some details were not valid.',
    );
    expect(screen.getByTestId('account-save-status').textContent).toBe('');
  });

  it('opens by itself while no account is set up, and closes on request', async () => {
    window.calmline = createFakeCalmlineApi({
      state: phoneState({ status: 'unconfigured' }),
      account: { wsUrl: '', sipUri: '', displayName: '', hasPassword: false },
    });
    renderWithI18n();
    await screen.findByRole('form', { name: 'SIP account' });
    expect(field('Password').placeholder).toBe('');
    fireEvent.click(screen.getByRole('button', { name: 'Close settings' }));
    expect(screen.queryByRole('form', { name: 'SIP account' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Settings' }).getAttribute('aria-expanded')).toBe('false');
  });
});
