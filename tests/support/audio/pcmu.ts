/**
 * Plain-RTP audio for the interop test (tests/e2e/audio-interop.test.ts), all in Node:
 * - G.711 μ-law (PCMU) encode and decode;
 * - a PCMU tone as a pcap file that SIPp replays with `play_pcap_audio` (the caller's voice);
 * - what a stretch of received PCMU sounds like: RMS level in dBFS and the strongest frequency.
 *
 * The PCMU samples are 8 kHz, 16-bit linear after decoding; 0 dBFS is a full-scale square wave
 * (RMS 32768), so a full-scale sine reads −3 dBFS and the amplitude-0.5 test tone about −9 dBFS,
 * the same scale the browser's analyser uses.
 */
import { writeFileSync } from 'node:fs';

export const PCMU_RATE = 8_000;
/** Samples (= bytes) per 20 ms packet. */
export const PCMU_SAMPLES_PER_PACKET = 160;
/** RTP payload type of PCMU (RFC 3551). */
export const PCMU_PAYLOAD_TYPE = 0;

const BIAS = 0x84;
const CLIP = 32_635;

/** One 16-bit linear sample to μ-law (ITU-T G.711). */
export function linearToUlaw(sample: number): number {
  let value = Math.max(-32_768, Math.min(32_767, Math.round(sample)));
  const sign = value < 0 ? 0x80 : 0;
  if (sign) value = -value;
  value = Math.min(value, CLIP) + BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (value & mask) === 0 && exponent > 0; mask >>= 1) exponent -= 1;
  const mantissa = (value >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** One μ-law byte to a 16-bit linear sample (ITU-T G.711). */
export function ulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const exponent = (u >> 4) & 0x07;
  const magnitude = ((((u & 0x0f) << 3) + BIAS) << exponent) - BIAS;
  return u & 0x80 ? -magnitude : magnitude;
}

/** What a stretch of audio sounds like. */
export interface ToneAnalysis {
  /** RMS level in dBFS (−200 for digital silence or no samples). */
  rmsDb: number;
  /** Strongest frequency between 50 Hz and 3.95 kHz, or null in silence. */
  peakHz: number | null;
  /** Samples analysed. */
  samples: number;
}

/**
 * Level and strongest frequency of 8 kHz linear samples. The frequency comes from a Hann-windowed
 * DFT evaluated at every whole Hz (Goertzel, over at most the last second), refined by parabolic
 * interpolation between neighbouring Hz.
 */
export function analysePcm(samples: Int16Array | number[]): ToneAnalysis {
  const count = samples.length;
  if (count === 0) return { rmsDb: -200, peakHz: null, samples: 0 };
  let sumSquares = 0;
  for (let i = 0; i < count; i += 1) sumSquares += (samples[i] ?? 0) ** 2;
  const rms = Math.sqrt(sumSquares / count) / 32_768;
  const rmsDb = rms > 0 ? 20 * Math.log10(rms) : -200;
  if (rmsDb < -90 || count < 400) return { rmsDb, peakHz: null, samples: count };

  const n = Math.min(count, PCMU_RATE);
  const start = count - n;
  const windowed = new Float64Array(n);
  for (let i = 0; i < n; i += 1)
    windowed[i] = (samples[start + i] ?? 0) * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1)));
  const power = (hz: number): number => {
    const coefficient = 2 * Math.cos((2 * Math.PI * hz) / PCMU_RATE);
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < n; i += 1) {
      const s0 = (windowed[i] ?? 0) + coefficient * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    return s1 * s1 + s2 * s2 - coefficient * s1 * s2;
  };
  let bestHz = 50;
  let best = -1;
  const spectrum = new Map<number, number>();
  for (let hz = 50; hz <= 3_950; hz += 1) {
    const p = power(hz);
    spectrum.set(hz, p);
    if (p > best) {
      best = p;
      bestHz = hz;
    }
  }
  const a = Math.log(spectrum.get(bestHz - 1) ?? best);
  const b = Math.log(best);
  const c = Math.log(spectrum.get(bestHz + 1) ?? best);
  const denominator = a - 2 * b + c;
  const offset = denominator === 0 ? 0 : (0.5 * (a - c)) / denominator;
  return { rmsDb, peakHz: bestHz + offset, samples: count };
}

/** Decodes PCMU payloads (one per packet) into one run of linear samples. */
export function decodePcmu(payloads: readonly Buffer[]): Int16Array {
  const total = payloads.reduce((sum, p) => sum + p.length, 0);
  const out = new Int16Array(total);
  let at = 0;
  for (const payload of payloads) for (const byte of payload) out[at++] = ulawToLinear(byte);
  return out;
}

/** Options for {@link writePcmuTonePcap}. */
export interface TonePcapOptions {
  frequencyHz: number;
  seconds: number;
  /** Peak amplitude, 0..1 of full scale (default 0.5, the browser tests' tone level). */
  amplitude?: number;
  /** RTP SSRC (default 0x43414c4d, "CALM"). */
  ssrc?: number;
  /**
   * UDP destination port written in the capture. SIPp only uses it relative to the lowest one in
   * the file (all packets here have the same), and replaces both ports when it plays the file:
   * the source becomes the port on the SDP's m=audio line, the destination the far end's.
   */
  port?: number;
}

/**
 * Writes a PCMU tone as an Ethernet/IPv4/UDP/RTP capture that SIPp's `play_pcap_audio` replays in
 * real time (one 20 ms packet every 20 ms, by the capture's timestamps). The tone is continuous
 * across packets and the RTP sequence numbers and timestamps run on, as from a real phone.
 */
export function writePcmuTonePcap(file: string, options: TonePcapOptions): void {
  const amplitude = options.amplitude ?? 0.5;
  const ssrc = options.ssrc ?? 0x43414c4d;
  const port = options.port ?? 6_000;
  const packets = Math.round((options.seconds * PCMU_RATE) / PCMU_SAMPLES_PER_PACKET);
  const parts: Buffer[] = [];
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0); // microsecond timestamps, little-endian
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeInt32LE(0, 8);
  header.writeUInt32LE(0, 12);
  header.writeUInt32LE(65_535, 16); // snaplen
  header.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
  parts.push(header);
  const rtpLength = 12 + PCMU_SAMPLES_PER_PACKET;
  const udpLength = 8 + rtpLength;
  const ipLength = 20 + udpLength;
  const frameLength = 14 + ipLength;
  for (let k = 0; k < packets; k += 1) {
    const frame = Buffer.alloc(16 + frameLength);
    const micros = k * 20_000;
    frame.writeUInt32LE(Math.floor(micros / 1_000_000), 0);
    frame.writeUInt32LE(micros % 1_000_000, 4);
    frame.writeUInt32LE(frameLength, 8);
    frame.writeUInt32LE(frameLength, 12);
    let at = 16;
    // Ethernet: locally administered MACs, IPv4.
    Buffer.from([0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00]).copy(frame, at);
    at += 14;
    // IPv4 127.0.0.1 -> 127.0.0.1, UDP (SIPp rebuilds the IP header; it sends the UDP part).
    const ip = frame.subarray(at, at + 20);
    ip.writeUInt8(0x45, 0);
    ip.writeUInt16BE(ipLength, 2);
    ip.writeUInt16BE(k & 0xffff, 4);
    ip.writeUInt8(64, 8);
    ip.writeUInt8(17, 9);
    ip.writeUInt32BE(0x7f000001, 12);
    ip.writeUInt32BE(0x7f000001, 16);
    let sum = 0;
    for (let i = 0; i < 20; i += 2) sum += ip.readUInt16BE(i);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
    ip.writeUInt16BE(~sum & 0xffff, 10);
    at += 20;
    frame.writeUInt16BE(port, at);
    frame.writeUInt16BE(port, at + 2);
    frame.writeUInt16BE(udpLength, at + 4);
    frame.writeUInt16BE(0, at + 6); // SIPp computes the checksum when it sends
    at += 8;
    frame.writeUInt8(0x80, at); // RTP version 2
    frame.writeUInt8((k === 0 ? 0x80 : 0) | PCMU_PAYLOAD_TYPE, at + 1); // marker on the first packet
    frame.writeUInt16BE(k & 0xffff, at + 2);
    frame.writeUInt32BE((k * PCMU_SAMPLES_PER_PACKET) >>> 0, at + 4);
    frame.writeUInt32BE(ssrc >>> 0, at + 8);
    at += 12;
    for (let i = 0; i < PCMU_SAMPLES_PER_PACKET; i += 1) {
      const n = k * PCMU_SAMPLES_PER_PACKET + i;
      frame[at + i] = linearToUlaw(Math.sin((2 * Math.PI * options.frequencyHz * n) / PCMU_RATE) * amplitude * 32_767);
    }
    parts.push(frame);
  }
  writeFileSync(file, Buffer.concat(parts));
}
