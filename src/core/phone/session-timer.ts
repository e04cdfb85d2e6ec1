/**
 * Session timers (RFC 4028) for incoming calls, which sip.js does not have
 * (docs/sipjs-pitfalls.md#s29): without them a call whose BYE never comes (lost, a
 * PBX restart) stays "active" forever and blocks the agent's next call.
 *
 * - The interval and the refresher are agreed on the INVITE: the caller's
 *   `Session-Expires` is honoured (422 with `Min-SE` when it is below ours); a caller
 *   that supports timers but asks for none refreshes at our default interval; a
 *   caller that does not support them gets us as the refresher (our re-INVITEs then
 *   also find out when the dialog is gone).
 * - Every 2xx we send to the INVITE, to a re-INVITE or to an UPDATE, and every
 *   re-INVITE we send, carries `Session-Expires` (and `Require: timer` towards a peer
 *   that supports it); the transport adds them on the way out (`decorate`).
 * - A refresh is a 2xx'd re-INVITE or UPDATE either way. We refresh at half the
 *   interval when we are the refresher; when the peer is, the call ends at
 *   `interval - min(32, interval / 3)` seconds without a refresh (RFC 4028 §10).
 */
import type { Clock, TimerHandle } from '../clock';
import { rawHeaderValues } from './sip-compliance';

/** The phone's session timer settings, in seconds. */
export interface SessionTimerSettings {
  /** Interval we ask for when the caller names none (RFC 4028 recommends 1800). */
  intervalS: number;
  /** Smallest interval we accept; shorter ones get 422 (RFC 4028: at least 90). */
  minIntervalS: number;
}

export const DEFAULT_SESSION_TIMER: SessionTimerSettings = { intervalS: 1800, minIntervalS: 90 };

/** The timer agreed for one call. */
export interface SessionTimerTerms {
  intervalS: number;
  /**
   * Who refreshes, named as on an incoming call: `uac` is the other side, `uas` is us
   * (an outgoing call's terms are turned round to fit, see phone.ts).
   */
  refresher: 'uac' | 'uas';
  /** The caller supports timers: our answers then say `Require: timer`. */
  peerSupports: boolean;
}

/** What the INVITE's headers ask for. */
export type SessionTimerOffer = { kind: 'agree'; terms: SessionTimerTerms } | { kind: 'too-small'; minSe: number };

/** The terms for an incoming INVITE (RFC 4028 §9). */
export function negotiateIncoming(rawInvite: string, settings: SessionTimerSettings): SessionTimerOffer {
  const peerSupports = optionTags(rawInvite, 'Supported', 'k').includes('timer');
  const se = parseSessionExpires(rawHeaderValues(rawInvite, 'Session-Expires', 'x')[0]);
  const minSe = Math.max(settings.minIntervalS, Number(rawHeaderValues(rawInvite, 'Min-SE')[0]) || 0);
  if (!se) {
    return {
      kind: 'agree',
      terms: { intervalS: Math.max(settings.intervalS, minSe), refresher: peerSupports ? 'uac' : 'uas', peerSupports },
    };
  }
  if (se.seconds < settings.minIntervalS) return { kind: 'too-small', minSe: settings.minIntervalS };
  const refresher = se.refresher ?? (peerSupports ? 'uac' : 'uas');
  // A peer without timer support cannot refresh: then we do.
  return {
    kind: 'agree',
    terms: { intervalS: se.seconds, refresher: peerSupports ? refresher : 'uas', peerSupports },
  };
}

/** `Session-Expires: 1800;refresher=uac` → its parts; undefined when absent or unreadable. */
export function parseSessionExpires(
  value: string | undefined,
): { seconds: number; refresher?: 'uac' | 'uas' } | undefined {
  const match = value ? /^\s*(\d{1,10})\s*(?:;(.*))?$/.exec(value) : null;
  if (!match?.[1]) return undefined;
  const seconds = Number(match[1]);
  if (!Number.isFinite(seconds) || seconds <= 0) return undefined;
  const refresher = /(?:^|;)\s*refresher\s*=\s*(uac|uas)\b/i.exec(match[2] ?? '')?.[1]?.toLowerCase();
  return refresher === 'uac' || refresher === 'uas' ? { seconds, refresher } : { seconds };
}

function flip(role: 'uac' | 'uas'): 'uac' | 'uas' {
  return role === 'uac' ? 'uas' : 'uac';
}

function optionTags(raw: string, ...names: string[]): string[] {
  return rawHeaderValues(raw, ...names)
    .flatMap((value) => value.split(','))
    .map((tag) => tag.trim().toLowerCase());
}

/** What a running timer asks its call to do. */
export interface SessionTimerHooks {
  /** Send a refresh (a re-INVITE); we are the refresher. */
  refresh(): void;
  /** No refresh came in time: end the call. */
  expire(detail: string): void;
}

/** The timer of one call; starts when the call is answered. */
export class SessionTimer {
  private timer: TimerHandle | undefined;
  private stopped = false;
  private lastRefreshAt = 0;

  constructor(
    private terms: SessionTimerTerms,
    private readonly clock: Clock,
    private readonly hooks: SessionTimerHooks,
  ) {}

  get current(): SessionTimerTerms {
    return this.terms;
  }

  /**
   * The headers our 2xx answers (`answer`) and our re-INVITEs (`request`) carry.
   * `refresher` names a role in the transaction at hand: in our own re-INVITE we are
   * its UAC, so the caller's `uac` becomes our `uas` and the other way round.
   */
  headers(kind: 'answer' | 'request'): string[] {
    const refresher = kind === 'answer' ? this.terms.refresher : flip(this.terms.refresher);
    const lines = [`Session-Expires: ${this.terms.intervalS};refresher=${refresher}`];
    if (this.terms.peerSupports && kind === 'answer') lines.push('Require: timer');
    return lines;
  }

  /**
   * Starts (or restarts) the interval: at the answer and after each refresh.
   * `sessionExpires` is the refresh's header: from the caller's request, or from the
   * answer to our own re-INVITE (`ours`, whose roles are the other way round).
   */
  refreshed(sessionExpires?: string, ours = false): void {
    if (this.stopped) return;
    const se = parseSessionExpires(sessionExpires);
    if (se) {
      const refresher = se.refresher && (ours ? flip(se.refresher) : se.refresher);
      this.terms = { ...this.terms, intervalS: se.seconds, refresher: refresher ?? this.terms.refresher };
    }
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.lastRefreshAt = this.clock.now();
    const intervalMs = this.terms.intervalS * 1000;
    if (this.terms.refresher === 'uas') {
      this.timer = this.clock.setTimeout(() => this.hooks.refresh(), intervalMs / 2);
      return;
    }
    const graceMs = Math.min(32_000, intervalMs / 3);
    this.timer = this.clock.setTimeout(
      () => this.hooks.expire(`no session refresh within ${this.terms.intervalS} s (RFC 4028)`),
      intervalMs - graceMs,
    );
  }

  /**
   * Our refresh was refused (not with 408 or 481, which end the call at once): the
   * session lasts until its interval runs out (RFC 4028 §10), then ends.
   */
  refreshFailed(detail: string): void {
    if (this.stopped) return;
    if (this.timer) this.clock.clearTimeout(this.timer);
    const intervalMs = this.terms.intervalS * 1000;
    const deadline = this.lastRefreshAt + intervalMs - Math.min(32_000, intervalMs / 3);
    this.timer = this.clock.setTimeout(() => this.hooks.expire(detail), Math.max(0, deadline - this.clock.now()));
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/**
 * Adds a call's timer headers to what leaves for it: a 2xx to INVITE or UPDATE, or
 * an in-dialog INVITE (a refresh, hold, resume). Calls are found by Call-ID.
 */
export function decorateOutbound(message: string, timerFor: (callId: string) => SessionTimer | undefined): string {
  const isResponse = message.startsWith('SIP/2.0 2');
  const isReinvite = message.startsWith('INVITE ') && /^To:[^\r\n]*;\s*tag=/im.test(message);
  if (!isResponse && !isReinvite) return message;
  const callId = rawHeaderValues(message, 'Call-ID', 'i')[0];
  const timer = callId ? timerFor(callId) : undefined;
  if (!timer) return message;
  const method = /\d+\s+([A-Z]+)/.exec(rawHeaderValues(message, 'CSeq')[0] ?? '')?.[1];
  if (method !== 'INVITE' && method !== 'UPDATE') return message;
  if (rawHeaderValues(message, 'Session-Expires', 'x').length > 0) return message;
  const end = message.search(/\r\n\r\n/);
  if (end === -1) return message;
  const headers = timer.headers(isResponse ? 'answer' : 'request');
  return `${message.slice(0, end)}\r\n${headers.join('\r\n')}${message.slice(end)}`;
}
