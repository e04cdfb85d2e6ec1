/**
 * A fake `navigator.hid` for the end-to-end page (this machine's kernel has no virtual
 * HID devices): one telephony headset object with the layout given, whose input
 * reports the test sends and whose output reports it reads. Installed with
 * `page.addInitScript(installFakeHeadset, layout)` before the app loads, so the app's
 * own WebHID code runs unchanged on it.
 */
import type { LayoutCollection } from './headset-layouts';

/** What the page exposes as `globalThis.__headset`. */
export interface FakeHeadsetHandle {
  sent: { reportId: number; bytes: number[] }[];
  press(reportId: number, bytes: number[]): void;
}

/** Runs in the page (serialised by Playwright): no imports, no closures over Node. */
export function installFakeHeadset(collections: LayoutCollection[]): void {
  type Listener = (event: { reportId: number; data: DataView; device: unknown }) => void;
  const sent: { reportId: number; bytes: number[] }[] = [];
  const listeners = new Set<Listener>();
  const device = {
    productName: 'Jabra Engage 65 (test device)',
    vendorId: 0x0b0e,
    productId: 0x0306,
    opened: false,
    collections,
    open() {
      device.opened = true;
      return Promise.resolve();
    },
    close() {
      device.opened = false;
      return Promise.resolve();
    },
    sendReport(reportId: number, data: Uint8Array) {
      sent.push({ reportId, bytes: Array.from(data) });
      return Promise.resolve();
    },
    addEventListener(type: string, listener: Listener) {
      if (type === 'inputreport') listeners.add(listener);
    },
    removeEventListener(_type: string, listener: Listener) {
      listeners.delete(listener);
    },
  };
  // Like a browser: the page sees the device once the agent picked it in the chooser.
  let granted = false;
  const hid = {
    getDevices: () => Promise.resolve(granted ? [device] : []),
    requestDevice: () => {
      granted = true;
      return Promise.resolve([device]);
    },
    addEventListener: () => undefined,
    removeEventListener: () => undefined,
  };
  const page = globalThis as unknown as { Navigator: { prototype: object }; __headset: FakeHeadsetHandle };
  Object.defineProperty(page.Navigator.prototype, 'hid', { configurable: true, get: () => hid });
  page.__headset = {
    sent,
    press(reportId, bytes) {
      const data = new DataView(new Uint8Array(bytes).buffer);
      for (const listener of [...listeners]) listener({ reportId, data, device });
    },
  };
}
