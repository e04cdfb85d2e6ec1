/**
 * Our answer to an in-dialog UPDATE. sip.js 0.21 answers every UPDATE with 405
 * (docs/sipjs-pitfalls.md#s29), but RFC 4028 lets the caller refresh a session with
 * one, and many PBXs do. A bodiless UPDATE is a pure refresh: 200 with the session's
 * timer headers. One with an offer would change the media outside sip.js's view of
 * the session, so it gets 488 and the caller can fall back to a re-INVITE.
 */
import { statelessResponse } from './inbound-guard';
import type { SessionTimer } from './session-timer';

/** The response to send, and whether it refreshed the session. */
export interface RefreshAnswer {
  status: number;
  response: string;
  refreshed: boolean;
}

/** Answers a parsed in-dialog UPDATE for a call with a session timer. */
export function answerSessionRefresh(rawUpdate: string, contact: string, timer: SessionTimer): RefreshAnswer {
  const split = /\r?\n\r?\n/.exec(rawUpdate);
  const body = split ? rawUpdate.slice(split.index + split[0].length) : '';
  if (body.trim() !== '') {
    const response = statelessResponse(rawUpdate, 488, 'Not Acceptable Here', [
      'Warning: 399 calmline "offer in UPDATE"',
    ]);
    return { status: 488, response: response ?? '', refreshed: false };
  }
  const response = statelessResponse(rawUpdate, 200, 'OK', [`Contact: ${contact}`, ...timer.headers('answer')]);
  return { status: 200, response: response ?? '', refreshed: response !== undefined };
}
