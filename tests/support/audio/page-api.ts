/**
 * Node-side view of the audio test page's `window.audioTest` (tests/support/audio/page/harness.mts).
 * The e2e test's node project has no DOM types, so the shapes are restated here with
 * plain types; code inside `page.evaluate` reaches the page through
 * `(globalThis as unknown as AudioTestGlobal).audioTest`.
 */
import type { MediaEvent, MediaResponse } from '../../../src/shared/media-protocol';

/** One listening window: the ear (analyser) and the wire (stats deltas by report timestamps). */
export interface Measurement {
  /** Mean RMS level heard, dBFS (−200 for digital silence). */
  rmsDb: number;
  /** Strongest frequency heard, or null in silence. */
  peakHz: number | null;
  frames: number;
  /** Window length by the stats reports' timestamps. */
  seconds: number;
  packetsReceived: number;
  packetsPerSecond: number;
  /** Mean received level from inbound-rtp totalAudioEnergy/totalSamplesDuration, or null if nothing played. */
  levelDb: number | null;
}

/** The parts of a stats snapshot the test reads. */
export interface StatsView {
  connectionState: string;
  direction: string | null;
  currentDirection: string | null;
  inbound: { packetsReceived: number; codec: string | null } | null;
  outbound: { packetsSent: number } | null;
  candidatePair: { local: string; remote: string } | null;
}

/** What the ear script (audio-bed `earScript`) defines in a page. */
export interface EarGlobal {
  __calmlineEar: {
    listen(stream: unknown, windowMs: number): Promise<{ rmsDb: number; peakHz: number | null; frames: number }>;
  };
}

export interface AudioTestGlobal {
  audioTest: {
    agent: {
      startEngine(noAudioAfterMs: number): Promise<void>;
      handle(request: unknown): Promise<MediaResponse>;
      sessionIds(): string[];
      stats(sessionId: string): Promise<StatsView | undefined>;
      events(): MediaEvent[];
      audioElements(): number;
      measure(sessionId: string, windowMs: number): Promise<Measurement>;
    };
    caller: {
      /** With `answerIncoming` the page answers every call (a transfer target). */
      register(wsUrl: string, aor: string, answerIncoming?: boolean): Promise<void>;
      call(target: string): void;
      states(): string[];
      /** Wall-clock stamps for the Answer → first audio bench; `clockOffsetMs` is the page clock minus Date.now(). */
      stamps(): { acceptedAt: number; firstAudioAt: number; clockOffsetMs: number };
      hangUp(): Promise<void>;
      stats(): Promise<StatsView>;
      measure(windowMs: number): Promise<Measurement>;
      pauseSending(): Promise<void>;
      resumeSending(): Promise<void>;
      stop(): Promise<void>;
    };
  };
}
