// @vitest-environment jsdom
/** Ring timer (rule P1) and greeting prompt (rule P2) of docs/practice.md, on fake time. */
import { act, cleanup, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GREETING_PROMPT_MS } from '../../../src/renderer/src/call-controls';
import { callView, createFakeCalmlineApi, phoneState } from './fake-calmline-api';
import { renderWithI18n } from './render-app';
import { pushCalls, registered, settle } from './show-calls';
import type { SupportedLanguage } from '../../../src/renderer/src/i18n';

const START = Date.UTC(2025, 0, 6, 9, 30);

beforeEach(() => {
  // Only the clock and intervals are fake; promises and timeouts stay real.
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'], now: START });
});

afterEach(() => {
  vi.useRealTimers();
  cleanup();
  delete window.calmline;
});

async function ring(language: SupportedLanguage = 'en') {
  const api = createFakeCalmlineApi({
    state: phoneState(registered, [callView({ id: 'c1', offeredAt: START })]),
  });
  window.calmline = api;
  renderWithI18n(undefined, language);
  await settle();
  return api;
}

const advance = (ms: number) => act(() => vi.advanceTimersByTime(ms));

describe('ring timer', () => {
  it('counts up every second while the call rings', async () => {
    await ring();
    const timer = screen.getByRole('timer');
    expect(timer.textContent).toBe('Ringing for 0:00');
    advance(1_000);
    expect(timer.textContent).toBe('Ringing for 0:01');
    advance(6_000);
    expect(timer.textContent).toBe('Ringing for 0:07');
    advance(60_000);
    expect(timer.textContent).toBe('Ringing for 1:07');
  });

  it('is not a live region that reads every tick', async () => {
    await ring();
    const timer = screen.getByRole('timer');
    // role="timer" is aria-live="off" by default; nothing overrides it.
    expect(timer.getAttribute('aria-live')).toBeNull();
  });

  it('stops when the call is answered, and a greeting prompt shows for a while', async () => {
    const api = await ring();
    advance(4_000);
    pushCalls(api, [callView({ id: 'c1', state: 'active', offeredAt: START, answeredAt: Date.now() })]);
    expect(screen.queryByRole('timer')).toBeNull();
    const greeting = screen.getByTestId('greeting-prompt');
    expect(greeting.textContent).toBe('Greet: “Thank you for calling, my name is …”');
    advance(GREETING_PROMPT_MS - 1_000);
    expect(screen.getByTestId('greeting-prompt')).toBe(greeting);
    advance(1_000);
    expect(screen.queryByTestId('greeting-prompt')).toBeNull();
  });

  it('shows no greeting for a call the agent placed', async () => {
    const api = await ring();
    pushCalls(api, [callView({ id: 'out', direction: 'outgoing', state: 'active', answeredAt: Date.now() })]);
    expect(screen.queryByTestId('greeting-prompt')).toBeNull();
  });

  it.each([
    ['de', 'Klingelt seit 0:07'],
    ['nb', 'Har ringt i 0:07'],
    ['fa', 'زنگ می‌خورد: ۰:۰۷'],
  ] as const)('speaks %s (Persian with its own digits)', async (language, text) => {
    await ring(language);
    advance(7_000);
    expect(screen.getByRole('timer').textContent).toBe(text);
  });
});
