/**
 * The plain-RTP caller's ear for the interop test: a UDP socket on the port the SIPp caller
 * announces in its SDP, recording every RTP packet that arrives (what the caller would hear) so
 * the test can decode the PCMU and measure it (./pcmu.ts).
 *
 * Why a Node socket rather than SIPp itself: SIPp can send RTP but has no way to report what it
 * receives (its `-rtp_echo` only bounces it back, which would mix the agent's own voice into what
 * the agent hears). So the caller's RTP endpoint is split: SIPp replays the caller's voice with
 * `play_pcap_audio` FROM this port (a raw socket, so the port need not be SIPp's), and this
 * listener receives ON it. To rtpengine that is one ordinary symmetric RTP endpoint, so its
 * endpoint learning (it latches onto the source of the packets it receives) keeps sending here.
 */
import { createSocket, type Socket } from 'node:dgram';
import { analysePcm, decodePcmu, PCMU_PAYLOAD_TYPE, type ToneAnalysis } from './pcmu';

/** One received RTP packet. */
export interface RtpPacket {
  /** Arrival time, `performance.now()` ms. */
  at: number;
  payloadType: number;
  ssrc: number;
  sequence: number;
  payload: Buffer;
  /** Sender, "ip:port". */
  from: string;
}

/** What arrived during one listening window. */
export interface RtpWindow extends ToneAnalysis {
  seconds: number;
  /** RTP packets (any payload type) in the window. */
  packets: number;
  packetsPerSecond: number;
  /** Payload types seen, e.g. [0] for PCMU only. */
  payloadTypes: number[];
  /** SSRCs seen. */
  ssrcs: number[];
  /** Senders seen, "ip:port". */
  senders: string[];
}

/** A listening socket; see {@link listenForRtp}. */
export interface RtpListener {
  readonly port: number;
  /** RTP packets received so far. */
  count(): number;
  /** RTCP packets received so far on this port (only when RTCP is multiplexed here). */
  rtcpCount(): number;
  /** Arrival time of the latest RTP packet (`performance.now()` ms), or undefined. */
  lastPacketAt(): number | undefined;
  /** Collects the RTP that arrives during the next `windowMs` and measures its PCMU audio. */
  listen(windowMs: number): Promise<RtpWindow>;
  close(): Promise<void>;
}

/** Binds a UDP socket on `host:port` and records the RTP that arrives. */
export async function listenForRtp(port: number, host = '127.0.0.1'): Promise<RtpListener> {
  const socket: Socket = createSocket('udp4');
  const packets: RtpPacket[] = [];
  let received = 0;
  let rtcp = 0;
  socket.on('message', (message, remote) => {
    if (message.length < 12 || message[0]! >> 6 !== 2) return;
    const second = message[1]!;
    // RFC 5761: RTCP packet types 200..204 occupy what would be the RTP marker bit and payload type.
    if (second >= 200 && second <= 204) {
      rtcp += 1;
      return;
    }
    const csrcCount = message[0]! & 0x0f;
    let offset = 12 + 4 * csrcCount;
    if (message[0]! & 0x10 && message.length >= offset + 4) offset += 4 + 4 * message.readUInt16BE(offset + 2);
    let end = message.length;
    if (message[0]! & 0x20) end -= message[message.length - 1]!;
    received += 1;
    packets.push({
      at: performance.now(),
      payloadType: second & 0x7f,
      ssrc: message.readUInt32BE(8),
      sequence: message.readUInt16BE(2),
      payload: Buffer.from(message.subarray(Math.min(offset, end), end)),
      from: `${remote.address}:${remote.port}`,
    });
    // Keep about two minutes at 50 packets/s.
    if (packets.length > 6_000) packets.splice(0, packets.length - 6_000);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  return {
    port,
    count: () => received,
    rtcpCount: () => rtcp,
    lastPacketAt: () => packets.at(-1)?.at,
    async listen(windowMs: number): Promise<RtpWindow> {
      const start = performance.now();
      await new Promise((resolve) => setTimeout(resolve, windowMs));
      const end = performance.now();
      const inWindow = packets.filter((p) => p.at >= start && p.at <= end);
      const audio = inWindow.filter((p) => p.payloadType === PCMU_PAYLOAD_TYPE);
      const seconds = (end - start) / 1000;
      return {
        ...analysePcm(decodePcmu(audio.map((p) => p.payload))),
        seconds,
        packets: inWindow.length,
        packetsPerSecond: inWindow.length / seconds,
        payloadTypes: [...new Set(inWindow.map((p) => p.payloadType))],
        ssrcs: [...new Set(inWindow.map((p) => p.ssrc))],
        senders: [...new Set(inWindow.map((p) => p.from))],
      };
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
