/**
 * Which HID devices the agent's window may use (docs/desk.md#headset): headsets with a
 * telephony collection, for our own page only. Pure, so it is tested in Node
 * (tests/unit/main/hid-policy.test.ts); src/main/window.ts installs it on the session (installHidPolicy).
 */
import { isOwnPage } from './permission-policy';

/** Usage page of telephony devices (headsets, handsets, speakerphones). */
const TELEPHONY_PAGE = 0x0b;

/** The part of Electron's `HIDDevice` the policy reads. */
export interface HidDeviceInfo {
  deviceId: string;
  vendorId: number;
  productId: number;
  name: string;
  collections?: readonly { usagePage: number }[];
}

/** True when the device offers the telephony page: a headset Calmline can drive. */
export function isTelephonyDevice(device: object): boolean {
  const collections: unknown = (device as { collections?: unknown }).collections;
  return (
    Array.isArray(collections) &&
    collections.some(
      (c: unknown) => typeof c === 'object' && c !== null && 'usagePage' in c && c.usagePage === TELEPHONY_PAGE,
    )
  );
}

/**
 * True when `origin` is our own page's origin. Electron reports a `file:` page's
 * origin as `file://`, so for the packaged app that is all there is to compare.
 */
export function isOwnOrigin(origin: string, appUrl: string): boolean {
  let app: URL;
  try {
    app = new URL(appUrl);
  } catch {
    return false;
  }
  if (app.protocol === 'file:') return origin === 'file://';
  return origin === app.origin;
}

/** The session's `hid` permission check: our page may ask for HID devices at all. */
export function allowHidCheck(permission: string, requestingUrl: string, appUrl: string): boolean {
  return permission === 'hid' && isOwnPage(requestingUrl, appUrl);
}

/** The session's device permission handler: telephony devices for our own origin, nothing else. */
export function allowHidDevice(
  details: { deviceType: string; origin: string; device: object },
  appUrl: string,
): boolean {
  return details.deviceType === 'hid' && isOwnOrigin(details.origin, appUrl) && isTelephonyDevice(details.device);
}

/**
 * `select-hid-device` (the page called `navigator.hid.requestDevice`): Electron has no
 * chooser, so the first telephony device is granted when our page asks, and nothing
 * otherwise. With the device permission handler above, the page then also sees every
 * other telephony headset in `getDevices()`, where the agent chooses in Settings.
 */
export function chooseHidDevice(
  frameUrl: string | undefined,
  devices: readonly Partial<HidDeviceInfo>[],
  appUrl: string,
): string | undefined {
  if (!frameUrl || !isOwnPage(frameUrl, appUrl)) return undefined;
  return devices.find(isTelephonyDevice)?.deviceId;
}
