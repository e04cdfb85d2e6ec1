/**
 * Hands a message the inbound guard has already parsed to sip.js's user agent core,
 * through the transport seam (docs/sipjs-pitfalls.md#s33).
 *
 * sip.js's UserAgent installs `transport.onMessage = (text) => this.onTransportMessage(text)`,
 * which parses the text again and runs a few sanity checks before it hands the message
 * to its core. Calmline used to make that second parse free by replacing sip.js's
 * `Core.Parser.parseMessage` globally at import, which a library upgrade could undo
 * without a sound. Instead the transport calls `deliverParsed` below with the guard's
 * parse: the same checks as sip.js 0.21.2's `onTransportMessage` (ported line by line),
 * then the core. `tests/unit/core/inbound-delivery.test.ts` fails when sip.js's
 * `onTransportMessage` changes, so an upgrade makes us look at this port again.
 */
import { Core, UserAgentState, type UserAgent } from 'sip.js';
import type { ParsedMessage } from './inbound-guard';

/** What sip.js's UserAgent exposes that the port needs (public API). */
type DeliveryTarget = Pick<UserAgent, 'state' | 'userAgentCore' | 'configuration'>;

/**
 * Delivers one parsed inbound message to the user agent core, as sip.js's own
 * `UserAgent.onTransportMessage` would after parsing it. Returns the reason when the
 * message was dropped (sip.js would only have logged it).
 */
export function deliverParsed(userAgent: DeliveryTarget, message: ParsedMessage): string | undefined {
  const core = userAgent.userAgentCore;
  if (userAgent.state === UserAgentState.Stopped && message instanceof Core.IncomingRequestMessage) {
    return `${message.method} request while stopped`;
  }
  // RFC 3261 §8.1.1: To, From, CSeq, Call-ID and Via are mandatory (Max-Forwards is not checked by sip.js).
  for (const header of ['from', 'to', 'call_id', 'cseq', 'via']) {
    if (!message.hasHeader(header)) return `missing mandatory header ${header}`;
  }
  const contentLength = message.getHeader('content-length');
  const bodyTooShort = contentLength !== undefined && utf8Length(message.body) < Number(contentLength);
  if (message instanceof Core.IncomingRequestMessage) {
    // sip.js's own loop check: a request from this very user agent.
    if (!message.toTag && message.callId.substring(0, 5) === userAgent.configuration.sipjsId) {
      core.replyStateless(message, { statusCode: 482 });
      return 'request from ourselves';
    }
    if (bodyTooShort) {
      core.replyStateless(message, { statusCode: 400 });
      return 'body shorter than Content-Length';
    }
    core.receiveIncomingRequestFromTransport(message);
    return undefined;
  }
  if (message.getHeaders('via').length > 1) return 'more than one Via in a response';
  if (message.via.host !== userAgent.configuration.viaHost || message.via.port !== undefined) {
    return 'Via sent-by of a response is not ours';
  }
  if (bodyTooShort) return 'response body shorter than Content-Length';
  core.receiveIncomingResponseFromTransport(message);
  return undefined;
}

/** Byte length of a string in UTF-8, as sip.js's `utf8Length`. */
function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
