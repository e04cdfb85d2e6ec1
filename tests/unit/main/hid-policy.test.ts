/** The HID policy of the Electron window (src/main/hid-policy.ts): telephony headsets, our page only. */
import { describe, expect, it } from 'vitest';
import { allowHidCheck, allowHidDevice, chooseHidDevice, isOwnOrigin } from '../../../src/main/hid-policy';

const PACKAGED = 'file:///opt/Calmline/resources/app.asar/out/renderer/index.html';
const DEV = 'http://localhost:5173/';
const headset = {
  deviceId: 'h1',
  vendorId: 0x0b0e,
  productId: 0x24a3,
  name: 'Jabra Evolve2',
  collections: [{ usagePage: 0x0b }],
};
const keyboard = {
  deviceId: 'k1',
  vendorId: 0x046d,
  productId: 0xc31c,
  name: 'Keyboard',
  collections: [{ usagePage: 0x01 }],
};
const yubikey = {
  deviceId: 'y1',
  vendorId: 0x1050,
  productId: 0x0407,
  name: 'YubiKey',
  collections: [{ usagePage: 0xf1d0 }],
};

describe('HID policy', () => {
  it('grants telephony headsets to our own page', () => {
    expect(allowHidDevice({ deviceType: 'hid', origin: 'file://', device: headset }, PACKAGED)).toBe(true);
    expect(allowHidDevice({ deviceType: 'hid', origin: 'http://localhost:5173', device: headset }, DEV)).toBe(true);
    expect(allowHidCheck('hid', PACKAGED, PACKAGED)).toBe(true);
  });

  it('refuses keyboards, security keys and devices without collections', () => {
    for (const device of [keyboard, yubikey, { deviceId: 'x' }, { deviceId: 'z', collections: 'nope' as never }]) {
      expect(allowHidDevice({ deviceType: 'hid', origin: 'file://', device }, PACKAGED)).toBe(false);
    }
  });

  it('refuses other origins, other device types and other permissions', () => {
    expect(allowHidDevice({ deviceType: 'hid', origin: 'https://evil.example', device: headset }, PACKAGED)).toBe(
      false,
    );
    expect(allowHidDevice({ deviceType: 'hid', origin: 'http://localhost:5174', device: headset }, DEV)).toBe(false);
    expect(allowHidDevice({ deviceType: 'usb', origin: 'file://', device: headset }, PACKAGED)).toBe(false);
    expect(allowHidDevice({ deviceType: 'serial', origin: 'file://', device: headset }, PACKAGED)).toBe(false);
    expect(allowHidCheck('hid', 'file:///tmp/evil.html', PACKAGED)).toBe(false);
    expect(allowHidCheck('usb', PACKAGED, PACKAGED)).toBe(false);
    expect(isOwnOrigin('file://', 'not a url')).toBe(false);
  });

  it('chooses the first telephony device for our page, and none for anyone else', () => {
    expect(chooseHidDevice(PACKAGED, [keyboard, headset, yubikey], PACKAGED)).toBe('h1');
    expect(chooseHidDevice(PACKAGED, [keyboard, yubikey], PACKAGED)).toBeUndefined();
    expect(chooseHidDevice('https://evil.example/', [headset], PACKAGED)).toBeUndefined();
    expect(chooseHidDevice(undefined, [headset], PACKAGED)).toBeUndefined();
  });
});

describe('HID session glue', () => {
  it('installs the device permission handler and answers the chooser', async () => {
    const { installHidPolicy } = await import('../../../src/main/hid-session');
    let permission: ((details: { deviceType: string; origin: string; device: object }) => boolean) | undefined;
    let chooser: ((...args: never[]) => void) | undefined;
    installHidPolicy(
      {
        setDevicePermissionHandler: (handler) => (permission = handler),
        on: (_event, listener) => (chooser = listener as never),
      },
      () => PACKAGED,
    );
    expect(permission?.({ deviceType: 'hid', origin: 'file://', device: headset })).toBe(true);
    expect(permission?.({ deviceType: 'hid', origin: 'file://', device: keyboard })).toBe(false);
    const answers: unknown[] = [];
    let prevented = 0;
    const event = { preventDefault: () => (prevented += 1) };
    const run = chooser as unknown as (e: typeof event, d: object, cb: (id?: string | null) => void) => void;
    run(event, { deviceList: [keyboard, headset], frame: { url: PACKAGED } }, (id) => answers.push(id));
    run(event, { deviceList: [headset], frame: { url: 'https://evil.example/' } }, (id) => answers.push(id));
    run(event, { deviceList: [headset], frame: null }, (id) => answers.push(id));
    expect(answers).toEqual(['h1', null, null]);
    expect(prevented).toBe(3);
  });
});
