/**
 * The headset, wired to the window (docs/desk.md#headset): finds the headset the
 * agent chose (desk settings, by USB vendor and product id) among the HID devices
 * this page may use, runs a {@link HeadsetController} on it with the phone state, and
 * turns its intents into call-button requests (src/renderer/src/state/call-requests.ts).
 * Plugging the headset in or out is followed; a call is never touched by it.
 *
 * `hid` is `navigator.hid` in the app; absent where WebHID is not available (jsdom,
 * old browsers), and an injected fake in the end-to-end tests.
 */
import type { CalmlineApi } from '../../../shared/api';
import { phoneStateSchema, type CallView } from '../../../shared/contract';
import { deskSettingsSchema, type HeadsetChoice } from '../../../shared/desk';
import { requestCallAction } from '../state/call-requests';
import { HeadsetController, type HeadsetStatus, type TelephonyHidDevice } from './headset-controller';
import { hasTelephonyCollection, TELEPHONY_PAGE } from './hid-telephony';

/** The part of `navigator.hid` the host uses. */
export interface HidLike {
  getDevices(): Promise<TelephonyHidDevice[]>;
  requestDevice(options: { filters: { usagePage: number }[] }): Promise<TelephonyHidDevice[]>;
  addEventListener(type: 'connect' | 'disconnect', listener: (event: { device: TelephonyHidDevice }) => void): void;
  removeEventListener(type: 'connect' | 'disconnect', listener: (event: { device: TelephonyHidDevice }) => void): void;
}

/** What the settings screen shows about the headset. */
export interface HeadsetHostState {
  /** WebHID is available in this window. */
  supported: boolean;
  /** The chosen headset, from the desk settings. */
  chosen: HeadsetChoice | null;
  /** Where its controller stands; `absent` while it is not plugged in. */
  status: HeadsetStatus | 'absent' | 'none';
}

const stateListeners = new Set<() => void>();
let hostState: HeadsetHostState = { supported: false, chosen: null, status: 'none' };

function publish(next: Partial<HeadsetHostState>): void {
  hostState = { ...hostState, ...next };
  for (const listener of [...stateListeners]) listener();
}

/** The headset state for `useSyncExternalStore`. */
export const headsetState = {
  subscribe(listener: () => void): () => void {
    stateListeners.add(listener);
    return () => stateListeners.delete(listener);
  },
  getSnapshot: (): HeadsetHostState => hostState,
};

/** The `navigator.hid` of this window, if it has one. */
export function browserHid(): HidLike | undefined {
  const hid = (navigator as Navigator & { hid?: HidLike }).hid;
  return hid && typeof hid.getDevices === 'function' ? hid : undefined;
}

/** The telephony devices this page may use (for the settings' device list). */
export async function telephonyDevices(hid: HidLike | undefined): Promise<TelephonyHidDevice[]> {
  if (!hid) return [];
  const devices = await hid.getDevices().catch(() => []);
  return devices.filter((device) => hasTelephonyCollection(device.collections));
}

/** Asks the browser (or Electron's session) for a telephony device; needs a click. */
export async function requestTelephonyDevice(hid: HidLike | undefined): Promise<TelephonyHidDevice | undefined> {
  if (!hid) return undefined;
  const devices = await hid.requestDevice({ filters: [{ usagePage: TELEPHONY_PAGE }] }).catch(() => []);
  return devices.find((device) => hasTelephonyCollection(device.collections));
}

const matches = (device: TelephonyHidDevice, choice: HeadsetChoice) =>
  device.vendorId === choice.vendorId &&
  device.productId === choice.productId &&
  hasTelephonyCollection(device.collections);

/** Starts the headset host for this window; returns the function that stops it. */
export function startHeadsetHost(
  api: Pick<CalmlineApi, 'getPhoneState' | 'onPhoneState' | 'getDeskSettings' | 'onDeskSettings'>,
  hid: HidLike | undefined = browserHid(),
): () => void {
  publish({ supported: hid !== undefined });
  if (!hid) return () => undefined;
  let stopped = false;
  let calls: readonly CallView[] = [];
  let pushedPhone = false;
  let pushedDesk = false;
  let choice: HeadsetChoice | null = null;
  let current: { device: TelephonyHidDevice; controller: HeadsetController } | undefined;
  // Opening devices one at a time: a settings change while one opens waits for it.
  let queue: Promise<void> = Promise.resolve();

  const release = async () => {
    const running = current;
    current = undefined;
    await running?.controller.stop();
  };

  const attach = (device: TelephonyHidDevice) => {
    const controller = new HeadsetController({
      device,
      onIntent: (intent) => requestCallAction(intent),
      onStatus: (status) => {
        if (current?.controller === controller) publish({ status });
      },
    });
    current = { device, controller };
    return controller.start(calls);
  };

  const connectChosen = () => {
    queue = queue.then(async () => {
      if (stopped) return;
      if (current && choice && matches(current.device, choice)) return;
      await release();
      if (!choice) {
        publish({ status: 'none' });
        return;
      }
      const wanted = choice;
      const device = (await hid.getDevices().catch(() => [])).find((candidate) => matches(candidate, wanted));
      if (stopped) return;
      if (!device) {
        publish({ status: 'absent' });
        return;
      }
      await attach(device);
    });
  };

  const followDesk = (input: unknown) => {
    const parsed = deskSettingsSchema.safeParse(input);
    if (stopped || !parsed.success) return;
    choice = parsed.data.headset;
    publish({ chosen: choice });
    connectChosen();
  };

  const followPhone = (input: unknown, pushed: boolean) => {
    const parsed = phoneStateSchema.safeParse(input);
    if (stopped || !parsed.success) return;
    // A slow first load never overwrites a newer push.
    if (!pushed && pushedPhone) return;
    if (pushed) pushedPhone = true;
    calls = parsed.data.calls;
    current?.controller.update(calls);
  };

  const onConnect = ({ device }: { device: TelephonyHidDevice }) => {
    if (choice && matches(device, choice) && !current) connectChosen();
  };
  const onDisconnect = ({ device }: { device: TelephonyHidDevice }) => {
    if (current?.device !== device) return;
    current.controller.disconnected();
    current = undefined;
    publish({ status: 'absent' });
  };
  hid.addEventListener('connect', onConnect);
  hid.addEventListener('disconnect', onDisconnect);

  const unsubscribe = [
    api.onPhoneState((state) => followPhone(state, true)),
    api.onDeskSettings((settings) => {
      pushedDesk = true;
      followDesk(settings);
    }),
  ];
  void api.getPhoneState().then((result) => {
    if (result.ok) followPhone(result.value, false);
  });
  void api.getDeskSettings().then((result) => {
    if (result.ok && !pushedDesk) followDesk(result.value);
  });

  return () => {
    stopped = true;
    for (const off of unsubscribe) off();
    hid.removeEventListener('connect', onConnect);
    hid.removeEventListener('disconnect', onDisconnect);
    void release();
  };
}
