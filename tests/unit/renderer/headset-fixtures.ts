/**
 * The headset layouts of tests/support/headset-layouts.ts typed as WebHID collections,
 * and a fake device that records what is sent to it and replays input reports.
 */
import type { HidCollectionInfo } from '../../../src/renderer/src/headset/hid-telephony';
import type { HidInputReportEventLike, TelephonyHidDevice } from '../../../src/renderer/src/headset/headset-controller';
import { JABRA_STYLE as JABRA, POLY_STYLE as POLY } from '../../support/headset-layouts';

/** Jabra-style: report ids, one bit per button, keypad array, LEDs and ringer in report 2. */
export const JABRA_STYLE: readonly HidCollectionInfo[] = JABRA;
/** Poly/EPOS/Yealink-style: no report ids, an array item, LEDs in a child collection. */
export const POLY_STYLE: readonly HidCollectionInfo[] = POLY;

/** A fake `HIDDevice`: records every output report, replays inputs, and can be unplugged. */
export class FakeHidDevice implements TelephonyHidDevice {
  opened = false;
  unplugged = false;
  readonly sent: { reportId: number; bytes: number[] }[] = [];
  private readonly listeners = new Set<(event: HidInputReportEventLike) => void>();

  constructor(
    readonly collections: readonly HidCollectionInfo[],
    readonly productName = 'Test headset',
    readonly vendorId = 0x0b0e,
    readonly productId = 0x0001,
  ) {}

  open(): Promise<void> {
    if (this.unplugged) return Promise.reject(new DOMException('The device was disconnected.', 'NotFoundError'));
    this.opened = true;
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.opened = false;
    return Promise.resolve();
  }

  sendReport(reportId: number, data: Uint8Array): Promise<void> {
    if (this.unplugged || !this.opened) {
      return Promise.reject(new DOMException('Failed to write the report.', 'NotAllowedError'));
    }
    this.sent.push({ reportId, bytes: [...data] });
    return Promise.resolve();
  }

  addEventListener(_type: 'inputreport', listener: (event: HidInputReportEventLike) => void): void {
    this.listeners.add(listener);
  }

  removeEventListener(_type: 'inputreport', listener: (event: HidInputReportEventLike) => void): void {
    this.listeners.delete(listener);
  }

  /** The headset sends an input report (its bytes without the report id). */
  press(reportId: number, bytes: readonly number[]): void {
    const data = new DataView(new Uint8Array(bytes).buffer);
    for (const listener of [...this.listeners]) listener({ reportId, data });
  }

  /** The last output report sent, as bytes. */
  lastSent(): number[] | undefined {
    return this.sent.at(-1)?.bytes;
  }
}
