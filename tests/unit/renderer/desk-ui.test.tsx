// @vitest-environment jsdom
/**
 * The desk in the window: headset button requests press the call list's buttons (Hold
 * opens the consent dialog), the headset host follows the chosen device and the calls,
 * the headset and desk settings, and the click-to-dial confirmation.
 */
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { startHeadsetHost, type HidLike } from '../../../src/renderer/src/headset/headset-host';
import type { TelephonyHidDevice } from '../../../src/renderer/src/headset/headset-controller';
import { requestCallAction } from '../../../src/renderer/src/state/call-requests';
import { ClickToDialConfirm } from '../../../src/renderer/src/components/ClickToDialConfirm';
import { HeadsetSettings } from '../../../src/renderer/src/components/HeadsetSettings';
import { DeskSettings } from '../../../src/renderer/src/components/DeskSettings';
import { callView, createFakeCalmlineApi, phoneState } from './fake-calmline-api';
import { FakeHidDevice, JABRA_STYLE, POLY_STYLE } from './headset-fixtures';
import { renderWithI18n } from './render-app';
import { pushCalls, registered, settle, showCalls } from './show-calls';

afterEach(() => {
  cleanup();
  delete window.calmline;
});

/** A fake `navigator.hid` over fake devices. */
function fakeHid(devices: TelephonyHidDevice[]) {
  const listeners = {
    connect: new Set<(e: { device: TelephonyHidDevice }) => void>(),
    disconnect: new Set<(e: { device: TelephonyHidDevice }) => void>(),
  };
  const hid: HidLike & { plug(d: TelephonyHidDevice): void; unplug(d: TelephonyHidDevice): void; requested: number } = {
    requested: 0,
    getDevices: () => Promise.resolve([...devices]),
    requestDevice: () => {
      hid.requested += 1;
      return Promise.resolve(devices.slice(0, 1));
    },
    addEventListener: (type, listener) => listeners[type].add(listener),
    removeEventListener: (type, listener) => listeners[type].delete(listener),
    plug(device) {
      devices.push(device);
      for (const listener of listeners.connect) listener({ device });
    },
    unplug(device) {
      devices.splice(devices.indexOf(device), 1);
      for (const listener of listeners.disconnect) listener({ device });
    },
  };
  return hid;
}

describe('headset requests in the call list', () => {
  it('answer, mute and hang up press the call buttons: the same commands as a click', async () => {
    const api = await showCalls([callView({ id: 'c1' })]);
    act(() => requestCallAction({ action: 'answer', callId: 'c1' }));
    await waitFor(() => expect(api.sent).toEqual([{ command: 'answer', args: ['c1'] }]));
    pushCalls(api, [callView({ id: 'c1', state: 'active', answeredAt: 1 })]);
    act(() => requestCallAction({ action: 'mute', callId: 'c1' }));
    await settle();
    act(() => requestCallAction({ action: 'hang-up', callId: 'c1' }));
    await waitFor(() =>
      expect(api.sent.slice(1)).toEqual([
        { command: 'setMute', args: ['c1', true] },
        { command: 'hangUp', args: ['c1'] },
      ]),
    );
  });

  it('hold from the headset opens the consent dialog and sends nothing', async () => {
    const api = await showCalls([callView({ id: 'c1', state: 'active', answeredAt: 1 })]);
    act(() => requestCallAction({ action: 'hold', callId: 'c1' }));
    screen.getByRole('dialog', { name: 'Ask before placing Erika Mustermann on hold' });
    await settle();
    expect(api.sent).toEqual([]);
  });

  it('ignores a request for a call or button that is not there', async () => {
    const api = await showCalls([callView({ id: 'c1' })]);
    act(() => requestCallAction({ action: 'hang-up', callId: 'c1' }));
    act(() => requestCallAction({ action: 'answer', callId: 'gone' }));
    await settle();
    expect(api.sent).toEqual([]);
  });
});

describe('the headset host', () => {
  it('opens the chosen headset, follows the calls, asks for button presses, and survives unplugging', async () => {
    const device = new FakeHidDevice(JABRA_STYLE, 'Jabra Engage 65', 0x0b0e, 0x0306);
    const other = new FakeHidDevice(POLY_STYLE, 'Poly Blackwire', 0x047f, 0xc056);
    const hid = fakeHid([other, device]);
    const api = createFakeCalmlineApi({
      state: phoneState(registered, [callView({ id: 'c1' })]),
      desk: { headset: { vendorId: 0x0b0e, productId: 0x0306, name: 'Jabra Engage 65' } },
    });
    const requests: unknown[] = [];
    const { onCallActionRequest } = await import('../../../src/renderer/src/state/call-requests');
    const off = onCallActionRequest((request) => requests.push(request));
    const stop = startHeadsetHost(api, hid);
    await waitFor(() => expect(device.sent).toEqual([{ reportId: 2, bytes: [0b0100, 1] }]));
    expect(other.opened).toBe(false);

    device.press(2, [1, 0]);
    expect(requests).toEqual([{ action: 'answer', callId: 'c1' }]);
    api.push(phoneState(registered, [callView({ id: 'c1', state: 'active', answeredAt: 1 })]));
    await waitFor(() => expect(device.lastSent()).toEqual([1, 0]));

    hid.unplug(device);
    api.push(phoneState(registered, [callView({ id: 'c1', state: 'active', answeredAt: 1, muted: true })]));
    await settle();
    expect(device.sent).toHaveLength(2);
    const again = new FakeHidDevice(JABRA_STYLE, 'Jabra Engage 65', 0x0b0e, 0x0306);
    hid.plug(again);
    await waitFor(() => expect(again.sent).toEqual([{ reportId: 2, bytes: [0b0011, 0] }]));
    stop();
    off();
  });
});

describe('headset settings', () => {
  it('lists telephony headsets, finds one with the chooser, and saves the choice by its USB ids', async () => {
    const device = new FakeHidDevice(JABRA_STYLE, 'Jabra Evolve2 65', 0x0b0e, 0x24a3);
    const hid = fakeHid([device]);
    const api = createFakeCalmlineApi();
    renderWithI18n(<HeadsetSettings api={api} hid={hid} />);
    const select = await screen.findByLabelText('Headset');
    expect(
      within(select)
        .getAllByRole('option')
        .map((o) => o.textContent),
    ).toEqual(['None', 'Jabra Evolve2 65']);
    fireEvent.click(screen.getByRole('button', { name: 'Find a headset…' }));
    await waitFor(() => expect((select as HTMLSelectElement).value).toBe(`${0x0b0e}:${0x24a3}`));
    expect(hid.requested).toBe(1);
    fireEvent.click(screen.getByRole('button', { name: 'Save headset' }));
    await screen.findByText('Headset saved.');
    expect(api.sent).toContainEqual({
      command: 'saveDeskSettings',
      args: [expect.objectContaining({ headset: { vendorId: 0x0b0e, productId: 0x24a3, name: 'Jabra Evolve2 65' } })],
    });
  });

  it('keeps a saved headset that is not plugged in, marked', async () => {
    const api = createFakeCalmlineApi({ desk: { headset: { vendorId: 1, productId: 2, name: 'Yealink UH36' } } });
    renderWithI18n(<HeadsetSettings api={api} hid={fakeHid([])} />);
    const select = await screen.findByLabelText('Headset');
    expect((select as HTMLSelectElement).selectedOptions[0]?.textContent).toBe('Yealink UH36 (not connected)');
  });
});

describe('desk settings', () => {
  it('refuses a shortcut without a modifier and the same key twice, and saves good ones', async () => {
    const api = createFakeCalmlineApi();
    renderWithI18n(<DeskSettings api={api} />);
    const answer = await screen.findByLabelText('Shortcut: answer the longest-ringing call');
    const hangUp = screen.getByLabelText('Shortcut: hang up');
    fireEvent.change(answer, { target: { value: 'A' } });
    expect(screen.getByText('Use a modifier and a key, for example CommandOrControl+Shift+A.')).toBeTruthy();
    fireEvent.change(answer, { target: { value: 'Ctrl+Shift+U' } });
    fireEvent.change(hangUp, { target: { value: 'control+shift+u' } });
    expect(screen.getByText('The two shortcuts must be different.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Save desk settings' }));
    await settle();
    expect(api.sentNames()).not.toContain('saveDeskSettings');
    fireEvent.change(hangUp, { target: { value: 'F9' } });
    fireEvent.click(screen.getByLabelText('Start Calmline when I log in'));
    fireEvent.click(screen.getByRole('button', { name: 'Save desk settings' }));
    await screen.findByText('Desk settings saved.');
    expect(api.sent.at(-1)).toEqual({
      command: 'saveDeskSettings',
      args: [expect.objectContaining({ startAtLogin: true, shortcuts: { answer: 'Ctrl+Shift+U', hangUp: 'F9' } })],
    });
  });

  it('shows why a shortcut is not working', async () => {
    const api = createFakeCalmlineApi({
      handlers: {
        'desk:get-status': () => ({
          native: true,
          shortcuts: [{ action: 'answer', accelerator: 'CommandOrControl+Shift+A', refused: 'taken' }],
        }),
      },
    });
    renderWithI18n(<DeskSettings api={api} />);
    await screen.findByText('CommandOrControl+Shift+A is already taken by another application.');
  });
});

describe('click-to-dial confirmation', () => {
  it('asks "Call +49 30 123456?" and dials only after Call', async () => {
    const api = createFakeCalmlineApi();
    renderWithI18n(<ClickToDialConfirm api={api} />);
    act(() =>
      api.emit('desk:dial-link', { id: 'l1', outcome: 'confirm', target: '+4930123456', display: '+49 30 123456' }),
    );
    const dialog = screen.getByRole('dialog', { name: 'Call from a link' });
    expect(dialog.textContent).toContain('Call +49 30 123456?');
    expect(api.sent).toEqual([]);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Call +49 30 123456' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.sent).toEqual([{ command: 'dial', args: ['+4930123456'] }]);
  });

  it('shows a link that arrived before the window listened, and takes what it showed', async () => {
    const api = createFakeCalmlineApi({
      handlers: {
        'desk:take-dial-link': () => ({
          id: 'l0',
          outcome: 'confirm',
          target: '+4930123456',
          display: '+49 30 123456',
        }),
      },
    });
    renderWithI18n(<ClickToDialConfirm api={api} />);
    const dialog = await screen.findByRole('dialog', { name: 'Call from a link' });
    expect(dialog.textContent).toContain('Call +49 30 123456?');
    act(() => api.emit('desk:dial-link', { id: 'l1', outcome: 'confirm', target: '2000', display: '2000' }));
    await waitFor(() => expect(screen.getByRole('dialog').textContent).toContain('Call 2000?'));
    await settle();
    expect(api.invoked.filter((entry) => entry.channel === 'desk:take-dial-link')).toHaveLength(2);
    expect(api.sent).toEqual([]);
  });

  it('Cancel and Escape dial nothing', async () => {
    const api = createFakeCalmlineApi();
    renderWithI18n(<ClickToDialConfirm api={api} />);
    act(() => api.emit('desk:dial-link', { id: 'l1', outcome: 'confirm', target: '2000', display: '2000' }));
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    act(() => api.emit('desk:dial-link', { id: 'l2', outcome: 'confirm', target: '2001', display: '2001' }));
    fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' });
    await settle();
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(api.sent).toEqual([]);
  });

  it('a refused link says why, shows it as inert text and offers nothing to dial', async () => {
    const api = createFakeCalmlineApi();
    renderWithI18n(<ClickToDialConfirm api={api} />);
    act(() =>
      api.emit('desk:dial-link', {
        id: 'l1',
        outcome: 'refused',
        reason: 'unsupported-scheme',
        excerpt: 'javascript:<b>x</b>',
      }),
    );
    const dialog = screen.getByRole('alertdialog', { name: 'This link was not dialled' });
    expect(within(dialog).getByRole('alert').textContent).toBe('Only tel:, callto: and sip: links can be dialled.');
    expect(dialog.querySelector('b')).toBeNull();
    expect(
      within(dialog)
        .getAllByRole('button')
        .map((b) => b.textContent),
    ).toEqual(['Dismiss']);
    await settle();
    expect(api.sent).toEqual([]);
  });
});
