// @vitest-environment jsdom
/**
 * The renderer's side of real audio, without WebRTC (jsdom has none): the media
 * host that pairs main's requests with the engine's answers and follows the phone
 * and device settings; the alert for a call without sound; the device settings.
 * The engine itself runs in Chromium in tests/e2e/audio*.test.ts.
 */
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startMediaHost, mediaNeeds } from '../../../src/renderer/src/media/media-host';
import type { MediaRequest, MediaResponse } from '../../../src/shared/media-protocol';
import { AudioDeviceSettings } from '../../../src/renderer/src/components/AudioDeviceSettings';
import { callView, createFakeCalmlineApi, phoneState } from './fake-calmline-api';
import { renderWithI18n } from './render-app';
import { registered, showCalls } from './show-calls';

afterEach(() => {
  cleanup();
  delete window.calmline;
});

function fakeEngine(answer: (request: MediaRequest) => MediaResponse = () => ({ ok: true })) {
  return {
    handled: [] as MediaRequest[],
    devices: [] as Array<{ microphoneId: string; speakerId: string }>,
    prepared: 0,
    released: 0,
    disposed: false,
    async handle(input: unknown) {
      this.handled.push(input as MediaRequest);
      return answer(input as MediaRequest);
    },
    async prepare() {
      this.prepared += 1;
    },
    releaseMicrophone() {
      this.released += 1;
    },
    async useDevices(devices: { microphoneId: string; speakerId: string }) {
      this.devices.push(devices);
    },
    dispose() {
      this.disposed = true;
    },
  };
}

function fakeRinger() {
  return {
    ringing: false,
    settings: [] as Array<{ deviceId: string; enabled: boolean }>,
    configure(settings: { deviceId: string; enabled: boolean }) {
      this.settings.push(settings);
    },
    start() {
      this.ringing = true;
    },
    stop() {
      this.ringing = false;
    },
    dispose() {
      this.ringing = false;
    },
  };
}

const flush = () => act(() => new Promise<void>((resolve) => setTimeout(resolve, 0)));

describe('media host', () => {
  it('attaches, answers each media request with the engine, by request id', async () => {
    const api = createFakeCalmlineApi();
    const engine = fakeEngine((request) =>
      request.op === 'get-description' ? { ok: true, sdp: 'v=0 answer' } : { ok: true },
    );
    const stop = startMediaHost(api, { engine, ringer: fakeRinger() });
    await flush();
    expect(api.mediaSent.map((entry) => entry.command)).toEqual(['attachMediaEngine']);

    api.pushMediaRequest({
      requestId: 'r1',
      request: { op: 'create', sessionId: 's1', iceServers: [], iceGatheringTimeoutMs: 100 },
    });
    api.pushMediaRequest({ requestId: 'r2', request: { op: 'get-description', sessionId: 's1', hold: false } });
    await flush();
    expect(engine.handled.map((request) => request.op)).toEqual(['create', 'get-description']);
    expect(api.mediaSent.slice(1)).toEqual([
      { command: 'answerMediaRequest', args: [{ requestId: 'r1', response: { ok: true } }] },
      { command: 'answerMediaRequest', args: [{ requestId: 'r2', response: { ok: true, sdp: 'v=0 answer' } }] },
    ]);
    stop();
    expect(engine.disposed).toBe(true);
    api.pushMediaRequest({ requestId: 'r3', request: { op: 'close', sessionId: 's1' } });
    await flush();
    expect(engine.handled).toHaveLength(2);
  });

  it('applies the saved devices at start and whenever they change', async () => {
    const api = createFakeCalmlineApi({
      audioDevices: {
        microphone: { id: 'mic-1', label: 'Headset mic' },
        speaker: { id: 'spk-1', label: 'Headset' },
        ringer: { id: 'desk', label: 'Desk speaker' },
        ringtone: true,
      },
    });
    const engine = fakeEngine();
    const ringer = fakeRinger();
    const stop = startMediaHost(api, { engine, ringer });
    await flush();
    expect(engine.devices).toEqual([{ microphoneId: 'mic-1', speakerId: 'spk-1' }]);
    expect(ringer.settings).toEqual([{ deviceId: 'desk', enabled: true }]);
    api.pushAudioDevices({
      microphone: { id: '', label: '' },
      speaker: { id: '', label: '' },
      ringer: { id: '', label: '' },
      ringtone: false,
    });
    expect(engine.devices.at(-1)).toEqual({ microphoneId: '', speakerId: '' });
    expect(ringer.settings.at(-1)).toEqual({ deviceId: '', enabled: false });
    stop();
  });

  it('rings while a call rings in and the agent is free, and opens the microphone only while there are calls', async () => {
    const api = createFakeCalmlineApi({ state: phoneState(registered, []) });
    const engine = fakeEngine();
    const ringer = fakeRinger();
    const stop = startMediaHost(api, { engine, ringer });
    await flush();
    expect(ringer.ringing).toBe(false);
    expect(engine.prepared).toBe(0);

    // Applied once the renderer is idle (after the caller card), not in the same task.
    act(() => api.push(phoneState(registered, [callView({ id: 'c1', state: 'ringing' })])));
    expect(ringer.ringing).toBe(false);
    await flush();
    expect(ringer.ringing).toBe(true);
    expect(engine.prepared).toBe(1);

    act(() => api.push(phoneState(registered, [callView({ id: 'c1', state: 'active', answeredAt: 1 })])));
    await flush();
    expect(ringer.ringing).toBe(false);
    // The microphone is opened once per stretch of calls, not at every state change.
    expect(engine.prepared).toBe(1);

    const released = engine.released;
    act(() => api.push(phoneState(registered, [callView({ id: 'c1', state: 'ended', endedAt: 2 })])));
    await flush();
    expect(engine.released).toBe(released + 1);
    stop();
  });

  it('ignores a malformed phone state rather than failing', async () => {
    const api = createFakeCalmlineApi();
    const ringer = fakeRinger();
    const stop = startMediaHost(api, { engine: fakeEngine(), ringer });
    await flush();
    act(() => api.push({ registration: { status: 'stopped' }, calls: 'nope' } as never));
    await flush();
    expect(ringer.ringing).toBe(false);
    stop();
  });

  it('needs: no ringing for a second caller while the agent talks; outgoing calls do not ring', () => {
    const ringingIn = callView({ id: 'b', state: 'ringing' });
    expect(mediaNeeds(phoneState(registered, [ringingIn]))).toEqual({ ring: true, microphone: true });
    expect(mediaNeeds(phoneState(registered, [callView({ id: 'a', state: 'active' }), ringingIn]))).toEqual({
      ring: false,
      microphone: true,
    });
    expect(
      mediaNeeds(phoneState(registered, [callView({ id: 'o', direction: 'outgoing', state: 'dialing' })])),
    ).toEqual({
      ring: false,
      microphone: true,
    });
    expect(mediaNeeds(phoneState(registered, [callView({ id: 'e', state: 'ended' })]))).toEqual({
      ring: false,
      microphone: false,
    });
  });
});

describe('call without sound', () => {
  it('says what is wrong and offers to reconnect the audio', async () => {
    const api = await showCalls([
      callView({
        id: 'c1',
        state: 'active',
        answeredAt: 1,
        mediaProblem: { kind: 'no-audio', message: 'engine text', at: 2 },
      }),
    ]);
    const alert = screen.getByTestId('media-problem');
    expect(alert.getAttribute('role')).toBe('alert');
    expect(alert.textContent).toContain('No sound is arriving from the caller');
    fireEvent.click(
      within(alert).getByRole('button', { name: 'Reconnect the audio of the call with Erika Mustermann' }),
    );
    await waitFor(() => expect(api.sent).toContainEqual({ command: 'reconnectAudio', args: ['c1'] }));
  });

  it('shows a refused reconnect with the translated reason', async () => {
    const api = await showCalls([
      callView({
        id: 'c1',
        state: 'held',
        answeredAt: 1,
        mediaProblem: { kind: 'connection-failed', message: '', at: 2 },
      }),
    ]);
    api.refuseNext('reconnectAudio', 'media-error');
    fireEvent.click(screen.getByRole('button', { name: /Reconnect the audio/ }));
    expect(await screen.findByText(/The call audio failed\. Check the microphone/)).toBeTruthy();
  });

  it('offers the reconnection disabled while the core does not allow it (another re-INVITE under way)', async () => {
    const call = callView({
      id: 'c1',
      state: 'active',
      answeredAt: 1,
      mediaProblem: { kind: 'no-audio', message: '', at: 2 },
    });
    await showCalls([{ ...call, pending: 'hold', allowed: { ...call.allowed, reconnectAudio: false } }]);
    const reconnect = screen.getByRole<HTMLButtonElement>('button', { name: /Reconnect the audio/ });
    expect(reconnect.disabled).toBe(true);
  });

  it('is not shown when the audio is fine or the call has ended', async () => {
    await showCalls([
      callView({ id: 'c1', state: 'active', answeredAt: 1 }),
      callView({ id: 'c2', state: 'ended', endedAt: 3, mediaProblem: { kind: 'no-audio', message: '', at: 2 } }),
    ]);
    expect(screen.queryByTestId('media-problem')).toBeNull();
  });

  it('is in the agent’s language', async () => {
    await showCalls(
      [
        callView({
          id: 'c1',
          state: 'active',
          answeredAt: 1,
          mediaProblem: { kind: 'microphone-lost', message: '', at: 2 },
        }),
      ],
      { language: 'de' },
    );
    expect(screen.getByTestId('media-problem').textContent).toContain('Das Mikrofon funktioniert nicht mehr');
  });
});

describe('audio device settings', () => {
  const device = (kind: MediaDeviceKind, deviceId: string, label: string) =>
    ({ kind, deviceId, label, groupId: 'g', toJSON: () => ({}) }) as MediaDeviceInfo;

  it('lists microphones and speakers, and saves the choice with the labels', async () => {
    const api = createFakeCalmlineApi();
    const listDevices = vi.fn(async () => [
      device('audioinput', 'default', 'Default'),
      device('audioinput', 'mic-h', 'Jabra headset mic'),
      device('audiooutput', 'spk-h', 'Jabra headset'),
      device('audiooutput', 'spk-d', 'Desk speaker'),
    ]);
    renderWithI18n(<AudioDeviceSettings api={api} listDevices={listDevices} />);
    const microphone = await screen.findByRole('combobox', { name: 'Microphone' });
    await waitFor(() => expect(within(microphone).getAllByRole('option')).toHaveLength(2));
    expect(
      within(microphone)
        .getAllByRole('option')
        .map((option) => option.textContent),
    ).toEqual(['System default', 'Jabra headset mic']);
    fireEvent.change(microphone, { target: { value: 'mic-h' } });
    fireEvent.change(screen.getByRole('combobox', { name: 'Speaker for calls' }), { target: { value: 'spk-h' } });
    fireEvent.change(screen.getByRole('combobox', { name: 'Ringing device' }), { target: { value: 'spk-d' } });
    fireEvent.click(screen.getByRole('checkbox', { name: 'Play a ringtone for incoming calls' }));
    fireEvent.click(screen.getByRole('button', { name: 'Save audio devices' }));
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Audio devices saved.'));
    expect(api.sent).toContainEqual({
      command: 'saveAudioDevices',
      args: [
        {
          microphone: { id: 'mic-h', label: 'Jabra headset mic' },
          speaker: { id: 'spk-h', label: 'Jabra headset' },
          ringer: { id: 'spk-d', label: 'Desk speaker' },
          ringtone: false,
        },
      ],
    });
  });

  it('keeps a saved device that is unplugged in the list, marked, so the choice is not lost', async () => {
    const api = createFakeCalmlineApi({
      audioDevices: {
        microphone: { id: 'gone', label: 'Old headset' },
        speaker: { id: '', label: '' },
        ringer: { id: '', label: '' },
        ringtone: true,
      },
    });
    renderWithI18n(
      <AudioDeviceSettings api={api} listDevices={async () => [device('audioinput', 'mic-h', 'Headset')]} />,
    );
    const microphone = (await screen.findByRole('combobox', { name: 'Microphone' })) as HTMLSelectElement;
    expect(microphone.value).toBe('gone');
    await waitFor(() =>
      expect(within(microphone).getByRole('option', { name: 'Old headset (not connected)' })).toBeTruthy(),
    );
  });

  it('says why device names are missing before the microphone is allowed', async () => {
    renderWithI18n(
      <AudioDeviceSettings api={createFakeCalmlineApi()} listDevices={async () => [device('audioinput', 'x', '')]} />,
    );
    expect(await screen.findByText('Device names appear once Calmline may use the microphone.')).toBeTruthy();
  });
});
