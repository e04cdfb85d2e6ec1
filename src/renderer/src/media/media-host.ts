/**
 * The renderer's half of the media bridge, wired to the contract: main's
 * `media:request` events go to the WebRTC engine and its answers go back as
 * `media:response`; the engine's watchdog reports go to main as `media:report`.
 * It also follows the phone state (ringtone while a call rings, the microphone open
 * only while there is a call) and the agent's audio device settings.
 *
 * The same code runs in Electron (preload IPC) and the web host (WebSocket bridge),
 * because both give the renderer the same `CalmlineApi`.
 */
import type { CalmlineApi } from '../../../shared/api';
import { audioDevicesSchema, phoneStateSchema, type AudioDevices, type PhoneState } from '../../../shared/contract';
import { Ringer } from './ringer';
import { WebRtcMediaEngine } from './webrtc-media-engine';

export interface MediaHostOptions {
  /** Default: a WebRtcMediaEngine reporting to main. */
  engine?: Pick<WebRtcMediaEngine, 'handle' | 'prepare' | 'releaseMicrophone' | 'useDevices' | 'dispose'>;
  ringer?: Pick<Ringer, 'configure' | 'start' | 'stop' | 'dispose'>;
}

/** What the media host does for one phone state. */
export function mediaNeeds(state: PhoneState): { ring: boolean; microphone: boolean } {
  const live = state.calls.filter((call) => call.state !== 'ended');
  const connected = live.some(
    (call) => call.state === 'active' || call.state === 'held' || call.state === 'transferring',
  );
  const ringingIn = live.some((call) => call.state === 'ringing' && call.direction === 'incoming');
  // Ring only when the agent is free: during a call the card shows the waiting caller.
  return { ring: ringingIn && !connected, microphone: live.length > 0 };
}

/** Runs `task` once the renderer is idle, or after `timeoutMs` at the latest. */
function afterPaint(task: () => void, timeoutMs = 150): void {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(task, { timeout: timeoutMs });
  else setTimeout(task, 0);
}

/** Starts the media host for this window; returns the function that stops it. */
export function startMediaHost(api: CalmlineApi, options: MediaHostOptions = {}): () => void {
  const engine =
    options.engine ??
    new WebRtcMediaEngine({
      onEvent: (event) => {
        void api.reportMedia(event);
      },
    });
  const ringer = options.ringer ?? new Ringer();
  let stopped = false;

  // Main's events are checked here too, as the stores do: a malformed one is ignored.
  const applyDevices = (input: AudioDevices) => {
    const parsed = audioDevicesSchema.safeParse(input);
    if (stopped || !parsed.success) return;
    const devices = parsed.data;
    void engine
      .useDevices({ microphoneId: devices.microphone.id, speakerId: devices.speaker.id })
      .catch(() => undefined);
    ringer.configure({ deviceId: devices.ringer.id, enabled: devices.ringtone });
  };
  let applied: ReturnType<typeof mediaNeeds> | undefined;
  let pending: ReturnType<typeof mediaNeeds> | undefined;
  const apply = () => {
    const needs = pending;
    pending = undefined;
    if (stopped || !needs) return;
    if (needs.ring !== applied?.ring) {
      if (needs.ring) ringer.start();
      else ringer.stop();
    }
    if (needs.microphone !== applied?.microphone) {
      // Opening the microphone while the call rings saves the answer 60–190 ms
      // (docs/webrtc-audio.md#a8); a failure shows when the agent answers.
      if (needs.microphone) void engine.prepare().catch(() => undefined);
      else engine.releaseMicrophone();
    }
    applied = needs;
  };
  const followPhone = (input: PhoneState) => {
    const parsed = phoneStateSchema.safeParse(input);
    if (stopped || !parsed.success) return;
    const first = pending === undefined;
    pending = mediaNeeds(parsed.data);
    // The caller card comes first: starting the ringtone's audio graph and asking for
    // the microphone wait until the renderer is idle (at most 150 ms), so they never
    // delay painting who is calling (bench/workspace.ts).
    if (first) afterPaint(apply);
  };

  const unsubscribe = [
    api.onMediaRequest(({ requestId, request }) => {
      void engine.handle(request).then((response) => {
        if (!stopped) void api.answerMediaRequest({ requestId, response });
      });
    }),
    api.onAudioDevices(applyDevices),
    api.onPhoneState(followPhone),
  ];
  void api.getAudioDevices().then((result) => {
    if (result.ok) applyDevices(result.value);
  });
  void api.getPhoneState().then((result) => {
    if (result.ok) followPhone(result.value);
  });
  void api.attachMediaEngine();

  return () => {
    stopped = true;
    for (const off of unsubscribe) off();
    ringer.dispose();
    engine.dispose();
  };
}
