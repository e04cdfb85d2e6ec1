// @vitest-environment jsdom
/** Wrap-up, the break offer, the break itself, reminders, the call-length hint and storage notices. */
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { workCalls } from '../../../src/renderer/src/components/PhoneScreen';
import { callView, createFakeCalmlineApi, phoneState, workspaceView } from './fake-calmline-api';
import { renderWithI18n } from './render-app';
import { settle, showCalls } from './show-calls';

const NOW = Date.UTC(2025, 0, 6, 9, 30);

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'], now: NOW });
});

afterEach(() => {
  vi.useRealTimers();
  cleanup();
  delete window.calmline;
});

const advance = (ms: number) => act(() => vi.advanceTimersByTime(ms));
const ended = () =>
  callView({
    id: 'c1',
    state: 'ended',
    answeredAt: NOW - 60_000,
    endedAt: NOW,
    endReason: 'local-hangup',
    endedBy: 'agent',
  });
const wrapping = (deadline = NOW + 45_000) =>
  workspaceView({
    status: 'wrap-up',
    acceptingCalls: true,
    wrapUp: { callId: 'c1', deadline, outcome: null, note: '' },
    prompt: {
      kind: 'thank-you',
      callId: 'c1',
      text: { en: 'Thank you for calling, and for giving us the chance to help.', de: 'Vielen Dank für Ihren Anruf.' },
    },
  });

describe('wrap-up', () => {
  it('shows the caller, the thank-you prompt and the time left, and needs an outcome to finish', async () => {
    const api = await showCalls([ended()], { workspace: wrapping() });
    const panel = await screen.findByTestId('wrap-up');
    expect(within(panel).getByRole('heading').textContent).toBe('Wrap-up: Erika Mustermann');
    expect(within(panel).getByTestId('thank-you-prompt').textContent).toBe(
      'Did you thank the caller? Thank you for calling, and for giving us the chance to help.',
    );
    const timer = within(panel).getByRole('timer');
    expect(timer.textContent).toBe('0:45 left for wrap-up');
    advance(5_000);
    expect(timer.textContent).toBe('0:40 left for wrap-up');

    fireEvent.click(within(panel).getByRole('button', { name: 'Finish wrap-up' }));
    expect(within(panel).getByText('Choose how the call ended.')).toBeTruthy();
    expect(document.activeElement).toBe(within(panel).getByRole('radio', { name: 'Resolved' }));
    expect(api.sentNames()).not.toContain('completeWrapUp');

    fireEvent.click(within(panel).getByRole('radio', { name: 'Follow-up needed' }));
    fireEvent.change(within(panel).getByLabelText('Wrap-up note (optional)'), {
      target: { value: ' Refund promised ' },
    });
    fireEvent.click(within(panel).getByRole('button', { name: 'Finish wrap-up' }));
    await waitFor(() =>
      expect(api.sent).toContainEqual({
        command: 'completeWrapUp',
        args: [{ outcome: 'follow-up', note: 'Refund promised' }],
      }),
    );
  });

  it("says when the time is up, and the prompt in the agent's language", async () => {
    await showCalls([ended()], { workspace: wrapping(NOW - 1), language: 'de' });
    const panel = await screen.findByTestId('wrap-up');
    expect(within(panel).getByTestId('thank-you-prompt').textContent).toContain('Vielen Dank für Ihren Anruf.');
    expect(within(panel).getByRole('timer').textContent).not.toMatch(/\d:\d\d/);
  });

  it('keeps the caller card and the notes of the call in wrap-up', async () => {
    await showCalls([ended()], { workspace: wrapping() });
    await screen.findByTestId('wrap-up');
    expect(screen.getByTestId('caller-card').dataset.callId).toBe('c1');
    expect(screen.getByTestId('notes-pad')).toBeTruthy();
  });
});

describe('break offer and break', () => {
  it('offers a de-escalation break after a flagged call: take it, or not now', async () => {
    const api = await showCalls([], {
      workspace: workspaceView({ breakOffer: { reason: 'flagged-call', callId: 'c1', minutes: 5 } }),
    });
    const offer = await screen.findByTestId('break-offer');
    expect(offer.textContent).toContain('That was a difficult call.');
    fireEvent.click(within(offer).getByRole('button', { name: 'Not now' }));
    await waitFor(() => expect(api.sentNames()).toContain('declineBreakOffer'));
    fireEvent.click(within(offer).getByRole('button', { name: 'Take a 5-minute break' }));
    await waitFor(() => expect(api.sent).toContainEqual({ command: 'startBreak', args: ['de-escalation'] }));
  });

  it('shows the break full-width: the time left, the phone unavailable, the breathing guide and one End break', async () => {
    const api = await showCalls([], {
      workspace: workspaceView({
        status: 'on-break',
        acceptingCalls: false,
        activeBreak: { kind: 'de-escalation', startedAt: NOW, endsAt: NOW + 5 * 60_000, overrun: false },
      }),
    });
    const panel = await screen.findByTestId('break-panel');
    expect(document.activeElement).toBe(within(panel).getByRole('heading', { name: 'On a break' }));
    expect(within(panel).getByTestId('break-unavailable').textContent).toContain('Your phone is unavailable');
    expect(screen.getByTestId('availability').textContent).toBe('Your status: On a break: phone unavailable');
    expect(within(panel).getByRole('timer').textContent).toBe('5:00 left');
    // No calls, no caller card, no Take a break while on one.
    expect(screen.queryByRole('heading', { name: 'Calls' })).toBeNull();
    expect(screen.queryByTestId('caller-card')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Take a break' })).toBeNull();

    const guide = panel.querySelector('.breathing') as HTMLElement;
    expect(guide.dataset.phase).toBe('in');
    expect(guide.textContent).toContain('Breathe in… (4 seconds)');
    advance(4_000);
    expect(guide.dataset.phase).toBe('out');
    expect(guide.textContent).toContain('Breathe out… (6 seconds)');
    advance(6_000);
    expect(guide.dataset.phase).toBe('in');

    advance(5 * 60_000);
    expect(within(panel).getByRole('timer').textContent).toBe('Take your time; end the break when you are ready.');
    expect(
      within(panel)
        .getAllByRole('button')
        .map((button) => button.textContent),
    ).toEqual(['End break']);
    fireEvent.click(within(panel).getByRole('button', { name: 'End break' }));
    await waitFor(() => expect(api.sentNames()).toContain('endBreak'));

    act(() => api.pushWorkspace(workspaceView()));
    await settle();
    expect(screen.queryByTestId('break-panel')).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Take a break' }));
  });

  it("names the seconds of the one breathing rhythm in the agent's language and digits", async () => {
    await showCalls([], {
      language: 'fa',
      workspace: workspaceView({
        status: 'on-break',
        acceptingCalls: false,
        activeBreak: { kind: 'de-escalation', startedAt: NOW, endsAt: NOW + 5 * 60_000, overrun: false },
      }),
    });
    const guide = (await screen.findByTestId('break-panel')).querySelector('.breathing') as HTMLElement;
    expect(guide.textContent).toContain('دم… (۴ ثانیه)');
    advance(4_000);
    expect(guide.textContent).toContain('بازدم… (۶ ثانیه)');
  });

  it('starts a regular break from the header when available', async () => {
    const api = await showCalls([]);
    fireEvent.click(await screen.findByRole('button', { name: 'Take a break' }));
    await waitFor(() => expect(api.sent).toContainEqual({ command: 'startBreak', args: ['regular'] }));
  });
});

describe('reminders, the call-length hint and storage notices', () => {
  it('shows a reminder with Snooze', async () => {
    const api = await showCalls([], {
      workspace: workspaceView({
        reminders: [
          { kind: 'eye-rest', status: 'shown', dueAt: NOW, lengthSeconds: 20, endsAt: null },
          { kind: 'regular-break', status: 'waiting', dueAt: NOW + 1, lengthSeconds: 300, endsAt: null },
        ],
      }),
    });
    const banner = await screen.findByTestId('reminder-eye-rest');
    expect(banner.textContent).toContain('Rest your eyes: look away from the screen for 20 seconds.');
    expect(screen.queryByTestId('reminder-regular-break')).toBeNull();
    // An eye rest needs no break: Snooze is its only action.
    expect(
      within(banner)
        .getAllByRole('button')
        .map((button) => button.textContent),
    ).toEqual(['Snooze']);
    fireEvent.click(within(banner).getByRole('button', { name: 'Snooze the eye-rest reminder' }));
    await waitFor(() => expect(api.sent).toContainEqual({ command: 'snoozeReminder', args: ['eye-rest'] }));
  });

  it('starts a regular break from the regular-break reminder in one step', async () => {
    const api = await showCalls([], {
      workspace: workspaceView({
        reminders: [{ kind: 'regular-break', status: 'shown', dueAt: NOW, lengthSeconds: 300, endsAt: null }],
      }),
    });
    const banner = await screen.findByTestId('reminder-regular-break');
    expect(banner.textContent).toContain('Time for a regular break: stand up and stretch your legs.');
    expect(
      within(banner)
        .getAllByRole('button')
        .map((button) => button.textContent),
    ).toEqual(['Take a break now', 'Snooze']);

    api.refuseNext('startBreak', 'invalid-transition');
    fireEvent.click(within(banner).getByRole('button', { name: 'Take a break now' }));
    expect((await within(banner).findByRole('alert')).textContent).toBe(
      'The break did not start. The call cannot do that right now. It may have just changed.',
    );
    fireEvent.click(within(banner).getByRole('button', { name: 'Take a break now' }));
    await waitFor(() =>
      expect(api.sent.filter((entry) => entry.command === 'startBreak')).toEqual([
        { command: 'startBreak', args: ['regular'] },
        { command: 'startBreak', args: ['regular'] },
      ]),
    );
    await waitFor(() => expect(within(banner).queryByRole('alert')).toBeNull());
    // Main pauses the reminders once the break runs: the banner gives way to the break panel.
    act(() =>
      api.pushWorkspace(
        workspaceView({
          status: 'on-break',
          acceptingCalls: false,
          activeBreak: { kind: 'regular', startedAt: NOW, endsAt: NOW + 5 * 60_000, overrun: false },
          reminders: [{ kind: 'regular-break', status: 'paused', dueAt: null, lengthSeconds: 300, endsAt: null }],
        }),
      ),
    );
    expect(screen.queryByTestId('reminder-regular-break')).toBeNull();
    expect(screen.getByTestId('break-panel')).toBeTruthy();
  });

  it('tells the agent a long call is one step from escalation, next to the Escalate button', async () => {
    const call = callView({ id: 'c1', state: 'active', answeredAt: 1 });
    // The core allows Escalate: its policy names a supervisor.
    await showCalls([{ ...call, allowed: { ...call.allowed, escalate: true } }], {
      policy: { escalationTarget: '2999' },
      workspace: workspaceView({ status: 'in-call', callLengthHint: { callId: 'c1', minutes: 15 } }),
    });
    const hint = await screen.findByTestId('call-length-hint');
    expect(hint.textContent).toBe('This call has passed 15 minutes. Escalation is one step away.');
    const escalate = await screen.findByRole('button', {
      name: 'Escalate call with Erika Mustermann to your supervisor',
    });
    expect(escalate.getAttribute('aria-describedby')).toBe(hint.id);
  });

  it('names the file kept aside, and can be dismissed', async () => {
    const api = await showCalls([], {
      notices: [
        {
          code: 'file-kept-aside',
          file: 'agent-data/callers/17.json',
          keptAs: 'agent-data/callers/17.json.corrupt-20250106T093000',
          reason: 'invalid JSON',
          recovered: 0,
          message: 'kept aside',
          at: NOW,
        },
      ],
    });
    const notice = await screen.findByTestId('storage-notice');
    expect(notice.textContent).toContain('agent-data/callers/17.json.corrupt-20250106T093000');
    act(() =>
      api.pushStorageNotice({
        code: 'file-blocked',
        file: 'agent-data/history/2025-01/2025-01-06.json',
        reason: 'permission denied',
        recovered: 0,
        message: 'blocked',
        at: NOW + 1,
      }),
    );
    expect(screen.getAllByTestId('storage-notice')).toHaveLength(2);
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss the notice about agent-data/callers/17.json' }));
    expect(screen.getAllByTestId('storage-notice')).toHaveLength(1);
    expect(screen.getByTestId('storage-notice').textContent).toContain('permission denied');
  });
});

describe('workCalls', () => {
  it('puts the answered call on the card before a waiting one, and the wrap-up call when there is none', () => {
    const active = callView({ id: 'a', state: 'active', answeredAt: 1 });
    const ringing = callView({ id: 'r' });
    expect(workCalls([ringing, active], [], null)).toEqual({ card: active, notes: active });
    expect(workCalls([ringing], [], null)).toEqual({ card: ringing, notes: undefined });
    const done = callView({ id: 'w', state: 'ended' });
    expect(workCalls([], [done], { callId: 'w', deadline: 0, outcome: null, note: '' })).toEqual({
      card: done,
      notes: done,
    });
  });

  it('keeps the call in wrap-up on the card, with its notes, while a stranger rings', () => {
    const ringing = callView({ id: 'r' });
    const done = callView({ id: 'w', state: 'ended' });
    expect(workCalls([ringing], [done], { callId: 'w', deadline: 0, outcome: null, note: '' })).toEqual({
      card: done,
      notes: done,
    });
  });
});

describe('the greeting IT configured (P2)', () => {
  it("is the one shown at answer, in the agent's language", async () => {
    const call = callView({ id: 'c1', state: 'active', answeredAt: Date.now() });
    await showCalls([call], {
      language: 'de',
      workspace: workspaceView({
        status: 'in-call',
        prompt: {
          kind: 'greeting',
          callId: 'c1',
          text: { en: 'Acme, this is Anna. How can I help?', de: 'Acme, hier ist Anna. Wie kann ich helfen?' },
        },
      }),
    });
    await waitFor(() =>
      expect(screen.getByTestId('greeting-prompt').textContent).toBe('Acme, hier ist Anna. Wie kann ich helfen?'),
    );
  });
});

describe('the header status', () => {
  it('says Unavailable instead of Available while the phone is not registered, and Ringing while a call rings', async () => {
    await showCalls([]);
    const status = await screen.findByTestId('availability');
    expect(status.dataset.status).toBe('available');
    cleanup();
    const api = createFakeCalmlineApi({ state: phoneState({ status: 'connecting' }) });
    window.calmline = api;
    renderWithI18n();
    await waitFor(() => expect(screen.getByTestId('availability').dataset.status).toBe('unavailable'));
    expect(screen.getByTestId('availability').textContent).toContain('Unavailable');
    cleanup();
    await showCalls([callView({ id: 'r' })], { workspace: workspaceView({ status: 'ringing' }) });
    await waitFor(() => expect(screen.getByTestId('availability').textContent).toContain('Ringing'));
  });
});
