// @vitest-environment jsdom
/** The call panel's buttons and lines by call state, transfers, keypad, mute and New call. */
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { allowedActions, type CallContext } from '../../../src/core/phone/allowed-actions';
import { NOTHING_ALLOWED, type AllowedActions, type CallView, type TransferView } from '../../../src/shared/contract';
import {
  callButtons,
  formatDuration,
  shortcutTargets,
  steadyButtons,
  transferFailureReason,
} from '../../../src/renderer/src/call-controls';
import { callView } from './fake-calmline-api';
import { pushCalls, settle, showCalls } from './show-calls';

afterEach(() => {
  cleanup();
  delete window.calmline;
});

const active = (overrides: Partial<CallView> = {}) =>
  callView({ id: 'c1', state: 'active', answeredAt: Date.now(), ...overrides });

/** The call with what the core allows it in `context` (a consultation, another call, a supervisor). */
const inContext = (call: CallView, context: Partial<CallContext>): CallView => ({
  ...call,
  allowed: allowedActions(call, { consult: null, otherCallActive: false, supervisorConfigured: false, ...context }),
});

const allowing = (...actions: (keyof AllowedActions)[]): AllowedActions => ({
  ...NOTHING_ALLOWED,
  ...Object.fromEntries(actions.map((action) => [action, true])),
});

const transfer = (overrides: Partial<TransferView> = {}): TransferView => ({
  kind: 'blind',
  escalation: false,
  target: '2000',
  status: 'trying',
  statusCode: null,
  consultCallId: null,
  ...overrides,
});

/** The panel's buttons, as [action, accessible name] pairs in the order shown. */
function panelButtons(callId: string): [string | undefined, string | null][] {
  const panel = screen.getByTestId(`call-${callId}`);
  return [...panel.querySelectorAll<HTMLButtonElement>('.call-actions button')].map((button) => [
    button.dataset.action,
    button.getAttribute('aria-label'),
  ]);
}

describe('callButtons', () => {
  it.each([
    [allowing('answer', 'decline'), ['answer', 'decline']],
    [allowing('hangUp'), ['hang-up']],
    [
      allowing('hold', 'transfer', 'mute', 'dtmf', 'hangUp', 'reconnectAudio'),
      ['hold', 'transfer', 'mute', 'keypad', 'hang-up'],
    ],
    [allowing('resume', 'transfer', 'escalate', 'hangUp'), ['resume', 'transfer', 'escalate', 'hang-up']],
    [allowing('completeTransfer', 'cancelTransfer', 'hangUp'), ['complete-transfer', 'cancel-transfer', 'hang-up']],
    [NOTHING_ALLOWED, []],
  ] as const)('shows one button per allowed action, in a fixed order: %o', (allowed, expected) => {
    const buttons = callButtons({ allowed });
    expect(buttons.map((button) => button.action)).toEqual(expected);
    expect(buttons.every((button) => button.enabled)).toBe(true);
  });

  it('keeps Complete transfer in view, disabled, while the consultation can only be cancelled', () => {
    expect(callButtons({ allowed: allowing('cancelTransfer', 'hangUp') })).toEqual([
      { action: 'complete-transfer', enabled: false },
      { action: 'cancel-transfer', enabled: true },
      { action: 'hang-up', enabled: true },
    ]);
  });

  it('keeps the buttons steady, disabled, while a command is under way, and follows the call after', () => {
    const before = {
      state: 'active',
      buttons: callButtons({ allowed: allowing('hold', 'transfer', 'mute', 'dtmf', 'hangUp') }),
    } as const;
    const holding = { state: 'active', pending: 'hold', allowed: allowing('mute', 'dtmf', 'hangUp') } as const;
    expect(steadyButtons(before, holding)).toEqual([
      { action: 'hold', enabled: false },
      { action: 'transfer', enabled: false },
      { action: 'mute', enabled: true },
      { action: 'keypad', enabled: true },
      { action: 'hang-up', enabled: true },
    ]);
    const held = { state: 'held', pending: null, allowed: allowing('resume', 'transfer', 'hangUp') } as const;
    expect(steadyButtons(before, held).map((button) => button.action)).toEqual(['resume', 'transfer', 'hang-up']);
    // A new state while the command goes on (a transfer's hold done, its REFER sent): the new state's buttons.
    const transferring = { state: 'transferring', pending: 'transfer', allowed: allowing('hangUp') } as const;
    expect(steadyButtons(before, transferring)).toEqual([{ action: 'hang-up', enabled: true }]);
  });
});

describe('helpers', () => {
  it.each([
    [486, 'busy'],
    [600, 'busy'],
    [404, 'notFound'],
    [480, 'unavailable'],
    [408, 'noAnswer'],
    [487, 'cancelled'],
    [603, 'declined'],
    [403, 'forbidden'],
    [500, 'other'],
    [null, 'other'],
  ] as const)('reads SIP status %s as %s', (code, reason) => {
    expect(transferFailureReason(code)).toBe(reason);
  });

  it('formats durations as a clock, in the language’s digits', () => {
    expect(formatDuration(7_400, 'en')).toBe('0:07');
    expect(formatDuration(754_000, 'en')).toBe('12:34');
    expect(formatDuration(3_723_000, 'en')).toBe('1:02:03');
    expect(formatDuration(-2_000, 'en')).toBe('0:00');
    expect(formatDuration(7_000, 'fa')).toBe('۰:۰۷');
  });

  it('points A at the longest-ringing call and H, U at the active one', () => {
    const calls = [
      callView({ id: 'new', offeredAt: 2_000 }),
      callView({ id: 'old', offeredAt: 1_000 }),
      active({ id: 'talking' }),
    ];
    expect(shortcutTargets(calls)).toEqual({ answer: 'old', hold: 'talking', 'hang-up': 'talking' });
    // A consult leg can be hung up by shortcut but not held.
    expect(shortcutTargets([active({ id: 'k', consultFor: 'c1' })])).toEqual({ 'hang-up': 'k' });
  });
});

describe('call panel by state', () => {
  it('active: Hold, Transfer, Mute, Keypad and Hang up, each named with the caller', async () => {
    await showCalls([active()]);
    expect(panelButtons('c1')).toEqual([
      ['hold', 'Hold call with Erika Mustermann'],
      ['transfer', 'Transfer call with Erika Mustermann'],
      ['mute', 'Mute your microphone on the call with Erika Mustermann'],
      ['keypad', 'Keypad for the call with Erika Mustermann'],
      ['hang-up', 'Hang up call with Erika Mustermann'],
    ]);
    const panel = screen.getByTestId('call-c1');
    expect(within(panel).getByTestId('call-state').textContent).toBe('In call');
    const hold = within(panel).getByRole('button', { name: 'Hold call with Erika Mustermann' });
    expect(hold.textContent).toBe('Hold');
    expect(hold.getAttribute('aria-keyshortcuts')).toBe('H');
    expect(hold.title).toBe('Hold (shortcut: H)');
  });

  it('active with a supervisor set: Escalate too', async () => {
    await showCalls([inContext(active(), { supervisorConfigured: true })], {
      policy: { escalationTarget: 'sip:3000@pbx.example.com' },
    });
    await screen.findByRole('button', { name: 'Escalate call with Erika Mustermann to your supervisor' });
    expect(panelButtons('c1').map(([action]) => action)).toEqual([
      'hold',
      'transfer',
      'escalate',
      'mute',
      'keypad',
      'hang-up',
    ]);
  });

  it('held: shows On hold and offers Resume, which needs no consent', async () => {
    const api = await showCalls([active({ state: 'held' })]);
    const panel = screen.getByTestId('call-c1');
    expect(within(panel).getByTestId('call-state').textContent).toBe('On hold');
    expect(panelButtons('c1')).toEqual([
      ['resume', 'Resume call with Erika Mustermann'],
      ['transfer', 'Transfer call with Erika Mustermann'],
      ['hang-up', 'Hang up call with Erika Mustermann'],
    ]);
    fireEvent.click(within(panel).getByRole('button', { name: 'Resume call with Erika Mustermann' }));
    await waitFor(() => expect(api.sent).toEqual([{ command: 'resume', args: ['c1'] }]));
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('keeps Hold in place, disabled, while the hold is under way, so focus stays on it as it becomes Resume', async () => {
    const api = await showCalls([active()]);
    const hold = screen.getByRole('button', { name: 'Hold call with Erika Mustermann' });
    hold.focus();
    const holding = active({ pending: 'hold' });
    pushCalls(api, [inContext(holding, {})]);
    expect(panelButtons('c1').map(([action]) => action)).toEqual(['hold', 'transfer', 'mute', 'keypad', 'hang-up']);
    expect((hold as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Hang up call with Erika Mustermann' }).disabled).toBe(
      false,
    );
    pushCalls(api, [active({ state: 'held' })]);
    const resume = screen.getByRole<HTMLButtonElement>('button', { name: 'Resume call with Erika Mustermann' });
    expect(resume).toBe(hold);
    expect(resume.disabled).toBe(false);
    expect(document.activeElement).toBe(resume);
  });

  it('shows a second caller in the waiting strip below the live call; Answer asks to hold the live caller first (P4)', async () => {
    const api = await showCalls([
      active(),
      inContext(callView({ id: 'c2', remoteName: 'Ola Nordmann' }), { otherCallActive: true }),
    ]);
    expect(panelButtons('c2')).toEqual([
      ['answer', 'Answer call from Ola Nordmann'],
      ['decline', 'Decline call from Ola Nordmann'],
    ]);
    // The live call comes first in the document, the waiting strip after it.
    const live = screen.getByTestId('call-c1');
    const waiting = screen.getByTestId('call-c2');
    expect(live.compareDocumentPosition(waiting) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(within(screen.getByTestId('waiting-calls')).getByText('1 caller waiting')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Answer call from Ola Nordmann' }));
    const dialog = screen.getByRole('dialog', { name: 'Ask before placing Erika Mustermann on hold' });
    await settle();
    expect(api.sent).toEqual([]);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Caller agreed' }));
    await waitFor(() => expect(api.sent.map((sent) => sent.command)).toContain('answer'));
    expect(api.sent).toEqual([
      { command: 'recordConsent', args: [{ callId: 'c1', action: 'hold', answer: 'agreed' }] },
      { command: 'hold', args: ['c1', 'consent-1'] },
      { command: 'answer', args: ['c2'] },
    ]);
  });

  it('answers nothing when the live caller declines the hold', async () => {
    const api = await showCalls([
      active(),
      inContext(callView({ id: 'c2', remoteName: 'Ola Nordmann' }), { otherCallActive: true }),
    ]);
    fireEvent.click(screen.getByRole('button', { name: 'Answer call from Ola Nordmann' }));
    const dialog = screen.getByRole('dialog', { name: 'Ask before placing Erika Mustermann on hold' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Caller declined' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    await settle();
    expect(api.sent.map((sent) => sent.command)).toEqual(['recordConsent']);
  });

  it('says when the caller has put the agent on hold, and announces it', async () => {
    const api = await showCalls([active()]);
    expect(screen.queryByTestId('remote-hold')).toBeNull();
    pushCalls(api, [active({ remoteHold: true })]);
    expect(screen.getByTestId('remote-hold').textContent).toBe('The caller has put you on hold');
    expect(screen.getByTestId('call-status').textContent).toBe('Erika Mustermann has put you on hold.');
    pushCalls(api, [active({ remoteHold: false })]);
    expect(screen.queryByTestId('remote-hold')).toBeNull();
    expect(screen.getByTestId('call-status').textContent).toBe('Erika Mustermann is back on the line.');
  });

  it('Mute is a toggle button (aria-pressed) that asks main to change the flag', async () => {
    const api = await showCalls([active()]);
    const mute = screen.getByRole('button', {
      name: 'Mute your microphone on the call with Erika Mustermann',
    });
    expect(mute.getAttribute('aria-pressed')).toBe('false');
    fireEvent.click(mute);
    await waitFor(() => expect(api.sent).toEqual([{ command: 'setMute', args: ['c1', true] }]));
    pushCalls(api, [active({ muted: true })]);
    expect(mute.getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByTestId('muted').textContent).toBe('Your microphone is muted');
    expect(screen.getByTestId('call-status').textContent).toBe('Microphone muted.');
    fireEvent.click(mute);
    await waitFor(() => expect(api.sent.at(-1)).toEqual({ command: 'setMute', args: ['c1', false] }));
  });

  it('Keypad opens DTMF keys that send each digit in order and shows what was sent', async () => {
    const api = await showCalls([active()]);
    const keypad = screen.getByRole('button', { name: 'Keypad for the call with Erika Mustermann' });
    expect(keypad.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(keypad);
    expect(keypad.getAttribute('aria-expanded')).toBe('true');
    const group = screen.getByRole('group', { name: 'Digits to send to Erika Mustermann' });
    expect(keypad.getAttribute('aria-controls')).toBe(screen.getByTestId('keypad').id);
    expect(
      within(group)
        .getAllByRole('button')
        .map((key) => key.textContent),
    ).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#']);
    fireEvent.click(within(group).getByRole('button', { name: '5' }));
    fireEvent.click(within(group).getByRole('button', { name: 'Hash' }));
    fireEvent.click(within(group).getByRole('button', { name: '1' }));
    await waitFor(() => expect(screen.getByTestId('keypad-sent').textContent).toBe('Sent: 5#1'));
    expect(api.sent).toEqual([
      { command: 'sendDtmf', args: ['c1', '5'] },
      { command: 'sendDtmf', args: ['c1', '#'] },
      { command: 'sendDtmf', args: ['c1', '1'] },
    ]);
    api.refuseNext('sendDtmf', 'invalid-transition');
    fireEvent.click(within(group).getByRole('button', { name: 'Star' }));
    expect((await screen.findByRole('alert')).dataset.errorCode).toBe('invalid-transition');
    // Gone with the state that offers it.
    pushCalls(api, [active({ state: 'held' })]);
    expect(screen.queryByTestId('keypad')).toBeNull();
  });

  it('transferring: progress from the transfer status and SIP code, and only Hang up', async () => {
    const api = await showCalls([active({ state: 'transferring', transfer: transfer() })]);
    expect(screen.getByTestId('transfer-progress').textContent).toBe('Transferring to 2000: trying');
    expect(screen.getByTestId('call-state').textContent).toBe('Transferring…');
    expect(panelButtons('c1')).toEqual([['hang-up', 'Hang up call with Erika Mustermann']]);
    pushCalls(api, [active({ state: 'transferring', transfer: transfer({ status: 'ringing', statusCode: 180 }) })]);
    expect(screen.getByTestId('transfer-progress').textContent).toBe('Transferring to 2000: ringing (180)');
    expect(screen.getByTestId('call-status').textContent).toBe('Transferring to 2000: ringing (180)');
  });

  it('an escalation names the supervisor in its progress', async () => {
    await showCalls([active({ state: 'transferring', transfer: transfer({ escalation: true, target: '3000' }) })]);
    expect(screen.getByTestId('transfer-progress').textContent).toBe('Transferring to your supervisor (3000): trying');
  });

  it('failed transfer: a clear alert, the caller on hold, and Resume offered', async () => {
    const api = await showCalls([active({ state: 'transferring', transfer: transfer() })]);
    pushCalls(api, [active({ state: 'held', transfer: transfer({ status: 'failed', statusCode: 486 }) })]);
    const alert = screen.getByTestId('transfer-failed');
    expect(alert.getAttribute('role')).toBe('alert');
    expect(alert.textContent).toBe(
      'Transfer failed: busy (486). The caller is on hold — resume to talk to them again.',
    );
    expect(screen.getByTestId('call-state').textContent).toBe('On hold');
    expect(panelButtons('c1').map(([action]) => action)).toEqual(['resume', 'transfer', 'hang-up']);
    // Once resumed, the old failure is no longer news.
    pushCalls(api, [active({ transfer: transfer({ status: 'failed', statusCode: 486 }) })]);
    expect(screen.queryByTestId('transfer-failed')).toBeNull();
  });

  it('failed transfer without a status code still says what to do', async () => {
    await showCalls([active({ state: 'held', transfer: transfer({ status: 'failed' }) })]);
    expect(screen.getByTestId('transfer-failed').textContent).toBe(
      'Transfer failed. The caller is on hold — resume to talk to them again.',
    );
  });

  describe('attended transfer', () => {
    const consulting = transfer({ kind: 'attended', status: 'consulting', consultCallId: 'k1' });
    const heldWhile = (consultState: CallView['state']) =>
      inContext(active({ state: 'held', transfer: consulting }), { consult: { state: consultState, pending: null } });
    const consult = (state: CallView['state']) =>
      callView({
        id: 'k1',
        direction: 'outgoing',
        state,
        remoteName: '',
        remoteNumber: '2000',
        consultFor: 'c1',
      });

    it('offers Complete transfer once the consulted colleague answers, and Cancel transfer', async () => {
      const api = await showCalls([heldWhile('dialing'), consult('dialing')]);
      expect(panelButtons('c1')).toEqual([
        ['complete-transfer', 'Complete transfer of Erika Mustermann'],
        ['cancel-transfer', 'Cancel transfer of Erika Mustermann'],
        ['hang-up', 'Hang up call with Erika Mustermann'],
      ]);
      const panel = screen.getByTestId('call-c1');
      const complete = within(panel).getByRole('button', { name: 'Complete transfer of Erika Mustermann' });
      expect((complete as HTMLButtonElement).disabled).toBe(true);
      expect(within(panel).getByTestId('transfer-progress').textContent).toBe('Calling 2000 to consult…');
      const consultPanel = screen.getByTestId('call-k1');
      expect(consultPanel.textContent).toContain('Consultation about transferring Erika Mustermann');
      expect(panelButtons('k1')).toEqual([['hang-up', 'Hang up call with 2000']]);

      pushCalls(api, [heldWhile('active'), consult('active')]);
      expect((complete as HTMLButtonElement).disabled).toBe(false);
      expect(within(panel).getByTestId('transfer-progress').textContent).toBe(
        'Talking to 2000. Complete the transfer when you are ready, or cancel it.',
      );
      expect(panelButtons('k1').map(([action]) => action)).toEqual(['mute', 'keypad', 'hang-up']);
      fireEvent.click(complete);
      await waitFor(() => expect(api.sent).toEqual([{ command: 'completeTransfer', args: ['c1'] }]));
    });

    it('cancels the consultation', async () => {
      const api = await showCalls([heldWhile('active'), consult('active')]);
      fireEvent.click(screen.getByRole('button', { name: 'Cancel transfer of Erika Mustermann' }));
      await waitFor(() => expect(api.sent).toEqual([{ command: 'cancelTransfer', args: ['c1'] }]));
    });
  });
});

describe('New call', () => {
  it('checks the number like the contract does, and sends nothing when it is wrong', async () => {
    const api = await showCalls([]);
    const field = screen.getByLabelText('New call');
    fireEvent.change(field, { target: { value: 'call mum' } });
    fireEvent.click(screen.getByRole('button', { name: 'Call' }));
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement).toBe(field);
    await settle();
    expect(api.sent).toEqual([]);
  });

  it('dials a number or SIP address and clears the field', async () => {
    const api = await showCalls([]);
    const field = screen.getByLabelText<HTMLInputElement>('New call');
    fireEvent.change(field, { target: { value: ' +49 30 123456 ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Call' }));
    await waitFor(() => expect(api.sent).toEqual([{ command: 'dial', args: ['+49 30 123456'] }]));
    await waitFor(() => expect(field.value).toBe(''));
    fireEvent.change(field, { target: { value: 'sip:2000@pbx.example.com' } });
    fireEvent.submit(field.form!);
    await waitFor(() => expect(api.sent.at(-1)).toEqual({ command: 'dial', args: ['sip:2000@pbx.example.com'] }));
  });

  it('shows a refusal and keeps what was typed', async () => {
    const api = await showCalls([active()]);
    api.refuseNext('dial', 'other-call-active');
    const field = screen.getByLabelText<HTMLInputElement>('New call');
    fireEvent.change(field, { target: { value: '2000' } });
    fireEvent.click(screen.getByRole('button', { name: 'Call' }));
    const alert = await within(screen.getByTestId('dial-form')).findByRole('alert');
    expect(alert.textContent).toBe(
      'The call was not placed. Another caller is on the line. Ask them, then put them on hold first.',
    );
    expect(field.value).toBe('2000');
  });
});
