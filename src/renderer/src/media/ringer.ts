/**
 * The ringtone: a soft two-note chime, generated with WebAudio (no sound file to
 * ship or load past the CSP), played on the ringing device the agent chose (often
 * the desk speaker rather than the headset) through an <audio> element's setSinkId.
 *
 * Calm on purpose: agents hear it dozens of times an hour.
 */

/** One ring: two notes, then a pause; repeats every `periodMs`. */
const NOTES_HZ = [659.25, 523.25] as const;
const NOTE_SECONDS = 0.35;
const PERIOD_MS = 3_000;
const PEAK_GAIN = 0.18;

export interface RingerOptions {
  /** Default: the browser's; absent (jsdom) means the ringer stays silent. */
  createAudioContext?: () => AudioContext;
  /** Where the <audio> element goes; default `document.body`. */
  container?: HTMLElement;
}

export class Ringer {
  private context: AudioContext | undefined;
  private element: HTMLAudioElement | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private deviceId = '';
  private enabled = true;

  constructor(private readonly options: RingerOptions = {}) {}

  /** True while the ringtone is sounding (or would be, on a machine with audio). */
  get ringing(): boolean {
    return this.timer !== undefined;
  }

  /** Applies the agent's settings: the ringing device ('' = default) and whether to ring at all. */
  configure(settings: { deviceId: string; enabled: boolean }): void {
    this.deviceId = settings.deviceId;
    this.enabled = settings.enabled;
    if (!this.enabled) this.stop();
    if (this.element) void this.route(this.element);
  }

  start(): void {
    if (this.timer !== undefined || !this.enabled) return;
    const context = this.ensureContext();
    if (!context) return;
    void context.resume().catch(() => undefined);
    void this.element?.play().catch(() => undefined);
    this.ring(context);
    this.timer = setInterval(() => this.ring(context), PERIOD_MS);
    if (this.element) this.element.dataset.ringing = 'true';
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    if (this.element) {
      this.element.pause();
      this.element.dataset.ringing = 'false';
    }
  }

  dispose(): void {
    this.stop();
    this.element?.remove();
    this.element = undefined;
    void this.context?.close().catch(() => undefined);
    this.context = undefined;
  }

  private ensureContext(): AudioContext | undefined {
    if (this.context) return this.context;
    const create =
      this.options.createAudioContext ?? (typeof AudioContext === 'function' ? () => new AudioContext() : undefined);
    if (!create) return undefined;
    const context = create();
    const destination = context.createMediaStreamDestination();
    const element = document.createElement('audio');
    element.hidden = true;
    element.dataset.ringtone = '';
    element.srcObject = destination.stream;
    (this.options.container ?? document.body).append(element);
    this.context = context;
    this.element = element;
    this.output = destination;
    void this.route(element);
    return context;
  }

  private output: MediaStreamAudioDestinationNode | undefined;

  /** Schedules one chime: each note fades in and out, so it never clicks. */
  private ring(context: AudioContext): void {
    const output = this.output;
    if (!output) return;
    const start = context.currentTime + 0.02;
    NOTES_HZ.forEach((frequency, index) => {
      const at = start + index * NOTE_SECONDS;
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.type = 'sine';
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0, at);
      gain.gain.linearRampToValueAtTime(PEAK_GAIN, at + 0.03);
      gain.gain.exponentialRampToValueAtTime(0.001, at + NOTE_SECONDS);
      oscillator.connect(gain).connect(output);
      oscillator.start(at);
      oscillator.stop(at + NOTE_SECONDS + 0.05);
    });
  }

  private async route(element: HTMLAudioElement): Promise<void> {
    if (!('setSinkId' in element) || element.sinkId === this.deviceId) return;
    // An unplugged ringing device: ring on the default one rather than not at all.
    await element.setSinkId(this.deviceId).catch(() => element.setSinkId('').catch(() => undefined));
  }
}
