/**
 * Listens to a received MediaStream the way the ear would: RMS level and the
 * strongest frequency over a window, from an AnalyserNode fed by the stream. The
 * stream must also play through an <audio> element, or WebRTC delivers silence
 * (docs/webrtc-audio.md#a4); both sides' pages do that.
 */

/** What was heard over one window. */
export interface Heard {
  /** Mean RMS level in dBFS over the window (−∞ as −200). */
  rmsDb: number;
  /** Strongest frequency in Hz (spectrum averaged over the window), or null in silence. */
  peakHz: number | null;
  /** Analyser frames the window was made of. */
  frames: number;
}

let context: AudioContext | undefined;

function audioContext(): AudioContext {
  context ??= new AudioContext({ sampleRate: 48_000 });
  return context;
}

const FFT_SIZE = 8_192;

/** Listens to `stream` for `windowMs` and reports its level and dominant frequency. */
export async function listen(stream: MediaStream, windowMs: number): Promise<Heard> {
  const ctx = audioContext();
  if (ctx.state !== 'running') await ctx.resume();
  const source = ctx.createMediaStreamSource(stream);
  const analyser = ctx.createAnalyser();
  analyser.fftSize = FFT_SIZE;
  analyser.smoothingTimeConstant = 0;
  source.connect(analyser);
  const time = new Float32Array(FFT_SIZE);
  const spectrumDb = new Float32Array(FFT_SIZE / 2);
  const power = new Float64Array(FFT_SIZE / 2);
  let sumSquares = 0;
  let samples = 0;
  let frames = 0;
  // Let the analyser fill with this window's audio before the first frame.
  await new Promise((resolve) => setTimeout(resolve, (FFT_SIZE / ctx.sampleRate) * 1000));
  const end = performance.now() + windowMs;
  while (performance.now() < end) {
    analyser.getFloatTimeDomainData(time);
    for (const value of time) sumSquares += value * value;
    samples += time.length;
    analyser.getFloatFrequencyData(spectrumDb);
    spectrumDb.forEach((db, i) => {
      power[i] = (power[i] ?? 0) + (Number.isFinite(db) ? 10 ** (db / 10) : 0);
    });
    frames += 1;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  source.disconnect();
  const rms = Math.sqrt(sumSquares / Math.max(1, samples));
  const rmsDb = rms > 0 ? 20 * Math.log10(rms) : -200;
  let peak = 1;
  for (let i = 2; i < power.length - 1; i += 1) if ((power[i] ?? 0) > (power[peak] ?? 0)) peak = i;
  let peakHz: number | null = null;
  if (rmsDb > -90 && (power[peak] ?? 0) > 0) {
    // Parabolic interpolation on log power around the peak bin.
    const a = Math.log(power[peak - 1] || 1e-30);
    const b = Math.log(power[peak] || 1e-30);
    const c = Math.log(power[peak + 1] || 1e-30);
    const denominator = a - 2 * b + c;
    const offset = denominator === 0 ? 0 : (0.5 * (a - c)) / denominator;
    peakHz = ((peak + offset) * ctx.sampleRate) / FFT_SIZE;
  }
  return { rmsDb, peakHz, frames };
}
