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

/**
 * Whether the page may start sound now. Electron allows it from the start (the main
 * window's `autoplayPolicy`); a browser (the web host) only after the agent's first
 * click or key press. Asked with a source-less <audio> element, whose play() is
 * refused with NotAllowedError while sound is locked: unlike creating an
 * AudioContext too early, that logs no console warning.
 */
export async function soundAllowed(
  probe: () => HTMLAudioElement = () => document.createElement('audio'),
): Promise<boolean> {
  // Allowed sound with no source either fails at once (no supported source) or never
  // settles; only a refusal means locked, so a silent wait counts as allowed.
  const verdict = probe()
    .play()
    .then(
      () => true,
      (error: unknown) => !(error instanceof DOMException && error.name === 'NotAllowedError'),
    );
  const patience = new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 500));
  return Promise.race([verdict, patience]);
}

type LockListener = (locked: boolean) => void;
const lockListeners = new Set<LockListener>();
let soundLocked = false;

/** The ringtone waits for the agent's first click or key press (the web host in a browser); the UI says so. */
export const ringtoneLock = {
  locked: (): boolean => soundLocked,
  subscribe(listener: LockListener): () => void {
    lockListeners.add(listener);
    return () => lockListeners.delete(listener);
  },
};

function setLocked(locked: boolean): void {
  if (soundLocked === locked) return;
  soundLocked = locked;
  for (const listener of [...lockListeners]) listener(locked);
}

export interface RingerOptions {
  /** Default: the browser's; absent (jsdom) means the ringer stays silent. */
  createAudioContext?: () => AudioContext;
  /** Default: `soundAllowed()`; tests inject the answer. */
  soundAllowed?: () => Promise<boolean>;
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
    this.wanted = true;
    if (!this.context) {
      void this.startWhenAllowed();
      return;
    }
    this.sound(this.context);
  }

  /** True while a call rings but sound waits for the agent's first click or key press. */
  get waitingForGesture(): boolean {
    return this.wanted && this.timer === undefined && soundLocked;
  }

  private wanted = false;
  private probing = false;
  private unlockArmed = false;

  /** Creates the audio only once the page may sound, so no autoplay warning is logged. */
  private async startWhenAllowed(): Promise<void> {
    if (this.probing) return;
    if (this.options.createAudioContext === undefined && typeof AudioContext !== 'function') return;
    this.probing = true;
    const allowed = await (this.options.soundAllowed ?? (() => soundAllowed()))().finally(() => {
      this.probing = false;
    });
    if (!allowed) {
      setLocked(true);
      this.armUnlock();
      return;
    }
    setLocked(false);
    if (!this.wanted || this.timer !== undefined || !this.enabled) return;
    const context = this.ensureContext();
    if (context) this.sound(context);
  }

  /** The first click or key press unlocks sound; a call still ringing then starts ringing. */
  private armUnlock(): void {
    if (this.unlockArmed || typeof document === 'undefined') return;
    this.unlockArmed = true;
    const unlock = () => {
      document.removeEventListener('pointerdown', unlock, true);
      document.removeEventListener('keydown', unlock, true);
      this.unlockArmed = false;
      setLocked(false);
      if (!this.wanted || this.timer !== undefined || !this.enabled) return;
      const context = this.ensureContext();
      if (context) this.sound(context);
    };
    document.addEventListener('pointerdown', unlock, true);
    document.addEventListener('keydown', unlock, true);
  }

  private sound(context: AudioContext): void {
    void context.resume().catch(() => undefined);
    void this.element?.play().catch(() => undefined);
    this.ring(context);
    this.timer = setInterval(() => this.ring(context), PERIOD_MS);
    if (this.element) this.element.dataset.ringing = 'true';
  }

  stop(): void {
    this.wanted = false;
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
