/**
 * The headset on the HID Telephony page: descriptor parsing, input reports → the call
 * button to press, and call state → the output reports (LEDs, ringer), for two vendors'
 * layouts (tests/unit/renderer/headset-fixtures.ts), including a device unplugged
 * mid-call.
 */
import { describe, expect, it } from 'vitest';
import type { CallView } from '../../../src/shared/contract';
import {
  HeadsetController,
  indicatorsFor,
  type HeadsetIntent,
  type HeadsetStatus,
} from '../../../src/renderer/src/headset/headset-controller';
import { decodeInput, parseTelephonyLayout } from '../../../src/renderer/src/headset/hid-telephony';
import { callView } from './fake-calmline-api';
import { FakeHidDevice, JABRA_STYLE, POLY_STYLE } from './headset-fixtures';

const ringing = (id = 'call-1', offeredAt = 1_000): CallView =>
  callView({ id, state: 'ringing', direction: 'incoming', offeredAt });
const active = (overrides: Partial<CallView> = {}): CallView =>
  callView({ id: 'call-1', state: 'active', answeredAt: 2_000, ...overrides });

function start(collections: typeof JABRA_STYLE, calls: CallView[] = []) {
  const device = new FakeHidDevice(collections);
  const intents: HeadsetIntent[] = [];
  const statuses: HeadsetStatus[] = [];
  const controller = new HeadsetController({
    device,
    onIntent: (intent) => intents.push(intent),
    onStatus: (status) => statuses.push(status),
  });
  return { device, intents, statuses, controller, ready: controller.start(calls) };
}

describe('telephony descriptor parsing', () => {
  it('finds the buttons and indicators of a Jabra-style layout, and ignores the vendor collection', () => {
    const layout = parseTelephonyLayout(JABRA_STYLE);
    expect([...layout.inputUsages].sort()).toEqual(['flash', 'hookSwitch', 'lineBusyTone', 'phoneMute']);
    expect([...layout.outputUsages].sort()).toEqual(['holdLed', 'muteLed', 'offHookLed', 'ringLed', 'ringer']);
    expect([...layout.inputs.keys()]).toEqual([2]);
    expect(layout.inputs.get(2)?.byteLength).toBe(2);
    expect(layout.outputs.get(2)?.byteLength).toBe(2);
  });

  it('finds the buttons of a Poly-style layout: no report ids, an array item, LEDs in a child collection', () => {
    const layout = parseTelephonyLayout(POLY_STYLE);
    expect([...layout.inputUsages].sort()).toEqual(['drop', 'hookSwitch', 'lineBusyTone', 'phoneMute']);
    expect([...layout.outputUsages].sort()).toEqual(['holdLed', 'muteLed', 'offHookLed', 'ringLed']);
    expect(layout.inputs.get(0)?.byteLength).toBe(3);
    const decoded = decodeInput(layout, 0, new DataView(new Uint8Array([0xaa, 0b10, 2]).buffer));
    expect(decoded?.values.get('hookSwitch')).toBe(1);
    expect(decoded?.values.get('phoneMute')).toBe(0);
    expect(decoded?.values.get('lineBusyTone')).toBe(1);
    expect(decoded?.values.get('drop')).toBe(0);
  });

  it('survives hostile descriptors: no collections, huge counts, reports shorter than described', () => {
    expect(parseTelephonyLayout([]).inputUsages.size).toBe(0);
    const huge = parseTelephonyLayout([
      {
        usagePage: 0x0b,
        inputReports: [{ reportId: 1, items: [{ reportSize: 4096, reportCount: 1e9, usages: [0x0b0020] }] }],
      },
    ]);
    expect(huge.inputs.get(1)?.byteLength).toBe(0);
    const layout = parseTelephonyLayout(JABRA_STYLE);
    expect(decodeInput(layout, 2, new DataView(new ArrayBuffer(0)))?.values.get('hookSwitch')).toBe(0);
    expect(decodeInput(layout, 5, new DataView(new ArrayBuffer(2)))).toBeNull();
  });
});

describe('call state → indicators', () => {
  it('rings while a call rings, lights off-hook in a call, mute and hold follow the call', () => {
    expect(indicatorsFor([])).toEqual({
      offHookLed: false,
      ringLed: false,
      ringer: false,
      muteLed: false,
      holdLed: false,
    });
    expect(indicatorsFor([ringing()])).toMatchObject({ ringLed: true, ringer: true, offHookLed: false });
    expect(indicatorsFor([active({ muted: true })])).toMatchObject({ offHookLed: true, muteLed: true, ringer: false });
    expect(indicatorsFor([active({ state: 'held' })])).toMatchObject({
      offHookLed: true,
      holdLed: true,
      muteLed: false,
    });
    // Call waiting: the LED blinks but the headset does not ring into the agent's ear.
    expect(indicatorsFor([active(), ringing('call-2')])).toMatchObject({
      ringLed: true,
      ringer: false,
      offHookLed: true,
    });
  });
});

describe('a Jabra-style headset', () => {
  it('answers, mutes, unmutes and hangs up a call with its buttons, LEDs following', async () => {
    const { device, intents, controller, ready } = start(JABRA_STYLE);
    await ready;
    await controller.flushed();
    expect(device.sent).toEqual([{ reportId: 2, bytes: [0, 0] }]);

    controller.update([ringing()]);
    await controller.flushed();
    expect(device.lastSent()).toEqual([0b0100, 0b1]); // Ring LED, ringer

    device.press(2, [0b0001, 0]); // hook switch: off-hook
    expect(intents).toEqual([{ action: 'answer', callId: 'call-1' }]);

    controller.update([active()]);
    await controller.flushed();
    expect(device.lastSent()).toEqual([0b0001, 0]); // Off-Hook LED

    device.press(2, [0b1001, 0]); // mute pressed (hook still off)
    device.press(2, [0b0001, 0]); // mute released
    expect(intents.at(-1)).toEqual({ action: 'mute', callId: 'call-1' });
    expect(intents).toHaveLength(2);

    controller.update([active({ muted: true })]);
    await controller.flushed();
    expect(device.lastSent()).toEqual([0b0011, 0]); // Off-Hook + Mute LEDs

    device.press(2, [0b1001, 0]);
    device.press(2, [0b0001, 0]);
    expect(intents.at(-1)).toEqual({ action: 'mute', callId: 'call-1' }); // the button toggles back

    device.press(2, [0b0000, 0]); // hook switch: on-hook
    expect(intents.at(-1)).toEqual({ action: 'hang-up', callId: 'call-1' });

    controller.update([active({ state: 'ended', endedAt: 3_000 })]);
    await controller.flushed();
    expect(device.lastSent()).toEqual([0, 0]);
  });

  it('answers the longest-ringing call, and rejects with Line Busy', async () => {
    const { device, intents, controller, ready } = start(JABRA_STYLE, [
      ringing('late', 5_000),
      ringing('early', 1_000),
    ]);
    await ready;
    device.press(2, [0b0010, 0]); // Line Busy Tone
    expect(intents).toEqual([{ action: 'decline', callId: 'early' }]);
    device.press(2, [0b0000, 0]);
    device.press(2, [0b0001, 0]);
    expect(intents.at(-1)).toEqual({ action: 'answer', callId: 'early' });
    await controller.stop();
  });

  it('asks for hold with Flash (the consent dialog decides), and resumes a held call', async () => {
    const { device, intents, ready } = start(JABRA_STYLE, [active()]);
    await ready;
    device.press(2, [0b10001, 0]); // Flash, hook off
    expect(intents).toEqual([{ action: 'hold', callId: 'call-1' }]);
    device.press(2, [0b00001, 0]);
    expect(intents).toHaveLength(1);
  });

  it('answers a second call after the caller hung up the first: the hook follows the Off-Hook LED', async () => {
    const { device, intents, controller, ready } = start(JABRA_STYLE, [active()]);
    await ready;
    await controller.flushed();
    device.press(2, [0b0001, 0]); // a report while off-hook: nothing to do
    expect(intents).toEqual([]);
    controller.update([]); // the caller hung up; the headset is put on-hook by the LED
    controller.update([ringing('call-2')]);
    await controller.flushed();
    device.press(2, [0b0001, 0]);
    expect(intents).toEqual([{ action: 'answer', callId: 'call-2' }]);
  });

  it('ignores button presses that cannot apply: vendor reports, off-hook with nothing ringing, mute without a call', async () => {
    const { device, intents, ready } = start(JABRA_STYLE);
    await ready;
    device.press(5, [0xff, 0xff]);
    device.press(2, [0b1001, 0x03]);
    device.press(2, [0, 0]);
    expect(intents).toEqual([]);
  });
});

describe('a headset whose call button is momentary (Hook Switch declared relative)', () => {
  it('toggles: a press answers, the release does nothing, the next press hangs up', async () => {
    const momentary = JABRA_STYLE.map((collection) => ({
      ...collection,
      inputReports: collection.inputReports?.map((report) => ({
        ...report,
        items: report.items?.map((item) => (item.usages?.[0] === 0x0b0020 ? { ...item, isAbsolute: false } : item)),
      })),
    }));
    const { device, intents, controller, ready } = start(momentary, [ringing()]);
    await ready;
    device.press(2, [1, 0]);
    device.press(2, [0, 0]);
    expect(intents).toEqual([{ action: 'answer', callId: 'call-1' }]);
    controller.update([active()]);
    await controller.flushed();
    device.press(2, [1, 0]);
    device.press(2, [0, 0]);
    expect(intents).toEqual([
      { action: 'answer', callId: 'call-1' },
      { action: 'hang-up', callId: 'call-1' },
    ]);
  });
});

describe('a Poly-style headset (no report ids)', () => {
  it('answers, mutes and hangs up, LEDs in its own bit order, no ringer', async () => {
    const { device, intents, controller, ready } = start(POLY_STYLE, [ringing()]);
    await ready;
    await controller.flushed();
    expect(device.sent).toEqual([{ reportId: 0, bytes: [0b01000] }]); // Ring LED only

    device.press(0, [0x00, 0b10, 0]); // hook off
    expect(intents).toEqual([{ action: 'answer', callId: 'call-1' }]);
    controller.update([active()]);
    await controller.flushed();
    expect(device.lastSent()).toEqual([0b00100]);

    device.press(0, [0x00, 0b11, 0]); // mute down
    device.press(0, [0x00, 0b10, 0]); // mute up
    expect(intents.at(-1)).toEqual({ action: 'mute', callId: 'call-1' });
    controller.update([active({ muted: true })]);
    await controller.flushed();
    expect(device.lastSent()).toEqual([0b00101]);

    device.press(0, [0x00, 0b10, 1]); // Drop held down
    expect(intents.at(-1)).toEqual({ action: 'hang-up', callId: 'call-1' });
    expect(intents).toHaveLength(3);
  });
});

describe('a headset unplugged mid-call', () => {
  it('leaves the call alone, stops talking to the device, and a re-plugged one shows the call', async () => {
    const first = start(JABRA_STYLE, [active()]);
    await first.ready;
    await first.controller.flushed();
    first.device.unplugged = true;
    first.controller.update([active({ muted: true })]); // the write fails: the device is gone
    await first.controller.flushed();
    expect(first.statuses).toEqual(['ready', 'disconnected']);
    first.device.press(2, [0, 0]); // nothing listens any more
    expect(first.intents).toEqual([]);

    const second = start(JABRA_STYLE, [active({ muted: true })]);
    await second.ready;
    await second.controller.flushed();
    expect(second.device.sent).toEqual([{ reportId: 2, bytes: [0b0011, 0] }]);
    second.device.press(2, [0, 0]); // the agent presses the call button on the new headset
    expect(second.intents).toEqual([{ action: 'hang-up', callId: 'call-1' }]);
  });

  it('reports a device that cannot be opened, and one without telephony buttons', async () => {
    const device = new FakeHidDevice(JABRA_STYLE);
    device.unplugged = true;
    const statuses: HeadsetStatus[] = [];
    await new HeadsetController({ device, onIntent: () => undefined, onStatus: (s) => statuses.push(s) }).start([]);
    const bare = new HeadsetController({
      device: new FakeHidDevice([{ usagePage: 0x0b, usage: 5 }]),
      onIntent: () => undefined,
      onStatus: (s) => statuses.push(s),
    });
    await bare.start([]);
    expect(statuses).toEqual(['failed', 'unsupported']);
  });

  it('disconnected() from the navigator event also stops without touching the call', async () => {
    const { device, intents, statuses, controller, ready } = start(POLY_STYLE, [active()]);
    await ready;
    controller.disconnected();
    device.press(0, [0, 0, 0]);
    expect(intents).toEqual([]);
    expect(statuses.at(-1)).toBe('disconnected');
  });
});
