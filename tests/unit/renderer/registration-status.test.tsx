// @vitest-environment jsdom
import { act, cleanup, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Registration } from '../../../src/shared/contract';
import { createFakeCalmlineApi, phoneState, type FakeCalmlineApi } from './fake-calmline-api';
import { renderWithI18n } from './render-app';

function install(api: FakeCalmlineApi): FakeCalmlineApi {
  window.calmline = api;
  return api;
}

afterEach(() => {
  cleanup();
  delete window.calmline;
});

describe('RegistrationStatus', () => {
  const cases: [Registration, string][] = [
    [{ status: 'registered', aor: 'sip:1001@pbx.example.com' }, 'Registered as sip:1001@pbx.example.com'],
    [{ status: 'connecting' }, 'Connecting to the phone system…'],
    [{ status: 'failed', reason: '403 Forbidden' }, 'Registration failed: 403 Forbidden'],
    [{ status: 'failed', reason: '' }, 'Registration failed'],
    [{ status: 'unconfigured' }, 'No SIP account set up'],
    [{ status: 'stopped' }, 'Phone stopped'],
  ];

  it.each(cases)('says %o as "%s" in a live region', async (registration, text) => {
    const api = install(createFakeCalmlineApi({ state: phoneState({ status: 'connecting' }) }));
    renderWithI18n();
    const status = screen.getByTestId('registration-status');
    expect(status.getAttribute('role')).toBe('status');
    await waitFor(() => expect(status.dataset.status).toBe('connecting'));

    act(() => api.push(phoneState(registration)));

    // The same element stays in the page, so screen readers hear the change.
    expect(screen.getByTestId('registration-status')).toBe(status);
    expect(status.dataset.status).toBe(registration.status);
    expect(status.textContent).toBe(text);
  });

  it('shows that it is still connecting to the phone service before main answers', () => {
    install(createFakeCalmlineApi());
    renderWithI18n();
    const status = screen.getByTestId('registration-status');
    expect(status.dataset.status).toBe('loading');
    expect(status.textContent).toBe('Connecting to the phone service…');
  });

  it('shows a failure reason with markup as text', async () => {
    const reason = '<img src=x onerror=alert(1)> timeout';
    install(createFakeCalmlineApi({ state: phoneState({ status: 'failed', reason }) }));
    const { container } = renderWithI18n();
    const status = screen.getByTestId('registration-status');
    await waitFor(() => expect(status.dataset.status).toBe('failed'));
    expect(status.textContent).toBe(`Registration failed: ${reason}`);
    expect(container.querySelector('img')).toBeNull();
  });

  it('translates the status', async () => {
    install(createFakeCalmlineApi({ state: phoneState({ status: 'registered', aor: 'sip:7@pbx' }) }));
    renderWithI18n(undefined, 'de');
    const status = screen.getByTestId('registration-status');
    await waitFor(() => expect(status.textContent).toBe('Angemeldet als sip:7@pbx'));
  });
});
