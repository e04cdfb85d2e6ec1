// @vitest-environment jsdom
import { cleanup, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { CalmlineApi } from '../../../src/shared/api';
import { createFakeCalmlineApi } from './fake-calmline-api';
import { renderWithI18n } from './render-app';

afterEach(() => {
  cleanup();
  delete window.calmline;
});

describe('host bridge', () => {
  it('explains that the host bridge is missing when window.calmline is not there', () => {
    expect(window.calmline).toBeUndefined();
    renderWithI18n();
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('Calmline cannot reach the phone');
    expect(alert.textContent).toContain('host bridge');
    expect(screen.queryByTestId('registration-status')).toBeNull();
  });

  it('treats an incomplete API object as missing instead of failing later', () => {
    const { onPhoneState: _dropped, ...incomplete } = createFakeCalmlineApi();
    window.calmline = incomplete as unknown as CalmlineApi;
    renderWithI18n();
    expect(screen.getByTestId('bridge-missing')).toBeTruthy();
  });

  it('shows the phone when the API is there, and stops listening on unmount', () => {
    const api = createFakeCalmlineApi();
    window.calmline = api;
    const { unmount } = renderWithI18n();
    expect(screen.queryByTestId('bridge-missing')).toBeNull();
    expect(screen.getByTestId('registration-status')).toBeTruthy();
    // The phone screen's store and the media host (ringtone, microphone) both listen.
    expect(api.listenerCount()).toBe(2);
    unmount();
    expect(api.listenerCount()).toBe(0);
  });
});
