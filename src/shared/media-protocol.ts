/**
 * The media bridge protocol: what the main process's SIP sessions ask of the
 * renderer's WebRTC engine, and what the engine reports back. Plain JSON only, so
 * every message can cross IPC (Electron) or the web host's WebSocket unchanged.
 *
 * Main side: `src/core/media/bridged-media.ts` (a sip.js
 * SessionDescriptionHandlerFactory that sends these requests).
 * Renderer side: `src/renderer/src/media/webrtc-media-engine.ts` (answers them
 * with RTCPeerConnection, getUserMedia and an <audio> element).
 *
 * The schemas are here so that the IPC contract can validate both directions when
 * the bridge is wired into it; the types are derived from them.
 */
import { z } from 'zod';

/** Identifies one SessionDescriptionHandler, i.e. one RTCPeerConnection. */
const sessionId = z.string().min(1).max(128);

/** An ICE server as RTCPeerConnection takes it; from the settings, never a public default. */
export const iceServerSchema = z.object({
  urls: z.union([z.string().min(1).max(512), z.array(z.string().min(1).max(512)).min(1).max(8)]),
  username: z.string().max(256).optional(),
  credential: z.string().max(256).optional(),
});
export type IceServer = z.infer<typeof iceServerSchema>;

/**
 * How calls get their audio, set by IT (`mediaPolicy` in the settings): STUN/TURN
 * servers (none by default: a public STUN server that UDP cannot reach delays every
 * call by the whole gathering timeout, docs/webrtc-audio.md#a2), how long ICE gathering
 * may take, and how long the main process waits for the engine.
 */
export const mediaPolicySchema = z.object({
  iceServers: z.array(iceServerSchema).max(8),
  iceGatheringTimeoutMs: z.number().int().min(0).max(10_000),
  requestTimeoutMs: z.number().int().min(1_000).max(60_000),
});
export type MediaPolicy = z.infer<typeof mediaPolicySchema>;

/** Host candidates only; gathering on a LAN finishes well within a second. */
export const DEFAULT_MEDIA_POLICY: MediaPolicy = {
  iceServers: [],
  iceGatheringTimeoutMs: 1_000,
  requestTimeoutMs: 10_000,
};

/** DTMF tones RTCDTMFSender accepts (RFC 4733 events plus `,` for a pause). */
export const DTMF_TONES = /^[0-9A-D#*,]{1,64}$/i;

/** Longest SDP body the bridge carries either way. */
export const MAX_SDP_LENGTH = 64_000;

export const mediaRequestSchema = z.discriminatedUnion('op', [
  /** Prepares a peer connection for a new SIP session (no SDP yet). */
  z.object({
    op: z.literal('create'),
    sessionId,
    iceServers: z.array(iceServerSchema).max(8),
    iceGatheringTimeoutMs: z.number().int().min(0).max(60_000),
  }),
  /**
   * Creates the local offer (stable state) or answer (after a remote offer), waits
   * for ICE gathering (or its timeout) and returns the complete SDP: sip.js has no
   * trickle ICE. `hold` makes the local direction `inactive`.
   */
  z.object({
    op: z.literal('get-description'),
    sessionId,
    hold: z.boolean(),
    /** New ICE credentials in this offer: the agent's "reconnect audio" after the watchdog fired. */
    iceRestart: z.boolean().optional(),
  }),
  /** Applies the remote offer or answer. `hold` keeps a held call `inactive` in the answer that follows. */
  z.object({
    op: z.literal('set-description'),
    sessionId,
    sdp: z.string().min(1).max(MAX_SDP_LENGTH),
    hold: z.boolean(),
  }),
  /** Rolls back a local offer the far end refused (e.g. 491 to a re-INVITE). */
  z.object({ op: z.literal('rollback'), sessionId }),
  /** Sends DTMF in band as RFC 4733 telephone-events (RTCDTMFSender). */
  z.object({
    op: z.literal('send-dtmf'),
    sessionId,
    tones: z.string().regex(DTMF_TONES),
    durationMs: z.number().int().min(40).max(6_000).optional(),
    interToneGapMs: z.number().int().min(30).max(6_000).optional(),
  }),
  /** Mutes or unmutes the agent's microphone on this call; the connection keeps running. */
  z.object({ op: z.literal('set-mute'), sessionId, muted: z.boolean() }),
  /** Closes the peer connection and stops its audio. Unknown sessions are fine. */
  z.object({ op: z.literal('close'), sessionId }),
]);
export type MediaRequest = z.infer<typeof mediaRequestSchema>;
export type MediaOp = MediaRequest['op'];

/** Why the engine could not do what was asked. */
export const mediaErrorCodes = [
  /** getUserMedia failed: no device, permission denied, device busy. */
  'microphone',
  /** No such session (never created, or already closed). */
  'unknown-session',
  /** The session exists but a description could not be created or applied. */
  'negotiation',
  /** No RTCDTMFSender, or the remote side did not negotiate telephone-event. */
  'dtmf-unavailable',
  /** The request itself was malformed. */
  'bad-request',
  /** Anything else. */
  'internal',
] as const;
export type MediaErrorCode = (typeof mediaErrorCodes)[number];

export const mediaResponseSchema = z.discriminatedUnion('ok', [
  /** `sdp` is present for get-description. */
  z.object({ ok: z.literal(true), sdp: z.string().max(MAX_SDP_LENGTH).optional() }),
  z.object({
    ok: z.literal(false),
    error: z.object({ code: z.enum(mediaErrorCodes), message: z.string().max(2_000) }),
  }),
]);
export type MediaResponse = z.infer<typeof mediaResponseSchema>;

/** Engine → main notices about a live session (the media watchdog and device loss). */
export const mediaEventSchema = z.object({
  sessionId,
  kind: z.enum([
    /** Both descriptions are applied and audio is expected, but no packets arrived for a while. */
    'no-audio',
    /** Packets arrive again after a `no-audio` notice. */
    'audio-restored',
    /** ICE/DTLS failed: the call cannot carry audio any more. */
    'connection-failed',
    /** The microphone track ended (device unplugged or taken away). */
    'microphone-lost',
  ]),
  /** A sentence for the agent. */
  message: z.string().max(2_000),
  /** RTCPeerConnection.connectionState when the notice was raised. */
  connectionState: z.string().max(32),
});
export type MediaEvent = z.infer<typeof mediaEventSchema>;
