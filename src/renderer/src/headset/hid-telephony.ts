/**
 * The HID Telephony usage page, read from the collections WebHID describes a device
 * with (`HIDDevice.collections`), in plain code: no `navigator.hid`, so it is tested
 * with recorded layouts (tests/unit/renderer/headset-controller.test.ts). See
 * docs/desk.md#headset for the usages and why each is read the way it is.
 *
 * A layout is built once per device from its report descriptor: where each usage we
 * care about sits in which report (report id, bit offset, size). Input reports are
 * then decoded into usage → value, and the headset's wanted LED state is encoded
 * into the output reports that carry those LEDs.
 */

/** An extended usage: the page in the high 16 bits, the usage id in the low 16. */
export const usage = (page: number, id: number): number => ((page << 16) | id) >>> 0;

/** Usage pages this module reads. */
export const TELEPHONY_PAGE = 0x0b;
export const LED_PAGE = 0x08;

/** The telephony usages a headset reports (inputs) and the indicators it shows (outputs). */
export const HID_USAGES = {
  /** Telephony: the headset's call button, as the off-hook state it asks for. */
  hookSwitch: usage(TELEPHONY_PAGE, 0x20),
  /** Telephony: Flash, the swap/hold button on many base stations. */
  flash: usage(TELEPHONY_PAGE, 0x21),
  /** Telephony: a dedicated hold button. */
  hold: usage(TELEPHONY_PAGE, 0x23),
  /** Telephony: Drop, a dedicated hang-up button. */
  drop: usage(TELEPHONY_PAGE, 0x26),
  /** Telephony: the mute button. */
  phoneMute: usage(TELEPHONY_PAGE, 0x2f),
  /** Telephony: Line Busy Tone; headsets send it to reject a ringing call. */
  lineBusyTone: usage(TELEPHONY_PAGE, 0x97),
  /** Telephony output: ring the headset itself. */
  ringer: usage(TELEPHONY_PAGE, 0x9e),
  /** LED: Mute. */
  muteLed: usage(LED_PAGE, 0x09),
  /** LED: Off-Hook (in a call). */
  offHookLed: usage(LED_PAGE, 0x17),
  /** LED: Ring. */
  ringLed: usage(LED_PAGE, 0x18),
  /** LED: Hold. */
  holdLed: usage(LED_PAGE, 0x20),
} as const;

/** The input usages the controller reacts to. */
export type HeadsetInput = 'hookSwitch' | 'flash' | 'hold' | 'drop' | 'phoneMute' | 'lineBusyTone';
/** The outputs the controller drives. */
export type HeadsetOutput = 'ringer' | 'muteLed' | 'offHookLed' | 'ringLed' | 'holdLed';

const INPUTS: readonly HeadsetInput[] = ['hookSwitch', 'flash', 'hold', 'drop', 'phoneMute', 'lineBusyTone'];
const OUTPUTS: readonly HeadsetOutput[] = ['ringer', 'muteLed', 'offHookLed', 'ringLed', 'holdLed'];

/** One main item of a report, as WebHID's `HIDReportItem` describes it (every member optional there). */
export interface HidReportItem {
  isAbsolute?: boolean;
  isArray?: boolean;
  isRange?: boolean;
  isConstant?: boolean;
  usages?: readonly number[];
  usageMinimum?: number;
  usageMaximum?: number;
  reportSize?: number;
  reportCount?: number;
  logicalMinimum?: number;
  logicalMaximum?: number;
}

/** One report of a collection (`HIDReportInfo`). */
export interface HidReportInfo {
  reportId?: number;
  items?: readonly HidReportItem[];
}

/** One collection (`HIDCollectionInfo`). */
export interface HidCollectionInfo {
  usagePage?: number;
  usage?: number;
  type?: number;
  children?: readonly HidCollectionInfo[];
  inputReports?: readonly HidReportInfo[];
  outputReports?: readonly HidReportInfo[];
}

/** Where one variable field sits in a report. */
interface Field {
  usage: number;
  bitOffset: number;
  bitSize: number;
  logicalMinimum: number;
  logicalMaximum: number;
  /** Relative (a momentary press) rather than absolute (a state). */
  relative: boolean;
}

/** An array item: slots that each hold the index of one usage that is on. */
interface ArrayField {
  bitOffset: number;
  bitSize: number;
  count: number;
  logicalMinimum: number;
  usageOf(index: number): number | undefined;
  /** Every usage the slots can name. */
  usages: ReadonlySet<number>;
}

/** One report's layout. */
export interface ReportLayout {
  reportId: number;
  byteLength: number;
  fields: readonly Field[];
  arrays: readonly ArrayField[];
}

/** What a device's telephony collections offer, as layouts per report. */
export interface TelephonyLayout {
  inputs: ReadonlyMap<number, ReportLayout>;
  outputs: ReadonlyMap<number, ReportLayout>;
  /** The input usages the device can report (by name). */
  inputUsages: ReadonlySet<HeadsetInput>;
  /** The outputs the device can show (by name). */
  outputUsages: ReadonlySet<HeadsetOutput>;
}

/** True when a collection (or a child of it) is on the telephony page: the devices WebHID is asked for. */
export function isTelephonyCollection(collection: HidCollectionInfo): boolean {
  return collection.usagePage === TELEPHONY_PAGE;
}

/** True when the device has a top-level telephony collection (a headset, a handset, a speakerphone). */
export function hasTelephonyCollection(collections: readonly HidCollectionInfo[]): boolean {
  return collections.some(isTelephonyCollection);
}

function* walk(collection: HidCollectionInfo): Generator<HidCollectionInfo> {
  yield collection;
  for (const child of collection.children ?? []) yield* walk(child);
}

function nonNegative(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : fallback;
}

/** Report size and count beyond these are not a headset's (and would make huge buffers). */
const MAX_FIELD_BITS = 32;
const MAX_REPORT_BYTES = 1024;

function layoutOf(reportId: number, items: readonly HidReportItem[]): ReportLayout {
  const fields: Field[] = [];
  const arrays: ArrayField[] = [];
  let bit = 0;
  for (const item of items) {
    const bitSize = Math.min(nonNegative(item.reportSize, 0), MAX_FIELD_BITS);
    const count = nonNegative(item.reportCount, 0);
    if (bit + bitSize * count > MAX_REPORT_BYTES * 8) break;
    const usages = item.usages ?? [];
    const logicalMinimum = item.logicalMinimum ?? 0;
    const logicalMaximum = item.logicalMaximum ?? 1;
    if (!item.isConstant && bitSize > 0) {
      if (item.isArray) {
        const usageOf = (index: number): number | undefined => {
          if (item.isRange && item.usageMinimum !== undefined && item.usageMaximum !== undefined) {
            const candidate = item.usageMinimum + index;
            return candidate <= item.usageMaximum ? candidate : undefined;
          }
          return usages[index];
        };
        const all = new Set<number>();
        if (item.isRange && item.usageMinimum !== undefined && item.usageMaximum !== undefined) {
          for (let u = item.usageMinimum; u <= item.usageMaximum && all.size < 1024; u += 1) all.add(u);
        } else for (const u of usages) all.add(u);
        arrays.push({ bitOffset: bit, bitSize, count, logicalMinimum, usageOf, usages: all });
      } else {
        for (let index = 0; index < count; index += 1) {
          const fieldUsage =
            item.isRange && item.usageMinimum !== undefined
              ? item.usageMinimum + index
              : usages[Math.min(index, usages.length - 1)];
          if (fieldUsage !== undefined) {
            fields.push({
              usage: fieldUsage >>> 0,
              bitOffset: bit + index * bitSize,
              bitSize,
              logicalMinimum,
              logicalMaximum,
              relative: item.isAbsolute === false,
            });
          }
        }
      }
    }
    bit += bitSize * count;
  }
  return { reportId, byteLength: Math.ceil(bit / 8), fields, arrays };
}

/** Groups a kind of report across a collection tree, in descriptor order, by report id. */
function reportsOf(collections: readonly HidCollectionInfo[], kind: 'inputReports' | 'outputReports') {
  const items = new Map<number, HidReportItem[]>();
  for (const top of collections.filter(isTelephonyCollection)) {
    for (const collection of walk(top)) {
      for (const report of collection[kind] ?? []) {
        const id = nonNegative(report.reportId, 0);
        items.set(id, [...(items.get(id) ?? []), ...(report.items ?? [])]);
      }
    }
  }
  const layouts = new Map<number, ReportLayout>();
  for (const [id, list] of items) layouts.set(id, layoutOf(id, list));
  return layouts;
}

function namesIn<N extends string>(layouts: ReadonlyMap<number, ReportLayout>, names: readonly N[]): Set<N> {
  const found = new Set<N>();
  for (const layout of layouts.values()) {
    for (const name of names) {
      const wanted: number = HID_USAGES[name as keyof typeof HID_USAGES];
      if (layout.fields.some((field) => field.usage === wanted) || layout.arrays.some((a) => a.usages.has(wanted))) {
        found.add(name);
      }
    }
  }
  return found;
}

/** Reads the layout of a device's telephony collections (empty when it has none). */
export function parseTelephonyLayout(collections: readonly HidCollectionInfo[]): TelephonyLayout {
  const inputs = reportsOf(collections, 'inputReports');
  const outputs = reportsOf(collections, 'outputReports');
  return { inputs, outputs, inputUsages: namesIn(inputs, INPUTS), outputUsages: namesIn(outputs, OUTPUTS) };
}

function readBits(data: DataView, bitOffset: number, bitSize: number): number {
  let value = 0;
  for (let i = 0; i < bitSize; i += 1) {
    const bit = bitOffset + i;
    const byteIndex = bit >> 3;
    if (byteIndex >= data.byteLength) break;
    if ((data.getUint8(byteIndex) >> (bit & 7)) & 1) value += 2 ** i;
  }
  return value;
}

function writeBits(target: Uint8Array, bitOffset: number, bitSize: number, value: number): void {
  for (let i = 0; i < bitSize; i += 1) {
    const bit = bitOffset + i;
    const byteIndex = bit >> 3;
    if (byteIndex >= target.length) return;
    const on = Math.floor(value / 2 ** i) % 2 === 1;
    if (on) target[byteIndex] = (target[byteIndex] ?? 0) | (1 << (bit & 7));
  }
}

/** One decoded input: the value of each named usage the report carries, and which are relative. */
export interface DecodedInput {
  values: Map<HeadsetInput, number>;
  relative: Set<HeadsetInput>;
}

const INPUT_BY_USAGE = new Map<number, HeadsetInput>(INPUTS.map((name) => [HID_USAGES[name], name]));

/**
 * Decodes one input report (the data WebHID hands over, without the report id byte).
 * Null for a report id the telephony collections do not describe (a vendor report).
 */
export function decodeInput(layout: TelephonyLayout, reportId: number, data: DataView): DecodedInput | null {
  const report = layout.inputs.get(reportId);
  if (!report) return null;
  const values = new Map<HeadsetInput, number>();
  const relative = new Set<HeadsetInput>();
  for (const field of report.fields) {
    const name = INPUT_BY_USAGE.get(field.usage);
    if (!name) continue;
    let value = readBits(data, field.bitOffset, field.bitSize);
    // Sign-extend fields whose logical range is signed.
    if (field.logicalMinimum < 0 && value >= 2 ** (field.bitSize - 1)) value -= 2 ** field.bitSize;
    values.set(name, value > 0 ? 1 : 0);
    if (field.relative) relative.add(name);
  }
  for (const array of report.arrays) {
    const on = new Set<number>();
    for (let slot = 0; slot < array.count; slot += 1) {
      const index = readBits(data, array.bitOffset + slot * array.bitSize, array.bitSize) - array.logicalMinimum;
      const named = index >= 0 ? array.usageOf(index) : undefined;
      if (named !== undefined) on.add(named);
    }
    for (const u of array.usages) {
      const name = INPUT_BY_USAGE.get(u);
      if (name) {
        values.set(name, on.has(u) ? 1 : 0);
        relative.add(name);
      }
    }
  }
  return { values, relative };
}

/** The indicator state the headset should show. */
export type HeadsetIndicators = Readonly<Record<HeadsetOutput, boolean>>;

/** One output report to send: its id and its bytes (without the id). */
export interface OutputReport {
  reportId: number;
  data: Uint8Array<ArrayBuffer>;
}

const OUTPUT_BY_USAGE = new Map<number, HeadsetOutput>(OUTPUTS.map((name) => [HID_USAGES[name], name]));

/**
 * The output reports that show `indicators`: every report that carries at least one
 * of our outputs, with our fields set and every other field left 0.
 */
export function encodeOutputs(layout: TelephonyLayout, indicators: HeadsetIndicators): OutputReport[] {
  const reports: OutputReport[] = [];
  for (const report of layout.outputs.values()) {
    const ours = report.fields.filter((field) => OUTPUT_BY_USAGE.has(field.usage));
    if (ours.length === 0) continue;
    const data = new Uint8Array(report.byteLength);
    for (const field of ours) {
      const name = OUTPUT_BY_USAGE.get(field.usage);
      const on = name ? indicators[name] : false;
      const value = on ? Math.max(1, field.logicalMinimum) : Math.max(0, field.logicalMinimum);
      writeBits(data, field.bitOffset, field.bitSize, value);
    }
    reports.push({ reportId: report.reportId, data });
  }
  return reports;
}
