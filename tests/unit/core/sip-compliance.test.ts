import { Core } from 'sip.js';
import { describe, expect, it } from 'vitest';
import { inspectInbound } from '../../../src/core/phone/inbound-guard';
import { checkRequest, sipToTel, TEL_HOST, telToSip } from '../../../src/core/phone/sip-compliance';

const quiet = { error: () => {}, warn: () => {}, log: () => {}, debug: () => {} } as unknown as Core.Logger;

function request(method: string, headers: string[], body = ''): string {
  return [
    `${method} sip:1001@127.0.0.1 SIP/2.0`,
    'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK2;rport',
    'Max-Forwards: 70',
    'To: <sip:1001@127.0.0.1>',
    'Call-ID: c1@test',
    'Contact: <sip:caller@127.0.0.1:5070>',
    ...headers,
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

const invite = (headers: string[], body = '') =>
  request('INVITE', ['From: <sip:+4930123456@127.0.0.1>;tag=a', 'CSeq: 1 INVITE', ...headers], body);

const SDP = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';

describe('tel: URIs in From and To', () => {
  it('become a SIP URI sip.js parses, with the number as user, and go back out as tel:', () => {
    for (const from of ['"Erika" <tel:+4930123456>;tag=a', 'tel:+4930123456;tag=a', '<tel:+49-30-123456>;tag=a']) {
      const raw = request('INVITE', [`From: ${from}`, 'CSeq: 1 INVITE']);
      expect(Core.Parser.parseMessage(raw, quiet)).toBeUndefined();
      const rewritten = telToSip(raw);
      const parsed = Core.Parser.parseMessage(rewritten, quiet);
      expect(parsed?.from.uri.host).toBe(TEL_HOST);
      expect(parsed?.from.uri.user?.replace(/-/g, '')).toBe('+4930123456');
      expect(parsed?.fromTag).toBe('a');
      expect(sipToTel(rewritten)).toMatch(/^From: .*<tel:\+49[-0-9]+>;tag=a\r$/m);
    }
  });

  it('keeps a phone-context parameter, and leaves SIP URIs and the body alone', () => {
    const raw = request('INVITE', ['From: <tel:7042;phone-context=example.com>;tag=a', 'CSeq: 1 INVITE'], 'tel:x');
    const rewritten = telToSip(raw);
    expect(Core.Parser.parseMessage(rewritten, quiet)?.from.uri.user).toBe('7042;phone-context=example.com');
    expect(rewritten.endsWith('tel:x')).toBe(true);
    expect(sipToTel(rewritten)).toContain('From: <tel:7042;phone-context=example.com>;tag=a');
    const plain = invite([]);
    expect(telToSip(plain)).toBe(plain);
  });

  it('a tel: caller passes the inbound guard instead of getting 400', () => {
    const verdict = inspectInbound(request('INVITE', ['From: <tel:+4930123456>;tag=a', 'CSeq: 1 INVITE']));
    expect(verdict.kind).toBe('pass');
  });
});

describe('Require and CSeq', () => {
  it('answers 420 with Unsupported naming each unknown option tag, but accepts timer', () => {
    const verdict = inspectInbound(invite(['Require: timer, 100rel, foo']));
    expect(verdict.kind).toBe('reply');
    const response = verdict.kind === 'reply' ? verdict.response : '';
    expect(response.startsWith('SIP/2.0 420 Bad Extension\r\n')).toBe(true);
    expect(response).toContain('\r\nUnsupported: 100rel, foo\r\n');
    expect(inspectInbound(invite(['Require: timer', 'Session-Expires: 1800'])).kind).toBe('pass');
  });

  it('never answers Require on ACK or CANCEL', () => {
    const ack = request('ACK', ['From: <sip:a@127.0.0.1>;tag=a', 'CSeq: 1 ACK', 'Require: foo']);
    expect(checkRequest(ack).kind).toBe('pass');
  });

  it('answers 400 to a CSeq beyond 2^31-1 and accepts 2^31-1 itself', () => {
    const huge = inspectInbound(request('INVITE', ['From: <sip:a@127.0.0.1>;tag=a', 'CSeq: 2147483648 INVITE']));
    expect(huge.kind === 'reply' && huge.response.startsWith('SIP/2.0 400 CSeq Out of Range')).toBe(true);
    const max = inspectInbound(request('INVITE', ['From: <sip:a@127.0.0.1>;tag=a', 'CSeq: 2147483647 INVITE']));
    expect(max.kind).toBe('pass');
  });
});

describe('multipart bodies', () => {
  const multipart = (parts: string) =>
    invite(['Content-Type: multipart/mixed;boundary=unique-boundary-1', 'MIME-Version: 1.0'], parts);

  it('make the SDP part the body, with its type and an exact length', () => {
    const body = [
      '--unique-boundary-1',
      'Content-Type: application/sdp',
      '',
      SDP,
      '--unique-boundary-1',
      'Content-Type: application/ISUP;version=nxv3;base=etsi121',
      'Content-Disposition: signal; handling=optional',
      '',
      '\u0001\u0000\u0007',
      '--unique-boundary-1--',
      '',
    ].join('\r\n');
    const verdict = inspectInbound(multipart(body));
    expect(verdict.kind).toBe('pass');
    const parsed = Core.Parser.parseMessage(verdict.kind === 'pass' ? verdict.message : '', quiet);
    expect(parsed?.getHeader('content-type')).toBe('application/sdp');
    expect(parsed?.body).toBe(SDP);
    expect(Number(parsed?.getHeader('content-length'))).toBe(Buffer.byteLength(SDP));
  });

  it('refuse an INVITE whose multipart body has no SDP with 415 and Accept', () => {
    const body = ['--unique-boundary-1', 'Content-Type: application/ISUP', '', 'x', '--unique-boundary-1--', ''].join(
      '\r\n',
    );
    const verdict = inspectInbound(multipart(body));
    expect(verdict.kind === 'reply' && verdict.response.startsWith('SIP/2.0 415 Unsupported Media Type')).toBe(true);
    expect(verdict.kind === 'reply' && verdict.response).toContain('\r\nAccept: application/sdp\r\n');
  });
});
