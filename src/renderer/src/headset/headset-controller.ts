/**
 * One headset on the HID Telephony page, both ways (docs/desk.md#headset):
 *
 *   calls ──indicatorsFor──▶ LEDs and ringer ──encodeOutputs──▶ device.sendReport
 *   device 'inputreport' ──decodeInput──▶ edges ──intentFor──▶ onIntent(action, callId)
 *
 * The controller decides nothing about a call: an intent names the call button it
 * would press (answer, hang up, mute, hold…), and the renderer presses that very
 * button, so a headset goes through the same commands as the mouse, and hold from
 * the headset opens the consent dialog like the button does (rule P4 of
 * docs/practice.md).
 *
 * The device is injected (the WebHID `HIDDevice` in the app, a recorded fake in
 * tests). A device that goes away mid-call changes nothing on the call: the
 * controller only stops talking to it, and a new device is synchronised with the
 * calls as they are when it arrives.
 */
import type { CallView } from '../../../shared/contract';
import {
  decodeInput,
  encodeOutputs,
  parseTelephonyLayout,
  type HeadsetIndicators,
  type HeadsetInput,
  type HidCollectionInfo,
  type TelephonyLayout,
} from './hid-telephony';

/** The part of WebHID's `HIDInputReportEvent` the controller reads. */
export interface HidInputReportEventLike {
  reportId: number;
  data: DataView;
}

/** The part of WebHID's `HIDDevice` the controller uses. */
export interface TelephonyHidDevice {
  readonly productName: string;
  readonly vendorId: number;
  readonly productId: number;
  readonly opened: boolean;
  readonly collections: readonly HidCollectionInfo[];
  open(): Promise<void>;
  close(): Promise<void>;
  sendReport(reportId: number, data: Uint8Array<ArrayBuffer>): Promise<void>;
  addEventListener(type: 'inputreport', listener: (event: HidInputReportEventLike) => void): void;
  removeEventListener(type: 'inputreport', listener: (event: HidInputReportEventLike) => void): void;
}

/** A call button the headset asks to press. */
export type HeadsetAction = 'answer' | 'decline' | 'hang-up' | 'mute' | 'hold' | 'resume';

/** What the headset asks for: press `action` on call `callId`. */
export interface HeadsetIntent {
  action: HeadsetAction;
  callId: string;
}

/** Where the controller stands with its device. */
export type HeadsetStatus = 'connecting' | 'ready' | 'unsupported' | 'disconnected' | 'failed';

/** Options of {@link HeadsetController}. */
export interface HeadsetControllerOptions {
  device: TelephonyHidDevice;
  onIntent(intent: HeadsetIntent): void;
  onStatus?(status: HeadsetStatus, detail?: string): void;
}

const ANSWERED = new Set<CallView['state']>(['active', 'held', 'transferring']);

const live = (calls: readonly CallView[]) => calls.filter((call) => call.state !== 'ended');

/** The longest-ringing incoming call, if any. */
export function longestRinging(calls: readonly CallView[]): CallView | undefined {
  return live(calls)
    .filter((call) => call.state === 'ringing' && call.direction === 'incoming')
    .sort((a, b) => a.offeredAt - b.offeredAt)[0];
}

/** The call the agent is talking on (or has on hold), not a consult leg first. */
function currentCall(calls: readonly CallView[]): CallView | undefined {
  const answered = live(calls).filter((call) => ANSWERED.has(call.state) || call.state === 'dialing');
  return answered.find((call) => call.state === 'active') ?? answered[0];
}

/** What the headset should show for these calls. */
export function indicatorsFor(calls: readonly CallView[]): HeadsetIndicators {
  const ringing = longestRinging(calls) !== undefined;
  const current = currentCall(calls);
  return {
    offHookLed: current !== undefined,
    ringLed: ringing,
    // The headset rings itself only while the agent is not already talking.
    ringer: ringing && current === undefined,
    muteLed: current?.state === 'active' && current.muted,
    holdLed: current?.state === 'held',
  };
}

/**
 * What a button press on the headset asks for, given the calls now. `edge` is the
 * input that changed and its new value. Null when it asks for nothing possible.
 */
export function intentFor(input: HeadsetInput, value: number, calls: readonly CallView[]): HeadsetIntent | null {
  const ringing = longestRinging(calls);
  const current = currentCall(calls);
  switch (input) {
    case 'hookSwitch':
      if (value === 1) return ringing?.allowed.answer ? { action: 'answer', callId: ringing.id } : null;
      return current?.allowed.hangUp ? { action: 'hang-up', callId: current.id } : null;
    case 'drop':
      if (value !== 1) return null;
      if (current?.allowed.hangUp) return { action: 'hang-up', callId: current.id };
      return ringing?.allowed.decline ? { action: 'decline', callId: ringing.id } : null;
    case 'lineBusyTone':
      return value === 1 && ringing?.allowed.decline ? { action: 'decline', callId: ringing.id } : null;
    case 'phoneMute':
      return value === 1 && current?.allowed.mute ? { action: 'mute', callId: current.id } : null;
    case 'flash':
    case 'hold':
      if (value !== 1 || !current) return null;
      if (current.allowed.resume) return { action: 'resume', callId: current.id };
      return current.allowed.hold ? { action: 'hold', callId: current.id } : null;
  }
}

/** The inputs looked at in this order, so a report with hook and mute answers before it mutes. */
const INPUT_ORDER: readonly HeadsetInput[] = ['hookSwitch', 'lineBusyTone', 'drop', 'flash', 'hold', 'phoneMute'];

const sameIndicators = (a: HeadsetIndicators | null, b: HeadsetIndicators) =>
  a !== null && (Object.keys(b) as (keyof HeadsetIndicators)[]).every((key) => a[key] === b[key]);

/** Drives one device; see the module comment. */
export class HeadsetController {
  private readonly layout: TelephonyLayout;
  private calls: readonly CallView[] = [];
  /** The last value of each input, as the device reported it or as our Off-Hook LED set it. */
  private readonly last = new Map<HeadsetInput, number>();
  private shown: HeadsetIndicators | null = null;
  /** For a momentary (relative) hook button: whether it is held down now. */
  private pressedHook = false;
  private status: HeadsetStatus = 'connecting';
  private sending: Promise<void> = Promise.resolve();
  private readonly listener = (event: HidInputReportEventLike) => this.handleInput(event.reportId, event.data);

  constructor(private readonly options: HeadsetControllerOptions) {
    this.layout = parseTelephonyLayout(options.device.collections);
  }

  /** What the device's descriptor offers (for the settings screen). */
  get capabilities(): Pick<TelephonyLayout, 'inputUsages' | 'outputUsages'> {
    return this.layout;
  }

  /** Opens the device, listens to it and shows the calls as they are now. */
  async start(calls: readonly CallView[]): Promise<void> {
    this.calls = calls;
    if (!this.layout.inputUsages.has('hookSwitch') && !this.layout.inputUsages.has('phoneMute')) {
      this.setStatus('unsupported', 'The device has no telephony buttons (Hook Switch or Phone Mute).');
      return;
    }
    try {
      if (!this.options.device.opened) await this.options.device.open();
    } catch (error) {
      this.setStatus('failed', String(error));
      return;
    }
    this.options.device.addEventListener('inputreport', this.listener);
    this.setStatus('ready');
    this.show();
  }

  /** Follows a new phone state: the LEDs and ringer change when the calls do. */
  update(calls: readonly CallView[]): void {
    this.calls = calls;
    if (this.status === 'ready') this.show();
  }

  /** The device was unplugged: stop talking to it. The calls are not touched. */
  disconnected(detail?: string): void {
    if (this.status === 'disconnected') return;
    this.options.device.removeEventListener('inputreport', this.listener);
    this.setStatus('disconnected', detail);
  }

  /** Turns the LEDs off and lets the device go (the agent chose another, or the window closes). */
  async stop(): Promise<void> {
    const wasReady = this.status === 'ready';
    this.options.device.removeEventListener('inputreport', this.listener);
    this.status = 'disconnected';
    if (wasReady) {
      await this.sending;
      await this.send(indicatorsFor([])).catch(() => undefined);
      await this.options.device.close().catch(() => undefined);
    }
  }

  /** Resolves once every output report asked for so far has been sent (or has failed). */
  flushed(): Promise<void> {
    return this.sending;
  }

  /** Handles one input report from the device. */
  handleInput(reportId: number, data: DataView): void {
    if (this.status !== 'ready') return;
    const decoded = decodeInput(this.layout, reportId, data);
    if (!decoded) return;
    for (const input of INPUT_ORDER) {
      const value = decoded.values.get(input);
      if (value === undefined) continue;
      if (input === 'hookSwitch' && decoded.relative.has(input)) {
        this.handleHookPress(value);
        continue;
      }
      const before = this.last.get(input) ?? 0;
      this.last.set(input, value);
      if (value === before) continue;
      const intent = intentFor(input, value, this.calls);
      if (intent) this.options.onIntent(intent);
    }
  }

  /**
   * A hook switch the descriptor calls relative is a momentary button (1 while held):
   * each press toggles between off-hook and on-hook, from the state our LED shows.
   */
  private handleHookPress(value: number): void {
    const held = this.pressedHook;
    this.pressedHook = value === 1;
    if (value !== 1 || held) return;
    const offHook = this.shown?.offHookLed ?? false;
    const intent = intentFor('hookSwitch', offHook ? 0 : 1, this.calls);
    if (intent) this.options.onIntent(intent);
  }

  private show(): void {
    const wanted = indicatorsFor(this.calls);
    if (sameIndicators(this.shown, wanted)) return;
    this.shown = wanted;
    // The headset follows our Off-Hook LED: its next report carries that hook state,
    // so a press from there is an edge (a remote hang-up leaves it on-hook, ready to answer).
    this.last.set('hookSwitch', wanted.offHookLed ? 1 : 0);
    this.sending = this.sending
      .then(() => this.send(wanted))
      .catch((error: unknown) => {
        // A device that is gone answers every report with an error: stop, keep the calls.
        this.disconnected(String(error));
      });
  }

  private async send(indicators: HeadsetIndicators): Promise<void> {
    for (const report of encodeOutputs(this.layout, indicators)) {
      await this.options.device.sendReport(report.reportId, report.data);
    }
  }

  private setStatus(status: HeadsetStatus, detail?: string): void {
    this.status = status;
    this.options.onStatus?.(status, detail);
  }
}
