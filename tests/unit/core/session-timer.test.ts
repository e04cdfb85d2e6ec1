import { describe, expect, it } from 'vitest';
import {
  decorateOutbound,
  negotiateIncoming,
  parseSessionExpires,
  SessionTimer,
  type SessionTimerTerms,
} from '../../../src/core/phone/session-timer';
import { createFakeClock } from '../../support/fake-clock';

const SETTINGS = { intervalS: 1800, minIntervalS: 90 };

function invite(headers: string[]): string {
  return ['INVITE sip:1001@x SIP/2.0', 'Call-ID: c1', 'CSeq: 1 INVITE', ...headers, 'Content-Length: 0', '', ''].join(
    '\r\n',
  );
}

describe('negotiating a session timer for an incoming INVITE (RFC 4028 §9)', () => {
  it("honours the caller's interval and refresher", () => {
    expect(negotiateIncoming(invite(['Supported: timer', 'Session-Expires: 600;refresher=uas']), SETTINGS)).toEqual({
      kind: 'agree',
      terms: { intervalS: 600, refresher: 'uas', peerSupports: true },
    });
  });

  it('lets a caller that supports timers refresh at our interval when it names none', () => {
    expect(negotiateIncoming(invite(['Supported: 100rel, timer']), SETTINGS)).toEqual({
      kind: 'agree',
      terms: { intervalS: 1800, refresher: 'uac', peerSupports: true },
    });
  });

  it('refreshes itself for a caller without timer support, whatever refresher it names', () => {
    expect(negotiateIncoming(invite([]), SETTINGS)).toMatchObject({ terms: { refresher: 'uas', peerSupports: false } });
    expect(negotiateIncoming(invite(['Session-Expires: 300;refresher=uac']), SETTINGS)).toMatchObject({
      terms: { intervalS: 300, refresher: 'uas' },
    });
  });

  it('refuses an interval below the minimum with 422 and our Min-SE', () => {
    expect(negotiateIncoming(invite(['Supported: timer', 'Session-Expires: 30']), SETTINGS)).toEqual({
      kind: 'too-small',
      minSe: 90,
    });
  });

  it('reads Session-Expires leniently and refuses nonsense', () => {
    expect(parseSessionExpires('1800 ; refresher=UAC')).toEqual({ seconds: 1800, refresher: 'uac' });
    expect(parseSessionExpires('soon')).toBeUndefined();
    expect(parseSessionExpires('0')).toBeUndefined();
  });
});

describe('a running session timer', () => {
  const terms = (refresher: 'uac' | 'uas'): SessionTimerTerms => ({ intervalS: 90, refresher, peerSupports: true });

  it('expires min(32 s, interval/3) before the end of the interval without a refresh; a refresh restarts it', () => {
    const clock = createFakeClock();
    const expired: string[] = [];
    const timer = new SessionTimer(terms('uac'), clock, { refresh: () => {}, expire: (d) => expired.push(d) });
    timer.refreshed();
    clock.advance(59_000);
    expect(expired).toEqual([]);
    // A 120 s interval ends 32 s early: 88 s after this refresh.
    timer.refreshed('120;refresher=uac');
    clock.advance(87_000);
    expect(expired).toEqual([]);
    clock.advance(1_000);
    expect(expired).toEqual(['no session refresh within 120 s (RFC 4028)']);
  });

  it('refreshes at half the interval when we are the refresher, and never after stop()', () => {
    const clock = createFakeClock();
    let refreshes = 0;
    const timer = new SessionTimer(terms('uas'), clock, { refresh: () => (refreshes += 1), expire: () => {} });
    timer.refreshed();
    clock.advance(45_000);
    expect(refreshes).toBe(1);
    timer.stop();
    timer.refreshed();
    clock.advance(100_000);
    expect(refreshes).toBe(1);
  });

  it('reads the refresher of an answer to our own re-INVITE the other way round', () => {
    const clock = createFakeClock();
    const timer = new SessionTimer(terms('uas'), clock, { refresh: () => {}, expire: () => {} });
    timer.refreshed('90;refresher=uac', true);
    expect(timer.current.refresher).toBe('uas');
    expect(timer.headers('request')).toEqual(['Session-Expires: 90;refresher=uac']);
    expect(timer.headers('answer')).toEqual(['Session-Expires: 90;refresher=uas', 'Require: timer']);
  });

  it('after a refused refresh, ends the call when the interval runs out', () => {
    const clock = createFakeClock();
    const expired: string[] = [];
    const timer = new SessionTimer(terms('uas'), clock, { refresh: () => {}, expire: (d) => expired.push(d) });
    timer.refreshed();
    clock.advance(45_000);
    timer.refreshFailed('session refresh refused (500)');
    clock.advance(14_000);
    expect(expired).toEqual([]);
    clock.advance(1_000);
    expect(expired).toEqual(['session refresh refused (500)']);
  });
});

describe('timer headers on the way out', () => {
  const timer = new SessionTimer({ intervalS: 600, refresher: 'uac', peerSupports: true }, createFakeClock(), {
    refresh: () => {},
    expire: () => {},
  });
  const find = (id: string) => (id === 'c1' ? timer : undefined);

  it('go into a 2xx to INVITE of a call with a timer, and not into other messages', () => {
    const ok = 'SIP/2.0 200 OK\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n';
    expect(decorateOutbound(ok, find)).toBe(
      'SIP/2.0 200 OK\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\nSession-Expires: 600;refresher=uac\r\nRequire: timer\r\n\r\n',
    );
    expect(decorateOutbound(ok.replace('1 INVITE', '2 BYE'), find)).toBe(ok.replace('1 INVITE', '2 BYE'));
    expect(decorateOutbound(ok.replace('c1', 'c2'), find)).toBe(ok.replace('c1', 'c2'));
    expect(decorateOutbound(ok.replace('200 OK', '180 Ringing'), find)).toBe(ok.replace('200 OK', '180 Ringing'));
  });
});
