/**
 * Two headset report layouts as WebHID describes them (`HIDDevice.collections`), as
 * plain data so both the unit tests (tests/unit/renderer/headset-fixtures.ts) and the
 * page of the end-to-end test (tests/support/fake-headset.ts) use the same bytes.
 *
 * These layouts were written here after the shapes of the vendors' public telephony
 * descriptors (usage ids from the HID Usage Tables; report ids, bit order, arrays and
 * child collections differ between vendors); they were not captured from hardware on
 * this machine, which has no USB headset and no virtual HID devices. See README "Headsets".
 */

/** One report item, in the shape of WebHID's `HIDReportItem`. */
export interface LayoutItem {
  isAbsolute?: boolean;
  isArray?: boolean;
  isRange?: boolean;
  isConstant?: boolean;
  usages?: number[];
  usageMinimum?: number;
  usageMaximum?: number;
  reportSize?: number;
  reportCount?: number;
  logicalMinimum?: number;
  logicalMaximum?: number;
}

/** One collection, in the shape of WebHID's `HIDCollectionInfo`. */
export interface LayoutCollection {
  usagePage: number;
  usage: number;
  type: number;
  children?: LayoutCollection[];
  inputReports?: { reportId: number; items: LayoutItem[] }[];
  outputReports?: { reportId: number; items: LayoutItem[] }[];
}

const bit = (extendedUsage: number, isAbsolute = true): LayoutItem => ({
  usages: [extendedUsage],
  reportSize: 1,
  reportCount: 1,
  logicalMinimum: 0,
  logicalMaximum: 1,
  isAbsolute,
  isArray: false,
});
const pad = (bits: number): LayoutItem => ({ isConstant: true, reportSize: 1, reportCount: bits, usages: [] });

/**
 * Jabra-style: report ids; input report 2 carries Hook Switch (absolute), Line Busy
 * Tone, a pad, Phone Mute and Flash (relative, momentary), Redial, a pad, then a
 * keypad array byte; output report 2 carries Off-Hook, Mute, Ring and Hold LEDs, a
 * pad, then the telephony Ringer in the second byte. A vendor collection (report 5)
 * sits beside it and is ignored.
 */
export const JABRA_STYLE: LayoutCollection[] = [
  {
    usagePage: 0x0b,
    usage: 0x05,
    type: 1,
    children: [],
    inputReports: [
      {
        reportId: 2,
        items: [
          bit(0x0b0020),
          bit(0x0b0097),
          pad(1),
          bit(0x0b002f, false),
          bit(0x0b0021, false),
          bit(0x0b0024, false),
          pad(2),
          {
            isArray: true,
            isRange: true,
            usageMinimum: 0x0b00b0,
            usageMaximum: 0x0b00bb,
            reportSize: 8,
            reportCount: 1,
            logicalMinimum: 1,
            logicalMaximum: 12,
          },
        ],
      },
    ],
    outputReports: [
      {
        reportId: 2,
        items: [bit(0x080017), bit(0x080009), bit(0x080018), bit(0x080020), pad(4), bit(0x0b009e), pad(7)],
      },
    ],
  },
  {
    usagePage: 0xff30,
    usage: 0x01,
    type: 1,
    children: [],
    inputReports: [{ reportId: 5, items: [{ usages: [0xff300020], reportSize: 8, reportCount: 2 }] }],
    outputReports: [{ reportId: 5, items: [{ usages: [0xff300020], reportSize: 8, reportCount: 2 }] }],
  },
];

/**
 * Poly/EPOS/Yealink-style: no report ids; input starts with a vendor byte, then
 * Phone Mute and Hook Switch (both absolute), then an array byte naming Drop or
 * Line Busy Tone while held down; the LEDs sit in an output report described in a
 * child (logical) collection: Mute, a pad, Off-Hook, Ring, Hold. No ringer.
 */
export const POLY_STYLE: LayoutCollection[] = [
  {
    usagePage: 0x0b,
    usage: 0x01,
    type: 1,
    inputReports: [
      {
        reportId: 0,
        items: [
          { usages: [0xffa00001], reportSize: 8, reportCount: 1, isAbsolute: true },
          bit(0x0b002f),
          bit(0x0b0020),
          pad(6),
          {
            isArray: true,
            usages: [0x0b0026, 0x0b0097],
            reportSize: 8,
            reportCount: 1,
            logicalMinimum: 1,
            logicalMaximum: 2,
          },
        ],
      },
    ],
    outputReports: [],
    children: [
      {
        usagePage: 0x08,
        usage: 0x00,
        type: 2,
        children: [],
        inputReports: [],
        outputReports: [
          { reportId: 0, items: [bit(0x080009), pad(1), bit(0x080017), bit(0x080018), bit(0x080020), pad(3)] },
        ],
      },
    ],
  },
];
