/** Renders the whole app with a fake API holding `calls`, as the call tests need it. */
import { act, screen, waitFor } from '@testing-library/react';
import { expect } from 'vitest';
import type { CallView } from '../../../src/shared/contract';
import type { SupportedLanguage } from '../../../src/renderer/src/i18n';
import {
  createFakeCalmlineApi,
  phoneState,
  type FakeCalmlineApi,
  type FakeCalmlineApiOptions,
} from './fake-calmline-api';
import { renderWithI18n } from './render-app';

/** A registration for tests that are about calls. */
export const registered = { status: 'registered', aor: 'sip:1001@pbx.example.com' } as const;

/** Renders the app with `calls` and waits until main's state is shown. */
export async function showCalls(
  calls: CallView[],
  options: Omit<FakeCalmlineApiOptions, 'state'> & { language?: SupportedLanguage } = {},
): Promise<FakeCalmlineApi> {
  const api = createFakeCalmlineApi({ ...options, state: phoneState(registered, calls) });
  window.calmline = api;
  renderWithI18n(undefined, options.language);
  await waitFor(() => expect(screen.getByTestId('registration-status').dataset.status).toBe('registered'));
  return api;
}

/** Pushes a new phone state with `calls`, as main does after a change. */
export function pushCalls(api: FakeCalmlineApi, calls: CallView[]): void {
  act(() => api.push(phoneState(registered, calls)));
}

/** Lets pending fake-API answers (microtasks) and the renders they cause finish. */
export async function settle(): Promise<void> {
  await act(async () => {
    for (let turn = 0; turn < 10; turn += 1) await Promise.resolve();
  });
}
