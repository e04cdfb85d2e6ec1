import { Core } from 'sip.js';
import { describe, expect, it } from 'vitest';
import { inspectInbound, MAX_SIP_MESSAGE_CHARS } from '../../../src/core/phone/inbound-guard';

function invite(headers: string[] = [], from = '"Erika" <sip:+4930123456@127.0.0.1>;tag=abc') {
  return [
    'INVITE sip:1001@127.0.0.1 SIP/2.0',
    'Via: SIP/2.0/WS proxy.invalid;branch=z9hG4bK1',
    'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK2;rport',
    'Max-Forwards: 70',
    `From: ${from}`,
    'To: <sip:1001@127.0.0.1>',
    'Call-ID: c1@test',
    'CSeq: 1 INVITE',
    'Contact: <sip:caller@127.0.0.1:5070>',
    ...headers,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

describe('inbound guard', () => {
  it('passes an ordinary INVITE unchanged', () => {
    const message = invite();
    expect(inspectInbound(message)).toMatchObject({ kind: 'pass', message });
  });

  it('answers an unparseable request with a stateless 400 that echoes Via, From, To (tagged), Call-ID, CSeq', () => {
    const verdict = inspectInbound(invite([], '"bad\u0001name" <sip:x@127.0.0.1>;tag=abc'));
    expect(verdict.kind).toBe('reply');
    const response = verdict.kind === 'reply' ? verdict.response : '';
    expect(response.startsWith('SIP/2.0 400 Bad Request\r\n')).toBe(true);
    expect(response).toContain('Via: SIP/2.0/WS proxy.invalid;branch=z9hG4bK1\r\nVia: SIP/2.0/UDP 127.0.0.1:5070');
    expect(response).toMatch(/^To: <sip:1001@127\.0\.0\.1>;tag=[0-9a-f]+\r$/m);
    expect(response).toContain('Call-ID: c1@test');
    expect(response).toContain('CSeq: 1 INVITE');
    expect(response).not.toContain('\u0001');
  });

  it('drops what it cannot answer: unparseable responses, ACKs, and requests without the headers to answer', () => {
    expect(inspectInbound('SIP/2.0 180 Ringing\r\nCSeq: 1 INVITE;x\r\n\r\n').kind).toBe('drop');
    expect(
      inspectInbound(
        invite()
          .replace(/^INVITE/, 'ACK')
          .replace('From: "Erika"', 'From: "E\u0001"'),
      ).kind,
    ).toBe('drop');
    expect(inspectInbound('INVITE sip:1001@x SIP/2.0\r\nFrom: <<<\r\n\r\n').kind).toBe('drop');
  });

  it('refuses an oversized request with 513', () => {
    const verdict = inspectInbound(invite([`X-Junk: ${'a'.repeat(MAX_SIP_MESSAGE_CHARS)}`]));
    expect(verdict.kind === 'reply' && verdict.response.startsWith('SIP/2.0 513 Message Too Large')).toBe(true);
  });

  it('clamps an INVITE Expires beyond the timer range, or not a number, to an hour', () => {
    for (const value of ['2147484', '99999999999', 'soon', '-5']) {
      const verdict = inspectInbound(invite([`Expires: ${value}`]));
      expect(verdict.kind).toBe('pass');
      expect(verdict.kind === 'pass' && verdict.message).toContain('\r\nExpires: 3600\r\n');
    }
    const fine = invite(['Expires: 120']);
    expect(inspectInbound(fine)).toMatchObject({ kind: 'pass', message: fine });
  });

  it("passes sip.js's parse of the message on with it, and leaves sip.js's parser as it is", () => {
    const parser = Core.Parser.parseMessage;
    const message = invite();
    const verdict = inspectInbound(message);
    expect(verdict.kind === 'pass' && verdict.parsed?.callId).toBe('c1@test');
    // No global replacement (docs/sipjs-pitfalls.md#s33): the hand-over is the transport's job.
    expect(Core.Parser.parseMessage).toBe(parser);
  });
});
