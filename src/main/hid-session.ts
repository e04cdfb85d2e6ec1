/**
 * Installs the HID policy (src/main/hid-policy.ts) on an Electron session: the device
 * permission handler and the `select-hid-device` chooser. Thin; the session is
 * injected so the glue is tested in Node (tests/unit/main/hid-policy.test.ts).
 */
import { allowHidDevice, chooseHidDevice, type HidDeviceInfo } from './hid-policy';

/** The part of Electron's `Session` this glue uses. */
export interface HidSession {
  setDevicePermissionHandler(
    handler: (details: { deviceType: string; origin: string; device: object }) => boolean,
  ): void;
  on(
    event: 'select-hid-device',
    listener: (
      event: { preventDefault(): void },
      details: { deviceList: Partial<HidDeviceInfo>[]; frame: { url: string } | null },
      callback: (deviceId?: string | null) => void,
    ) => void,
  ): unknown;
}

/** Grants telephony headsets to our own page (`appUrl()`), and nothing else. */
export function installHidPolicy(session: HidSession, appUrl: () => string): void {
  session.setDevicePermissionHandler((details) => allowHidDevice(details, appUrl()));
  session.on('select-hid-device', (event, details, callback) => {
    event.preventDefault();
    callback(chooseHidDevice(details.frame?.url, details.deviceList, appUrl()) ?? null);
  });
}
