import { Core } from 'sip.js';
import { describe, expect, it } from 'vitest';
import { remoteIdentity } from '../../../src/core/phone/caller-identity';
import { scanInitialInvite } from '../../../src/core/phone/early-invite';

const quiet = { error() {}, warn() {}, log() {}, debug() {} } as unknown as Core.Logger;

function invite(headers: Record<string, string | string[]>, requestLine = 'INVITE sip:1001@pbx.test SIP/2.0'): string {
  const lines = [requestLine, 'Via: SIP/2.0/WS 127.0.0.1:5080;branch=z9hG4bK1;rport'];
  const all: Record<string, string | string[]> = {
    From: '"Erika Mustermann" <sip:+4930123456@pbx.test>;tag=abc',
    To: '<sip:1001@pbx.test>',
    'Call-ID': 'call-1@pbx.test',
    CSeq: '1 INVITE',
    Contact: '<sip:caller@127.0.0.1:5060>',
    ...headers,
  };
  for (const [name, value] of Object.entries(all)) for (const v of [value].flat()) lines.push(`${name}: ${v}`);
  return `${lines.join('\r\n')}\r\nContent-Length: 0\r\n\r\n`;
}

/** The identity the phone computes from sip.js's own parse (the careful reading). */
function careful(raw: string) {
  const parsed = Core.Parser.parseMessage(raw, quiet) as Core.IncomingRequestMessage;
  return {
    key: parsed.callId + parsed.fromTag,
    identity: remoteIdentity(
      { displayName: parsed.from.displayName, user: parsed.from.uri.user },
      parsed.getHeaders('P-Asserted-Identity'),
      'DE',
    ),
  };
}

describe('scanInitialInvite (the early pop)', () => {
  it.each([
    ['a quoted name', '"Erika Mustermann" <sip:+4930123456@pbx.test>;tag=abc'],
    ['an unquoted name', 'Erika Mustermann <sip:030123456@pbx.test>;tag=t1'],
    ['no name', '<sip:1002@pbx.test;transport=udp>;tag=t2'],
    ['an addr-spec', 'sip:+4930999000@pbx.test;tag=t3'],
    ['escaped quotes', '"Erika \\"the boss\\" M." <sip:+4930123456@pbx.test>;tag=t4'],
    ['markup and a bidi override', '"<script>x</script>\u202Eevil" <sip:+4930123456@pbx.test>;tag=t5'],
    ['a national number', '"Anna" <sip:0301234567@pbx.test>;tag=t6'],
  ])('reads the same identity and session key as sip.js for %s', (_label, from) => {
    const raw = invite({ From: from });
    expect(scanInitialInvite(raw, 'DE')).toEqual(careful(raw));
  });

  it('prefers P-Asserted-Identity, as the careful reading does', () => {
    const raw = invite({ 'P-Asserted-Identity': '"Asserted" <sip:+4940555000@pbx.test>' });
    const quick = scanInitialInvite(raw, 'DE');
    expect(quick).toEqual(careful(raw));
    expect(quick?.identity).toEqual({ name: 'Asserted', number: '+4940555000' });
  });

  it.each([
    ['a re-INVITE (To tag)', invite({ To: '<sip:1001@pbx.test>;tag=xyz' })],
    ['a response', invite({}, 'SIP/2.0 200 OK')],
    ['another method', invite({ CSeq: '1 OPTIONS' }, 'OPTIONS sip:1001@pbx.test SIP/2.0')],
    ['a %-escape', invite({ From: '<sip:%C3%A9@pbx.test>;tag=a' })],
    ['a control character', invite({ From: '"Bad\u0007Bell" <sip:1@pbx.test>;tag=a' })],
    ['a folded header', invite({ From: '"Folded"\r\n <sip:1@pbx.test>;tag=a' })],
    ['a tel: identity', invite({ 'P-Asserted-Identity': '<tel:+4930123456>' })],
    ['no From tag', invite({ From: '<sip:1@pbx.test>' })],
    ['two From headers', invite({ From: ['<sip:1@pbx.test>;tag=a', '<sip:2@pbx.test>;tag=b'] })],
    ['a Replaces header', invite({ Replaces: 'abc;to-tag=1;from-tag=2' })],
    ['a space in the URI', invite({ From: '"Anna" <sip:030 1234567@pbx.test>;tag=t6' })],
    ['no blank line', 'INVITE sip:1001@pbx.test SIP/2.0\r\nFrom: <sip:1@x>;tag=a\r\n'],
  ])('leaves %s to sip.js', (_label, raw) => {
    expect(scanInitialInvite(raw, 'DE')).toBeUndefined();
  });
});
