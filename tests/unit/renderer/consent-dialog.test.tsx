// @vitest-environment jsdom
/**
 * The permission prompt (rules P4 and P3 of docs/practice.md): hold, transfer and escalate are
 * never sent without first recording the caller's "agreed", and a "declined" or a
 * cancel sends nothing.
 */
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { callView } from './fake-calmline-api';
import { pushCalls, settle, showCalls } from './show-calls';

const active = (overrides: Parameters<typeof callView>[0] = {}) =>
  callView({ id: 'c1', state: 'active', answeredAt: Date.now(), ...overrides });

/** An active call on which the core allows Escalate (its policy names a supervisor). */
const escalatable = () => {
  const call = active();
  return { ...call, allowed: { ...call.allowed, escalate: true } };
};

afterEach(() => {
  cleanup();
  delete window.calmline;
});

function holdButton(): HTMLElement {
  return screen.getByRole('button', { name: 'Hold call with Erika Mustermann' });
}

function openHoldDialog(): HTMLElement {
  fireEvent.click(holdButton());
  return screen.getByRole('dialog', { name: 'Ask before placing Erika Mustermann on hold' });
}

describe('ConsentDialog', () => {
  it('opens a labelled modal that says what to ask, with the nudge, instead of holding', async () => {
    const api = await showCalls([active()]);
    const dialog = openHoldDialog();
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(dialog.textContent).toContain('Ask: “May I place you on a brief hold?”');
    expect(dialog.textContent).toContain('Could you solve it without holding or transferring?');
    // The question is the dialog's description, so it is read with the title.
    const describedBy = dialog.getAttribute('aria-describedby') ?? '';
    expect(document.getElementById(describedBy)?.textContent).toBe('Ask: “May I place you on a brief hold?”');
    const buttons = within(dialog)
      .getAllByRole('button')
      .map((button) => button.textContent);
    expect(buttons).toEqual(['Caller agreed', 'Caller declined', 'Cancel']);
    await settle();
    expect(api.sent).toEqual([]);
  });

  it('"Caller agreed" records the agreement, then holds with that consent id, in that order', async () => {
    const api = await showCalls([active()]);
    const dialog = openHoldDialog();
    const agreed = within(dialog).getByRole('button', { name: 'Caller agreed' });
    fireEvent.click(agreed);
    fireEvent.click(agreed);
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.sent).toEqual([
      { command: 'recordConsent', args: [{ callId: 'c1', action: 'hold', answer: 'agreed' }] },
      { command: 'hold', args: ['c1', 'consent-1'] },
    ]);
    expect(document.activeElement).toBe(holdButton());
  });

  it('keeps focus on the same button when the call goes on hold, now named Resume', async () => {
    const api = await showCalls([active()]);
    const opener = holdButton();
    fireEvent.click(within(openHoldDialog()).getByRole('button', { name: 'Caller agreed' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    pushCalls(api, [active({ state: 'held' })]);
    const resume = screen.getByRole('button', { name: 'Resume call with Erika Mustermann' });
    expect(resume).toBe(opener);
    expect(document.activeElement).toBe(resume);
    expect(screen.getByTestId('call-status').textContent).toBe('Erika Mustermann is on hold.');
  });

  it('"Caller declined" records the answer only, and says calmly that nothing was sent', async () => {
    const api = await showCalls([active()]);
    fireEvent.click(within(openHoldDialog()).getByRole('button', { name: 'Caller declined' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    await settle();
    expect(api.sent).toEqual([
      { command: 'recordConsent', args: [{ callId: 'c1', action: 'hold', answer: 'declined' }] },
    ]);
    const panel = screen.getByTestId('call-c1');
    expect(within(panel).getByTestId('call-note').textContent).toBe('Recorded: the caller declined. Nothing was sent.');
    expect(within(panel).queryByRole('alert')).toBeNull();
    expect(screen.getByTestId('call-status').textContent).toBe(
      'Erika Mustermann: Recorded: the caller declined. Nothing was sent.',
    );
    expect(document.activeElement).toBe(holdButton());

    // Asking again clears the note.
    openHoldDialog();
    expect(within(panel).queryByTestId('call-note')).toBeNull();
  });

  it('Cancel records nothing and gives focus back to Hold', async () => {
    const api = await showCalls([active()]);
    fireEvent.click(within(openHoldDialog()).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    await settle();
    expect(api.sent).toEqual([]);
    expect(document.activeElement).toBe(holdButton());
  });

  it('Escape is Cancel', async () => {
    const api = await showCalls([active()]);
    const dialog = openHoldDialog();
    fireEvent.keyDown(document.activeElement ?? dialog, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
    await settle();
    expect(api.sent).toEqual([]);
    expect(document.activeElement).toBe(holdButton());
  });

  it('traps focus: it starts on the dialog, Tab cycles inside, and the page behind is inert', async () => {
    await showCalls([active()]);
    const dialog = openHoldDialog();
    expect(document.activeElement).toBe(dialog);
    const agreed = within(dialog).getByRole('button', { name: 'Caller agreed' });
    const cancel = within(dialog).getByRole('button', { name: 'Cancel' });

    fireEvent.keyDown(dialog, { key: 'Tab' });
    expect(document.activeElement).toBe(agreed);
    cancel.focus();
    fireEvent.keyDown(cancel, { key: 'Tab' });
    expect(document.activeElement).toBe(agreed);
    fireEvent.keyDown(agreed, { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(cancel);

    // Focus that gets out anyway (a click, a script) is brought back.
    screen.getByRole('button', { name: 'Settings' }).focus();
    expect(dialog.contains(document.activeElement)).toBe(true);

    const appRoot = holdButton().closest('body > *');
    expect(appRoot?.hasAttribute('inert')).toBe(true);
    fireEvent.click(cancel);
    expect(appRoot?.hasAttribute('inert')).toBe(false);
  });

  it('keeps the live regions outside the inert page, so a new call is still announced', async () => {
    const api = await showCalls([active()]);
    openHoldDialog();
    pushCalls(api, [active(), callView({ id: 'c2', remoteName: 'Ola Nordmann' })]);
    const announcement = screen.getByTestId('call-announcement');
    expect(announcement.textContent).toBe('Incoming call from Ola Nordmann');
    expect(announcement.closest('[inert]')).toBeNull();
    expect(screen.getByTestId('call-status').closest('[inert]')).toBeNull();
    // The question stays open: the agent finishes asking first.
    expect(screen.getByRole('dialog')).toBeTruthy();
  });

  it('closes by itself when the call ends, sends nothing, and says why', async () => {
    const api = await showCalls([active()]);
    openHoldDialog();
    pushCalls(api, [active({ state: 'ended', endedAt: Date.now(), endReason: 'remote-hangup' })]);
    expect(screen.queryByRole('dialog')).toBeNull();
    await settle();
    expect(api.sent).toEqual([]);
    expect(screen.getByTestId('call-status').textContent).toContain(
      'The call with Erika Mustermann ended, so the question was closed. Nothing was sent.',
    );
    // The Hold button went with the call: focus lands on the calls heading, not on nothing.
    expect(document.activeElement).toBe(screen.getByRole('heading', { name: 'Calls' }));
  });

  it('also closes when main drops the call from its list', async () => {
    const api = await showCalls([active(), active({ id: 'c2', remoteName: 'Ola Nordmann', state: 'held' })]);
    openHoldDialog();
    pushCalls(api, [active({ id: 'c2', remoteName: 'Ola Nordmann', state: 'held' })]);
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('a late answer from an abandoned dialog neither closes a newer one nor counts', async () => {
    const api = await showCalls([active()]);
    const release = api.deferNext('hold');
    const first = openHoldDialog();
    fireEvent.click(within(first).getByRole('button', { name: 'Caller agreed' }));
    await waitFor(() => expect(api.sentNames()).toEqual(['recordConsent', 'hold']));
    // The agent gives up waiting; a second question opens before the hold answers.
    fireEvent.click(within(first).getByRole('button', { name: 'Cancel' }));
    const second = openHoldDialog();
    release();
    await settle();
    expect(screen.getByRole('dialog')).toBe(second);
    expect(within(second).queryByRole('alert')).toBeNull();
  });

  it('shows a refused hold in the dialog with the translated code, and stays open', async () => {
    const api = await showCalls([active()]);
    api.refuseNext('hold', 'consent-expired');
    const dialog = openHoldDialog();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Caller agreed' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert.textContent).toBe('The caller was not put on hold. That permission is too old. Ask the caller again.');
    expect(alert.dataset.errorCode).toBe('consent-expired');
    expect(screen.getByRole('dialog')).toBe(dialog);

    // Trying again asks main for a fresh consent.
    fireEvent.click(within(dialog).getByRole('button', { name: 'Caller agreed' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.sentNames()).toEqual(['recordConsent', 'hold', 'recordConsent', 'hold']);
    expect(api.sent.at(-1)).toEqual({ command: 'hold', args: ['c1', 'consent-2'] });
  });

  it('sends no hold when the answer could not be recorded', async () => {
    const api = await showCalls([active()]);
    api.refuseNext('recordConsent', 'call-not-found');
    const dialog = openHoldDialog();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Caller agreed' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert.textContent).toBe('The answer was not recorded. This call no longer exists. It may have just ended.');
    expect(api.sentNames()).toEqual(['recordConsent']);
  });

  it('shows a host that throws as an internal error inside the dialog', async () => {
    const api = await showCalls([active()]);
    api.recordConsent = () => Promise.reject(new Error('bridge closed'));
    const dialog = openHoldDialog();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Caller declined' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe(
      'The answer was not recorded. Something went wrong inside Calmline. Please try again.',
    );
  });

  describe('transfer', () => {
    function openTransferDialog(): HTMLElement {
      fireEvent.click(screen.getByRole('button', { name: 'Transfer call with Erika Mustermann' }));
      return screen.getByRole('dialog', { name: 'Ask before transferring Erika Mustermann' });
    }

    it('asks for a target and a mode, checks the target, and then records and transfers', async () => {
      const api = await showCalls([active()]);
      const dialog = openTransferDialog();
      const target = within(dialog).getByLabelText('Transfer to');
      expect(document.activeElement).toBe(target);
      expect(dialog.textContent).toContain('Ask: “May I transfer you to a colleague?”');
      expect(dialog.textContent).toContain('Could you solve it without holding or transferring?');

      // No target: nothing is recorded, the field says why.
      fireEvent.click(within(dialog).getByRole('button', { name: 'Caller agreed' }));
      expect(target.getAttribute('aria-invalid')).toBe('true');
      await settle();
      expect(api.sent).toEqual([]);

      fireEvent.change(target, { target: { value: ' 2000 ' } });
      expect(target.getAttribute('aria-invalid')).toBeNull();
      expect(dialog.textContent).toContain('Ask: “May I transfer you to 2000?”');
      const attended = within(dialog).getByRole('radio', { name: /^Attended/ });
      expect((attended as HTMLInputElement).checked).toBe(true);
      fireEvent.click(within(dialog).getByRole('radio', { name: /^Blind/ }));
      fireEvent.click(within(dialog).getByRole('button', { name: 'Caller agreed' }));
      await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
      expect(api.sent).toEqual([
        {
          command: 'recordConsent',
          args: [{ callId: 'c1', action: 'transfer', answer: 'agreed' }],
        },
        {
          command: 'transfer',
          args: [{ callId: 'c1', consentId: 'consent-1', target: '2000', mode: 'blind' }],
        },
      ]);
    });

    it('records a declined transfer without needing a target', async () => {
      const api = await showCalls([active()]);
      fireEvent.click(within(openTransferDialog()).getByRole('button', { name: 'Caller declined' }));
      await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
      expect(api.sent).toEqual([
        {
          command: 'recordConsent',
          args: [{ callId: 'c1', action: 'transfer', answer: 'declined' }],
        },
      ]);
    });

    it('is offered from hold too (after a failed transfer)', async () => {
      const api = await showCalls([active({ state: 'held' })]);
      const dialog = openTransferDialog();
      fireEvent.change(within(dialog).getByLabelText('Transfer to'), {
        target: { value: 'sip:2000@pbx.example.com' },
      });
      fireEvent.click(within(dialog).getByRole('button', { name: 'Caller agreed' }));
      await waitFor(() => expect(api.sentNames()).toEqual(['recordConsent', 'transfer']));
    });
  });

  describe('escalate', () => {
    it('is offered only when the core allows it (its policy names a supervisor)', async () => {
      await showCalls([active()]);
      await settle();
      expect(screen.getByRole('button', { name: 'Hold call with Erika Mustermann' })).toBeTruthy();
      expect(screen.queryByRole('button', { name: /^Escalate/ })).toBeNull();
    });

    it('asks to connect to the supervisor, then records and escalates', async () => {
      const api = await showCalls([escalatable()], {
        policy: { escalationTarget: '3000', escalationMode: 'blind' },
      });
      fireEvent.click(
        await screen.findByRole('button', {
          name: 'Escalate call with Erika Mustermann to your supervisor',
        }),
      );
      const dialog = screen.getByRole('dialog', { name: 'Ask before escalating Erika Mustermann' });
      expect(dialog.textContent).toContain('Ask: “May I connect you with my supervisor?”');
      expect(dialog.textContent).toContain('Your supervisor: 3000 The caller is handed over straight away.');
      fireEvent.click(within(dialog).getByRole('button', { name: 'Caller agreed' }));
      await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
      expect(api.sent).toEqual([
        {
          command: 'recordConsent',
          args: [{ callId: 'c1', action: 'escalate', answer: 'agreed' }],
        },
        { command: 'escalate', args: ['c1', 'consent-1'] },
      ]);
    });
  });
});
