// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallView } from '../../../src/shared/contract';
import { callView, createFakeCalmlineApi, phoneState, type FakeCalmlineApi } from './fake-calmline-api';
import { renderWithI18n } from './render-app';

const registered = { status: 'registered', aor: 'sip:1001@pbx.example.com' } as const;

/** Renders the app with `calls` and waits until main's state is shown. */
async function showCalls(calls: CallView[]): Promise<FakeCalmlineApi> {
  const api = createFakeCalmlineApi({ state: phoneState(registered, calls) });
  window.calmline = api;
  renderWithI18n();
  await waitFor(() => expect(screen.getByTestId('registration-status').dataset.status).toBe('registered'));
  return api;
}

afterEach(() => {
  cleanup();
  delete window.calmline;
});

describe('CallPanel', () => {
  it('shows a ringing call with the caller, the state and Answer / Decline named for the caller', async () => {
    await showCalls([callView({ id: 'c7' })]);
    const panel = screen.getByTestId('call-c7');
    expect(panel.dataset.state).toBe('ringing');
    expect(screen.getByRole('region', { name: 'Call with Erika Mustermann' })).toBe(panel);

    const name = within(panel).getByRole('heading', { name: 'Erika Mustermann' });
    expect(name.getAttribute('dir')).toBe('auto');
    expect(within(panel).getByText('+49 30 1234567')).toBeTruthy();
    // The ring timer stands in for "Ringing…" (rule P1, docs/practice.md); ring-timer.test.tsx checks its count.
    expect(within(panel).getByRole('timer').textContent).toMatch(/^Ringing for \d+:\d\d(:\d\d)?$/);

    const answer = within(panel).getByRole('button', { name: 'Answer call from Erika Mustermann' });
    const decline = within(panel).getByRole('button', {
      name: 'Decline call from Erika Mustermann',
    });
    expect(answer.textContent).toBe('Answer');
    expect(decline.textContent).toBe('Decline');
    expect(within(panel).queryByRole('button', { name: /Hang up/ })).toBeNull();
  });

  it('answers the call it belongs to, once even when clicked twice', async () => {
    const api = await showCalls([callView({ id: 'first', remoteName: 'Ola Nordmann' }), callView({ id: 'second' })]);
    const answer = screen.getByRole('button', { name: 'Answer call from Erika Mustermann' });
    fireEvent.click(answer);
    fireEvent.click(answer);
    await waitFor(() => expect(api.sent).toEqual([{ command: 'answer', args: ['second'] }]));
  });

  it('declines a ringing call', async () => {
    const api = await showCalls([callView({ id: 'c1' })]);
    fireEvent.click(screen.getByRole('button', { name: 'Decline call from Erika Mustermann' }));
    await waitFor(() => expect(api.sent).toEqual([{ command: 'decline', args: ['c1'] }]));
  });

  it('offers Hang up and no longer Answer or Decline once the call is active', async () => {
    const api = await showCalls([callView({ id: 'c1' })]);
    act(() => api.push(phoneState(registered, [callView({ id: 'c1', state: 'active', answeredAt: 1 })])));
    const panel = screen.getByTestId('call-c1');
    expect(panel.dataset.state).toBe('active');
    expect(within(panel).getByText('In call')).toBeTruthy();
    expect(within(panel).queryByRole('button', { name: /^Answer/ })).toBeNull();
    expect(within(panel).queryByRole('button', { name: /^Decline/ })).toBeNull();

    const hangUp = within(panel).getByRole('button', {
      name: 'Hang up call with Erika Mustermann',
    });
    expect(hangUp.textContent).toBe('Hang up');
    fireEvent.click(hangUp);
    await waitFor(() => expect(api.sent).toEqual([{ command: 'hangUp', args: ['c1'] }]));
  });

  it('offers Hang up while dialing out, and no Answer for an outgoing call', async () => {
    await showCalls([callView({ id: 'out', direction: 'outgoing', state: 'dialing', remoteName: 'Support' })]);
    const dialing = screen.getByTestId('call-out');
    expect(within(dialing).getByText('Calling…')).toBeTruthy();
    expect(within(dialing).getByRole('button', { name: 'Hang up call with Support' })).toBeTruthy();
    expect(within(dialing).queryByRole('button', { name: /^(Answer|Decline)/ })).toBeNull();
  });

  it('shows the number when the caller sent no name, and "Unknown caller" when neither', async () => {
    await showCalls([
      callView({ id: 'n', remoteName: '', remoteNumber: '0301234' }),
      callView({ id: 'u', remoteName: '', remoteNumber: '' }),
    ]);
    const numberOnly = screen.getByTestId('call-n');
    expect(within(numberOnly).getByRole('heading').textContent).toBe('0301234');
    expect(within(numberOnly).getByRole('button', { name: 'Answer call from 0301234' })).toBeTruthy();
    const unknown = screen.getByTestId('call-u');
    expect(within(unknown).getByRole('heading').textContent).toBe('Unknown caller');
    expect(within(unknown).getByRole('button', { name: 'Answer call from Unknown caller' })).toBeTruthy();
  });

  it('renders a hostile name as capped plain text', async () => {
    const hostile = `<img src=x onerror=alert(1)>\u202E${'A'.repeat(10_000)}`;
    await showCalls([callView({ id: 'h', remoteName: hostile })]);
    const panel = screen.getByTestId('call-h');
    const name = within(panel).getByRole('heading');

    expect(document.body.querySelector('img')).toBeNull();
    const text = name.textContent ?? '';
    expect(text.startsWith('<img src=x onerror=alert(1)>')).toBe(true);
    expect(text).not.toContain('\u202E');
    expect([...text].length).toBeLessThanOrEqual(64);
    // The accessible names are built from the same capped text.
    const answer = within(panel).getByRole('button', { name: /^Answer call from / });
    expect((answer.getAttribute('aria-label') ?? '').length).toBeLessThan(100);
  });

  it('shows a refused command as a translated alert in the call panel', async () => {
    const api = await showCalls([callView({ id: 'c1' })]);
    api.refuseNext('answer', 'call-not-found');
    const panel = screen.getByTestId('call-c1');
    fireEvent.click(within(panel).getByRole('button', { name: /^Answer/ }));
    const alert = await within(panel).findByRole('alert');
    expect(alert.textContent).toBe('This call no longer exists. It may have just ended.');
  });

  it('falls back to a generic text for an error code this build does not know', async () => {
    const api = await showCalls([callView({ id: 'c1' })]);
    api.answer = async () => ({
      ok: false,
      error: { code: 'from-the-future' as 'internal', message: 'newer main' },
    });
    fireEvent.click(screen.getByRole('button', { name: /^Answer/ }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('That did not work. Please try again.');
  });

  it('shows a host that throws as an internal error and lets the agent try again', async () => {
    const api = await showCalls([callView({ id: 'c1' })]);
    const original = api.answer;
    api.answer = () => Promise.reject(new Error('bridge closed'));
    fireEvent.click(screen.getByRole('button', { name: /^Answer/ }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'Something went wrong inside Calmline. Please try again.',
    );
    api.answer = original;
    fireEvent.click(screen.getByRole('button', { name: /^Answer/ }));
    await waitFor(() => expect(screen.queryByRole('alert')).toBeNull());
  });

  it('moves an ended call to the recently ended list and keeps it there after main drops it', async () => {
    const api = await showCalls([callView({ id: 'c1' })]);
    act(() =>
      api.push(
        phoneState(registered, [
          callView({
            id: 'c1',
            state: 'ended',
            endedAt: Date.UTC(2025, 0, 6, 9, 31),
            endReason: 'caller-cancelled',
          }),
        ]),
      ),
    );
    expect(screen.queryByTestId('call-c1')).toBeNull();
    expect(screen.getByText('No calls right now.')).toBeTruthy();
    act(() => api.push(phoneState(registered, [])));

    const recent = screen.getByTestId('recent-call-c1');
    expect(recent.dataset.endReason).toBe('caller-cancelled');
    expect(within(recent).getByText('Erika Mustermann')).toBeTruthy();
    expect(within(recent).getByText('+49 30 1234567')).toBeTruthy();
    expect(within(recent).getByText('Missed: the caller hung up before it was answered')).toBeTruthy();
  });

  it('keeps the last good state and says so when main sends something unreadable', async () => {
    const api = await showCalls([callView({ id: 'c1' })]);
    act(() => api.push({ registration: { status: 'bogus' }, calls: 7 } as never));
    expect((await screen.findByRole('alert')).textContent).toContain('could not read');
    expect(screen.getByTestId('call-c1').dataset.state).toBe('ringing');
  });

  it('announces an incoming call for screen readers', async () => {
    await showCalls([callView({ id: 'c1' })]);
    const announcement = screen.getByTestId('call-announcement');
    expect(announcement.getAttribute('aria-live')).toBe('assertive');
    expect(announcement.textContent).toBe('Incoming call from Erika Mustermann');
  });
});
