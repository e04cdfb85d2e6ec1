/**
 * Click-to-dial links (src/core/desk/dial-link.ts): normalised for the agent's region,
 * hostile links refused with a reason; and the desk's handing of a link to the window.
 */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/logger';
import { Desk } from '../../../src/core/desk/desk';
import { dialLinksInArgs, parseDialLink } from '../../../src/core/desk/dial-link';
import { createMemoryStore } from '../../../src/core/settings';
import { dialTargetSchema } from '../../../src/shared/contract';
import type { DialLink } from '../../../src/shared/desk';

describe('tel: and sip: links', () => {
  it.each([
    ['tel:+49-30-123456', '+4930123456', '+49 30 123456'],
    ['tel:+4930123456', '+4930123456', '+49 30 123456'],
    ['TEL:+49%2030%20123456', '+4930123456', '+49 30 123456'],
    ['tel:030 123456', '+4930123456', '+49 30 123456'],
    ['tel:(030) 123-456', '+4930123456', '+49 30 123456'],
    ['tel:123456;phone-context=+4930', '+4930123456', '+49 30 123456'],
    ['tel:+1-202-555-0143;ext=12', '+12025550143', '+1 202 555 0143'],
    ['callto:+4930123456', '+4930123456', '+49 30 123456'],
    ['callto://+4930123456', '+4930123456', '+49 30 123456'],
    ['tel:2000', '2000', '2000'],
  ])('%s dials %s, shown as %s', (link, target, display) => {
    const parsed = parseDialLink(link, 'DE');
    expect(parsed).toEqual({ ok: true, target, display });
    if (parsed.ok) expect(dialTargetSchema.safeParse(parsed.target).success).toBe(true);
  });

  it('reads national numbers for the agent region', () => {
    expect(parseDialLink('tel:020 7946 0958', 'GB')).toEqual({
      ok: true,
      target: '+442079460958',
      display: '+44 20 7946 0958',
    });
    expect(parseDialLink('tel:22 12 34 56', 'NO')).toMatchObject({ ok: true, target: '+4722123456' });
  });

  it.each([
    ['sip:2000@pbx.example.com', 'sip:2000@pbx.example.com', '2000@pbx.example.com'],
    ['sips:alice@PBX.Example.com:5061;transport=tls', 'sips:alice@pbx.example.com:5061', 'alice@pbx.example.com:5061'],
    [
      'sip:+4930123456@pbx.example.com?Subject=hi',
      'sip:+4930123456@pbx.example.com',
      '+49 30 123456 (pbx.example.com)',
    ],
    ['sip:1001@[::1]:5060', 'sip:1001@[::1]:5060', '1001@[::1]:5060'],
  ])('%s dials %s', (link, target, display) => {
    const parsed = parseDialLink(link, 'DE');
    expect(parsed).toEqual({ ok: true, target, display });
    if (parsed.ok) expect(dialTargetSchema.safeParse(parsed.target).success).toBe(true);
  });

  it.each([
    ['javascript:alert(1)', 'unsupported-scheme'],
    ['JavaScript:alert(document.cookie)//tel:+4930123456', 'unsupported-scheme'],
    ['data:text/html,<script>alert(1)</script>', 'unsupported-scheme'],
    ['https://evil.example/tel:+4930123456', 'unsupported-scheme'],
    ['file:///etc/passwd', 'unsupported-scheme'],
    ['tel:+49301\u0000234', 'control-characters'],
    ['tel:+49%0A30123456', 'control-characters'],
    ['tel:+49\u202E654321', 'control-characters'],
    ['sip:ev%0Dil@pbx.example.com', 'control-characters'],
    ['tel:' + '1'.repeat(5000), 'too-long'],
    ['tel:+49 30 <img src=x>', 'invalid-number'],
    ['tel:+99 123', 'invalid-number'],
    ['tel:1', 'invalid-number'],
    ['tel:', 'invalid-number'],
    ['tel:%E0%A4%A', 'malformed'],
    ['sip:pbx.example.com', 'malformed'],
    ['sip:a b@pbx.example.com', 'malformed'],
    ['sip:<x>@pbx.example.com', 'malformed'],
    ['sip:alice@evil host', 'malformed'],
    ['+4930123456', 'malformed'],
    ['', 'malformed'],
  ])('%j is refused: %s', (link, reason) => {
    expect(parseDialLink(link, 'DE')).toMatchObject({ ok: false, reason });
  });

  it('refuses what is not text, and keeps the excerpt short and inert', () => {
    expect(parseDialLink(42, 'DE')).toMatchObject({ ok: false, reason: 'malformed' });
    const refused = parseDialLink(`javascript:${'x'.repeat(500)}\u202E`, 'DE');
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect([...refused.excerpt].length).toBeLessThanOrEqual(81);
      expect([...refused.excerpt].some((char) => char.charCodeAt(0) < 0x20 || char === '\u202e')).toBe(false);
    }
  });

  it('finds the links in a command line, and nothing else', () => {
    expect(dialLinksInArgs(['/opt/Calmline/calmline', '--no-sandbox', 'tel:+4930123456', 'SIP:2000@pbx'])).toEqual([
      'tel:+4930123456',
      'SIP:2000@pbx',
    ]);
    expect(dialLinksInArgs(['calmline', 'javascript:alert(1)', '--inspect'])).toEqual([]);
  });
});

describe('the desk hands a link to the window', () => {
  it('sends a confirmation for a good link and a refusal for a bad one, and never dials', () => {
    const sent: DialLink[] = [];
    const desk = new Desk({
      store: createMemoryStore(),
      logger: silentLogger,
      region: () => 'DE',
      emit: (channel, payload) => {
        if (channel === 'desk:dial-link') sent.push(payload);
      },
    });
    desk.openLink('tel:030 123456');
    desk.openLink('javascript:alert(1)');
    expect(sent).toEqual([
      { id: 'link-1', outcome: 'confirm', target: '+4930123456', display: '+49 30 123456' },
      { id: 'link-2', outcome: 'refused', reason: 'unsupported-scheme', excerpt: 'javascript:alert(1)' },
    ]);
    // The latest link waits, once, for a window that starts after it arrived.
    expect(desk.takeLink()).toEqual(sent[1]);
    expect(desk.takeLink()).toBeNull();
  });
});
