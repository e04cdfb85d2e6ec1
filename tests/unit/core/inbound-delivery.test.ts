/**
 * The transport seam that hands the inbound guard's parse to sip.js
 * (docs/sipjs-pitfalls.md#s33). These tests fail when a sip.js upgrade changes the
 * path the port copies, or stops using the transport's `onMessage`, so the guard
 * can never be bypassed silently.
 */
import { createHash } from 'node:crypto';
import { Core, UserAgent } from 'sip.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { deliverParsed } from '../../../src/core/phone/inbound-delivery';
import { inspectInbound } from '../../../src/core/phone/inbound-guard';
import { WsTransport } from '../../../src/core/phone/ws-transport';

function userAgent(): UserAgent {
  return new UserAgent({
    uri: UserAgent.makeURI('sip:1001@127.0.0.1'),
    transportConstructor: WsTransport,
    transportOptions: { server: 'ws://127.0.0.1:9' },
    logBuiltinEnabled: false,
    viaHost: 'calmline.invalid',
  });
}

const request = (extra: string[] = [], body = '') =>
  [
    'OPTIONS sip:1001@127.0.0.1 SIP/2.0',
    'Via: SIP/2.0/WS proxy.invalid;branch=z9hG4bK1',
    'Max-Forwards: 70',
    'From: <sip:2000@127.0.0.1>;tag=a',
    'To: <sip:1001@127.0.0.1>',
    'Call-ID: delivery-1',
    'CSeq: 1 OPTIONS',
    ...extra,
    `Content-Length: ${extra.some((h) => h.startsWith('X-Short')) ? 50 : Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');

const response = (via: string[]) =>
  [
    'SIP/2.0 200 OK',
    ...via,
    'From: <sip:1001@127.0.0.1>;tag=b',
    'To: <sip:2000@127.0.0.1>;tag=c',
    'Call-ID: delivery-2',
    'CSeq: 1 OPTIONS',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');

const SAMPLES: Record<string, string> = {
  'a valid request': request(),
  'a request whose body is shorter than Content-Length': request(['X-Short: 1'], 'abc'),
  'a request from this very user agent': '',
  'a response with two Vias': response([
    'Via: SIP/2.0/WS calmline.invalid;branch=z9hG4bK2',
    'Via: SIP/2.0/WS other.invalid;branch=z9hG4bK3',
  ]),
  'a response for another Via host': response(['Via: SIP/2.0/WS other.invalid;branch=z9hG4bK2']),
  'a response for us': response(['Via: SIP/2.0/WS calmline.invalid;branch=z9hG4bK2']),
};

/** What the core was asked to do with one message. */
function coreCalls(ua: UserAgent) {
  const core = ua.userAgentCore;
  const calls: string[] = [];
  vi.spyOn(core, 'receiveIncomingRequestFromTransport').mockImplementation(() => calls.push('request'));
  vi.spyOn(core, 'receiveIncomingResponseFromTransport').mockImplementation(() => calls.push('response'));
  vi.spyOn(core, 'replyStateless').mockImplementation((_m, options) => {
    calls.push(`reply ${options.statusCode}`);
    return {} as never;
  });
  return calls;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('inbound delivery through the transport seam', () => {
  it('ports the sip.js 0.21.2 UserAgent.onTransportMessage this project was checked against', () => {
    // A sip.js upgrade that changes its inbound path changes this hash: compare
    // src/core/phone/inbound-delivery.ts with the new onTransportMessage, then update it.
    const source = (UserAgent.prototype as unknown as { onTransportMessage: () => void }).onTransportMessage.toString();
    expect(createHash('sha256').update(source).digest('hex')).toBe(
      'ed57c968b742fd9e6a75e2a1c20d844bdc29b456e2604c071b30fd1ffb8667c0',
    );
  });

  it("does with each message exactly what sip.js's own path does", () => {
    for (const [name, sample] of Object.entries(SAMPLES)) {
      const ua = userAgent();
      const text = sample || request().replace('Call-ID: delivery-1', `Call-ID: ${ua.configuration.sipjsId}-loop`);
      const theirs = coreCalls(ua);
      (ua.transport as WsTransport).onMessage?.(text);
      vi.restoreAllMocks();
      const ours = coreCalls(ua);
      const parsed = Core.Parser.parseMessage(text, ua.getLogger('test'));
      expect(parsed, name).toBeDefined();
      deliverParsed(ua, parsed!);
      expect(ours, name).toEqual(theirs);
      vi.restoreAllMocks();
    }
  });

  it('is installed by the phone: sip.js still sets the transport onMessage, and an inbound message is parsed once', async () => {
    const { Phone } = await import('../../../src/core/phone/phone');
    const { createSignallingMediaFactory } = await import('../../../src/core/phone/signalling-media');
    const { systemClock } = await import('../../../src/core/clock');
    const { silentLogger } = await import('../../../src/core/logger');
    const phone = new Phone({
      account: { wsUrl: 'ws://127.0.0.1:9', sipUri: 'sip:1001@127.0.0.1', displayName: '', password: '' },
      clock: systemClock,
      logger: silentLogger,
      mediaFactory: createSignallingMediaFactory(),
    });
    const ua = (phone as unknown as { userAgent: UserAgent }).userAgent;
    const transport = ua.transport as WsTransport;
    expect(typeof transport.onMessage).toBe('function');
    expect(typeof transport.deliverParsed).toBe('function');
    const calls = coreCalls(ua);
    const parser = vi.spyOn(Core.Parser, 'parseMessage');
    // A response (the phone is not started, and sip.js drops requests while stopped).
    const verdict = inspectInbound(response([`Via: SIP/2.0/WS ${ua.configuration.viaHost};branch=z9hG4bK9`]));
    expect(verdict.kind).toBe('pass');
    if (verdict.kind === 'pass' && verdict.parsed) transport.deliverParsed?.(verdict.parsed);
    expect(parser).toHaveBeenCalledTimes(1);
    expect(calls).toEqual(['response']);
  });
});
