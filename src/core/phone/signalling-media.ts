/**
 * The media seam: a sip.js SessionDescriptionHandler that negotiates a valid audio
 * SDP without any audio engine behind it.
 *
 * sip.js's default handler needs RTCPeerConnection, which the main process does not
 * have (its first `accept()` would throw synchronously and never answer the INVITE).
 * This handler is enough for signalling: the far end sees a well-formed PCMU offer or
 * answer and hold directions. Real audio replaces it with a handler that bridges to
 * the renderer's WebRTC stack through the same factory seam.
 */
import type {
  BodyAndContentType,
  Session,
  SessionDescriptionHandler,
  SessionDescriptionHandlerFactory,
  SessionDescriptionHandlerOptions,
} from 'sip.js';

/** Options sip.js passes through to our handler; `hold` asks for a held direction. */
export interface SignallingMediaOptions extends SessionDescriptionHandlerOptions {
  hold?: boolean;
}

/** Settings for the placeholder media description. */
export interface SignallingMediaConfig {
  /** Address written into c= and o= lines; no packets are ever sent there. */
  address: string;
  /** First RTP port to advertise; each handler takes the next even port. */
  basePort: number;
}

const DEFAULT_CONFIG: SignallingMediaConfig = { address: '127.0.0.1', basePort: 40_000 };

/** Thrown by a handler used after close, as sip.js expects. */
export class MediaClosedError extends Error {
  override name = 'MediaClosedError';
}

/** An SDP media direction (RFC 3264). */
export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/**
 * Direction of the first audio m-section of an SDP; a media-level attribute wins
 * over a session-level one, and `sendrecv` is the default (RFC 4566 §6).
 */
export function audioDirection(sdp: string): MediaDirection {
  const sections = sdp.split(/\r?\n(?=m=)/);
  const find = (text: string | undefined) =>
    text ? /^a=(sendrecv|sendonly|recvonly|inactive)\s*$/m.exec(text)?.[1] : undefined;
  const direction = find(sections.find((s) => s.startsWith('m=audio'))) ?? find(sections[0]);
  return (direction as MediaDirection | undefined) ?? 'sendrecv';
}

class SignallingMediaHandler implements SessionDescriptionHandler {
  private closed = false;
  private version = 0;
  private readonly sessionId = String(Math.floor(Math.random() * 1e12));
  /** The remote side's last description, kept so answers can mirror its direction. */
  remoteSdp: string | undefined;

  constructor(
    private readonly config: SignallingMediaConfig,
    private readonly port: number,
  ) {}

  close(): void {
    this.closed = true;
  }

  getDescription(options?: SignallingMediaOptions): Promise<BodyAndContentType> {
    if (this.closed) return Promise.reject(new MediaClosedError('media handler closed'));
    const direction = this.localDirection(options?.hold === true);
    const { address } = this.config;
    this.version += 1;
    const body = [
      'v=0',
      `o=calmline ${this.sessionId} ${this.version} IN IP4 ${address}`,
      's=Calmline',
      `c=IN IP4 ${address}`,
      't=0 0',
      `m=audio ${this.port} RTP/AVP 0 101`,
      'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:101 telephone-event/8000',
      'a=fmtp:101 0-16',
      'a=ptime:20',
      `a=${direction}`,
      '',
    ].join('\r\n');
    return Promise.resolve({ body, contentType: 'application/sdp' });
  }

  hasDescription(contentType: string): boolean {
    return contentType.split(';')[0]?.trim().toLowerCase() === 'application/sdp';
  }

  setDescription(sdp: string): Promise<void> {
    if (this.closed) return Promise.reject(new MediaClosedError('media handler closed'));
    if (!/^m=audio /m.test(sdp)) {
      return Promise.reject(new Error('remote description offers no audio'));
    }
    this.remoteSdp = sdp;
    return Promise.resolve();
  }

  rollbackDescription(): Promise<void> {
    return Promise.resolve();
  }

  sendDtmf(): boolean {
    // No RTP here: DTMF goes as SIP INFO until the audio bridge exists.
    return false;
  }

  private localDirection(hold: boolean): MediaDirection {
    const remote = this.remoteSdp ? audioDirection(this.remoteSdp) : 'sendrecv';
    // Answer a remote hold with the matching direction (RFC 3264 §6.1).
    if (hold) return remote === 'sendonly' || remote === 'inactive' ? 'inactive' : 'sendonly';
    if (remote === 'sendonly') return 'recvonly';
    if (remote === 'inactive') return 'inactive';
    return 'sendrecv';
  }
}

/** Builds the factory sip.js calls once per offer/answer dialog. */
export function createSignallingMediaFactory(
  config: Partial<SignallingMediaConfig> = {},
): SessionDescriptionHandlerFactory {
  const merged = { ...DEFAULT_CONFIG, ...config };
  let nextPort = merged.basePort;
  return (_session: Session) => {
    const port = nextPort;
    nextPort = nextPort >= 59_998 ? merged.basePort : nextPort + 2;
    return new SignallingMediaHandler(merged, port);
  };
}
