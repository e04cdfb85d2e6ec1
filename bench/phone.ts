/**
 * The call-control benchmark: how much time Calmline's own logic adds to sip.js on the
 * two paths the agent feels, measured through a real Kamailio with SIPp callers.
 *
 * - **INVITE → emit**: from the INVITE's WebSocket frame arriving in Node to the core
 *   emitting `phone:state` with the ringing call (what the renderer is sent).
 * - **consent → re-INVITE**: on an answered call with the caller's consent recorded,
 *   from dispatching `call:hold` through the command router to the hold re-INVITE being
 *   handed to the WebSocket.
 *
 * The floor is a bare sip.js UserAgent in the same process, registered as another user,
 * with the same transport class and media seam and no Calmline logic. One SIPp run per
 * measurement alternates its calls between Calmline (1001) and the floor (1002), one call
 * at a time, so machine noise falls on both equally.
 *
 * Timing is taken in-process, on one monotonic clock (`performance.now()`), at the `ws`
 * socket itself: the benchmark wraps `WebSocket.prototype.emit` ('message') and
 * `WebSocket.prototype.send` of the `ws` package for the duration of the run. The hop
 * from SIPp to that frame (Kamailio + loopback) is the same for both user agents and is
 * reported separately from SIPp's `-trace_msg` wall-clock timestamps, which is the only
 * figure that compares two processes' clocks.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { type Invitation, Registerer, RegistererState, UserAgent } from 'sip.js';
import WebSocket from 'ws';
import { AppCore } from '../src/core/app-core';
import { systemClock } from '../src/core/clock';
import type { CoreLogger } from '../src/core/logger';
import { createSignallingMediaFactory, type SignallingMediaOptions } from '../src/core/phone/signalling-media';
import { WsTransport, type WsTransportOptions } from '../src/core/phone/ws-transport';
import { createMemorySecretStore, createMemoryStore } from '../src/core/settings';
import type { CallView, CommandChannel, ConsentEntry } from '../src/shared/contract';
import { startKamailio, type Kamailio } from '../tests/support/kamailio';
import { formatSippResult, runSipp, type SippResult } from '../tests/support/sipp';
import {
  type BenchGoal,
  type BenchTable,
  formatDeltaMs,
  formatMs,
  machineInfo,
  sleep,
  summarize,
  type Summary,
} from './support';

/** Options for {@link runPhoneBench}. */
export interface PhoneBenchOptions {
  /** Measured calls per user agent and per metric (default 200). */
  calls?: number;
  /** Calls per user agent run first and left out of the figures (JIT warm-up; default 10). */
  warmup?: number;
  /** Pause between two calls in ms, so each call starts on an idle process (default 10). */
  gapMs?: number;
}

/** The call-control goal: Calmline's p99 within this many ms of the floor's p99. */
export const GOAL_P99_DELTA_MS = 5;
/** Goal 1 (screen pop ahead of the library): WS frame → ringing emitted, ms. */
export const GOAL_POP_P50_MS = 0.5;
export const GOAL_POP_P99_MS = 2;
/** …and at least this many times faster than the bare sip.js floor's onInvite (p50). */
export const GOAL_POP_SPEEDUP = 3;

const CALMLINE_USER = '1001';
const FLOOR_USER = '1002';
const SCENARIO_DECLINED = fileURLToPath(new URL('./sipp/bench-caller-declined.xml', import.meta.url));
const SCENARIO_HOLD = fileURLToPath(new URL('./sipp/bench-caller-held-and-resumed.xml', import.meta.url));
/** Wait after the caller's ACK before a measured hold, so no I/O of the answer is still pending. */
const SETTLE_MS = 5;

type Side = 'calmline' | 'floor';

// ── The probe on the `ws` socket ───────────────────────────────────────────────

/** One WebSocket message seen by the probe, with the time it was seen. */
interface WireRecord {
  /** `performance.now()` when the frame was delivered by `ws`, or handed to `ws.send`. */
  t: number;
  socket: WebSocket;
  data: unknown;
  /** Decoded text, filled in lazily (never inside a measured window). */
  text?: string;
}

/**
 * Records every inbound message and outbound send of every `ws` WebSocket in this
 * process. The hot path only takes the time and pushes a record; decoding and
 * matching happen later, outside the measured windows.
 */
class WireProbe {
  readonly inbound: WireRecord[] = [];
  readonly outbound: WireRecord[] = [];
  private readonly owners = new WeakMap<WebSocket, string>();
  private readonly watchers = new Set<(record: WireRecord) => void>();
  private restore: (() => void) | undefined;

  install(): void {
    if (this.restore) return;
    type Proto = { emit: (event: unknown, ...args: unknown[]) => boolean; send: (...args: unknown[]) => void };
    const proto = WebSocket.prototype as unknown as Proto;
    const hadOwnEmit = Object.prototype.hasOwnProperty.call(proto, 'emit');
    const originalEmit = proto.emit;
    const originalSend = proto.send;
    const inbound = this.inbound;
    const outbound = this.outbound;
    const watchers = this.watchers;
    proto.emit = function emit(this: WebSocket, event: unknown, ...args: unknown[]): boolean {
      if (event !== 'message') return originalEmit.call(this, event, ...args);
      const record: WireRecord = { t: performance.now(), socket: this, data: args[0] };
      inbound.push(record);
      const handled = originalEmit.call(this, event, ...args);
      // Watchers run after the transport and sip.js have handled the frame synchronously.
      if (watchers.size) for (const watch of [...watchers]) watch(record);
      return handled;
    };
    proto.send = function send(this: WebSocket, ...args: unknown[]): void {
      outbound.push({ t: performance.now(), socket: this, data: args[0] });
      originalSend.apply(this, args);
    };
    this.restore = () => {
      if (hadOwnEmit) proto.emit = originalEmit;
      else delete (proto as Partial<Proto>).emit;
      proto.send = originalSend;
    };
  }

  uninstall(): void {
    this.restore?.();
    this.restore = undefined;
  }

  /** The message as text. */
  text(record: WireRecord): string {
    if (record.text !== undefined) return record.text;
    const { data } = record;
    let text: string;
    if (typeof data === 'string') text = data;
    else if (Buffer.isBuffer(data)) text = data.toString('utf8');
    else if (Array.isArray(data)) text = Buffer.concat(data as Buffer[]).toString('utf8');
    else if (data instanceof ArrayBuffer) text = Buffer.from(data).toString('utf8');
    else text = String(data);
    record.text = text;
    return text;
  }

  /** The SIP user whose REGISTER went out on this socket, i.e. which user agent owns it. */
  ownerOf(socket: WebSocket): string | undefined {
    const known = this.owners.get(socket);
    if (known) return known;
    for (const record of this.outbound) {
      if (record.socket !== socket) continue;
      const text = this.text(record);
      if (!text.startsWith('REGISTER ')) continue;
      const user = /^(?:From|f):[^\r\n]*<?sips?:([^@;>\s]+)@/im.exec(text)?.[1];
      if (user) {
        this.owners.set(socket, user);
        return user;
      }
    }
    return undefined;
  }

  /** The last inbound record from index `since` on that user's socket matching `match`. */
  lastInbound(user: string, since: number, match: (text: string) => boolean): WireRecord | undefined {
    for (let i = this.inbound.length - 1; i >= since; i -= 1) {
      const record = this.inbound[i];
      if (record && this.ownerOf(record.socket) === user && match(this.text(record))) return record;
    }
    return undefined;
  }

  /** The first outbound record from index `since` on that user's socket matching `match`. */
  firstOutbound(user: string, since: number, match: (text: string) => boolean): WireRecord | undefined {
    for (let i = since; i < this.outbound.length; i += 1) {
      const record = this.outbound[i];
      if (record && this.ownerOf(record.socket) === user && match(this.text(record))) return record;
    }
    return undefined;
  }

  /** The last outbound record at or after time `since` on that user's socket matching `match`. */
  lastOutboundSince(user: string, since: number, match: (text: string) => boolean): WireRecord | undefined {
    for (let i = this.outbound.length - 1; i >= 0; i -= 1) {
      const record = this.outbound[i];
      if (!record || record.t < since) return undefined;
      if (this.ownerOf(record.socket) === user && match(this.text(record))) return record;
    }
    return undefined;
  }

  /** Resolves with the first inbound record from index `since` on the user's socket that matches. */
  waitInbound(user: string, since: number, match: (text: string) => boolean, timeoutMs = 5_000): Promise<WireRecord> {
    const test = (record: WireRecord) => this.ownerOf(record.socket) === user && match(this.text(record));
    for (let i = since; i < this.inbound.length; i += 1) {
      const record = this.inbound[i];
      if (record && test(record)) return Promise.resolve(record);
    }
    return new Promise((resolve, reject) => {
      const watch = (record: WireRecord) => {
        if (!test(record)) return;
        this.watchers.delete(watch);
        clearTimeout(timer);
        resolve(record);
      };
      const timer = setTimeout(() => {
        this.watchers.delete(watch);
        reject(new Error(`no matching message for ${user} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.watchers.add(watch);
    });
  }
}

const callIdOf = (text: string): string | undefined => /^(?:Call-ID|i):\s*(\S+)/im.exec(text)?.[1];
const fromUserOf = (text: string): string | undefined => /^(?:From|f):[^\r\n]*<?sips?:([^@;>\s]+)@/im.exec(text)?.[1];
const isInitialInvite = (text: string): boolean =>
  text.startsWith('INVITE ') && !/^(?:To|t):[^\r\n]*;\s*tag=/im.test(text);
const digits = (text: string): string => text.replace(/\D/g, '');

// ── SIPp trace timestamps ─────────────────────────────────────────────────────

/**
 * When SIPp sent each call's first INVITE, in ms since the epoch, by Call-ID. The
 * `-trace_msg` block header is local wall-clock time with µs (`-timer_resol 1`).
 */
export function sippInviteTimes(messages: string): Map<string, number> {
  const sent = new Map<string, number>();
  for (const block of messages.split(/^(?=-{20,} \d{4}-)/m)) {
    const head =
      /^-+ (\d{4})-(\d{2})-(\d{2})\s+(\d{2}):(\d{2}):(\d{2})\.(\d{1,6})\s*\n\S+ message sent[^\n]*\n\n(INVITE [^\n]*)/.exec(
        block,
      );
    if (!head) continue;
    const [, y, mo, d, h, mi, s, frac] = head.map(Number) as number[];
    const fraction = head[7] ?? '0';
    const wall =
      new Date(y ?? 0, (mo ?? 1) - 1, d ?? 1, h ?? 0, mi ?? 0, s ?? 0).getTime() +
      (frac ?? 0) / 10 ** (fraction.length - 3);
    const callId = callIdOf(block);
    if (callId && !sent.has(callId)) sent.set(callId, wall);
  }
  return sent;
}

// ── The two user agents ───────────────────────────────────────────────────────

/** A logger that keeps the core quiet but counts its warnings and errors. */
function countingLogger(): CoreLogger & { warnings: number; errors: number; last: string[] } {
  const logger = {
    warnings: 0,
    errors: 0,
    last: [] as string[],
    debug: () => undefined,
    info: () => undefined,
    warn: (message: string) => {
      logger.warnings += 1;
      logger.last = [...logger.last.slice(-4), `warn: ${message}`];
    },
    error: (message: string) => {
      logger.errors += 1;
      logger.last = [...logger.last.slice(-4), `error: ${message}`];
    },
  };
  return logger;
}

async function startCalmline(kamailio: Kamailio, logger: CoreLogger): Promise<AppCore> {
  const core = new AppCore({
    store: createMemoryStore({
      account: { wsUrl: kamailio.wsUrl, sipUri: `sip:${CALMLINE_USER}@${kamailio.domain}`, displayName: 'Agent' },
      // Calls come back to back: a bench workspace whose wrap-up does not hold calls back
      // (with the default policy every call after the first answered one gets 486).
      workspacePolicy: { wrapUpHoldsCalls: false },
    }),
    secrets: createMemorySecretStore(''),
    clock: systemClock,
    logger,
    createMediaFactory: () => createSignallingMediaFactory(),
  });
  await core.start();
  const deadline = Date.now() + 10_000;
  while (core.phoneState().registration.status !== 'registered') {
    if (Date.now() > deadline)
      throw new Error(`Calmline did not register: ${JSON.stringify(core.phoneState().registration)}`);
    await sleep(20);
  }
  return core;
}

/** A bare sip.js UserAgent: same transport class and media seam as Calmline, nothing else. */
async function startFloor(kamailio: Kamailio, onInvite: (invitation: Invitation) => void): Promise<UserAgent> {
  const uri = UserAgent.makeURI(`sip:${FLOOR_USER}@${kamailio.domain}`);
  if (!uri) throw new Error('bad floor URI');
  const ua = new UserAgent({
    uri,
    transportConstructor: WsTransport,
    transportOptions: { server: kamailio.wsUrl } satisfies WsTransportOptions,
    sessionDescriptionHandlerFactory: createSignallingMediaFactory({ basePort: 42_000 }),
    logBuiltinEnabled: false,
    logLevel: 'error',
    noAnswerTimeout: 600,
    delegate: { onInvite },
  });
  await ua.start();
  const registerer = new Registerer(ua, { expires: 600 });
  const registered = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the floor UA did not register')), 10_000);
    registerer.stateChange.addListener((state) => {
      if (state === RegistererState.Registered) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  await registerer.register();
  await registered;
  return ua;
}

// ── One SIPp run that alternates calls between the two user agents ────────────

interface CallSample {
  side: Side;
  /** Order of this call among the side's calls in the run (0-based; the first `warmup` are dropped). */
  seq: number;
  /** The measured in-process figure, ms. */
  ms: number;
  /** Call-ID of the initial INVITE, to find SIPp's send time. */
  callId?: string | undefined;
  /** `performance.now()` of the INVITE frame, of the 100 and 180 sent back, and of the emit. */
  frameAt?: number | undefined;
  tryingAt?: number | undefined;
  ringingAt?: number | undefined;
  emittedAt?: number | undefined;
}

interface PhaseResult {
  samples: CallSample[];
  sipp: SippResult;
  failures: string[];
  wallMs: number;
  /** Wall clock minus `performance.now()`, calibrated before and after the SIPp run, ms. */
  wallOffset: { before: number; after: number };
}

/**
 * Wall-clock time minus `performance.now()`, to µs: `Date.now()` has whole-ms
 * resolution, so catch the instant it ticks over, when the wall clock is exactly the
 * new value. The narrowest of a few tries wins. Taken fresh around each SIPp run
 * instead of trusting `performance.timeOrigin`, which is fixed at process start.
 */
function wallClockOffset(): number {
  let best = Number.POSITIVE_INFINITY;
  let offset = Number.NaN;
  for (let attempt = 0; attempt < 7; attempt += 1) {
    const start = Date.now();
    let before = performance.now();
    let now = Date.now();
    while (now === start) {
      before = performance.now();
      now = Date.now();
    }
    const after = performance.now();
    if (after - before < best) {
      best = after - before;
      offset = now - (before + after) / 2;
    }
  }
  return offset;
}

/** Writes the SIPp -inf file: `SEQUENTIAL`, then `user;caller-number;` per call, alternating sides. */
function writeCallList(dir: string, name: string, pairs: number, firstNumber: number): string {
  const lines = ['SEQUENTIAL'];
  for (let i = 0; i < pairs; i += 1) {
    lines.push(`${CALMLINE_USER};+49${firstNumber + 2 * i};`, `${FLOOR_USER};+49${firstNumber + 2 * i + 1};`);
  }
  const file = join(dir, `${name}.csv`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

async function runCalls(
  kamailio: Kamailio,
  scenario: string,
  callList: string,
  totalCalls: number,
  gapMs: number,
  flows: Promise<void>[],
): Promise<Pick<PhaseResult, 'sipp' | 'wallMs' | 'wallOffset'>> {
  const before = wallClockOffset();
  const started = performance.now();
  const run = runSipp({
    scenario,
    kamailio,
    displayName: 'Bench Caller',
    pauseMs: gapMs,
    recvTimeoutMs: 5_000,
    timeoutMs: 30_000 + totalCalls * 1_000,
    // Later options win over runSipp's `-m 1 -l 1`: all calls in one run, one at a time.
    extraArgs: ['-inf', callList, '-m', String(totalCalls), '-l', '1', '-r', '1000', '-timer_resol', '1'],
  });
  const sipp = await run.done;
  // Flows still finishing their last step (e.g. awaiting the BYE's 200).
  await Promise.race([Promise.allSettled(flows), sleep(5_000)]);
  const wallMs = performance.now() - started;
  return { sipp, wallMs, wallOffset: { before, after: wallClockOffset() } };
}

// ── The benchmark ─────────────────────────────────────────────────────────────

/** Runs both measurements and returns the table. Needs `kamailio` and `sipp` on PATH. */
export async function runPhoneBench(options: PhoneBenchOptions = {}): Promise<BenchTable> {
  const calls = Math.max(1, Math.floor(options.calls ?? 200));
  const warmup = Math.max(0, Math.floor(options.warmup ?? 10));
  const gapMs = Math.max(0, Math.floor(options.gapMs ?? 10));
  const pairs = calls + warmup;
  const totalCalls = 2 * pairs;
  const startedAt = new Date();
  const probe = new WireProbe();
  const logger = countingLogger();
  const dir = mkdtempSync(join(tmpdir(), 'calmline-bench-'));
  let kamailio: Kamailio | undefined;
  let core: AppCore | undefined;
  let floor: UserAgent | undefined;

  // What the listeners do with a new call depends on the phase.
  let onCalmlineRinging: (call: CallView, t: number) => void = () => undefined;
  let onFloorInvite: (invitation: Invitation, t: number) => void = (invitation) => {
    void invitation.reject({ statusCode: 486 }).catch(() => undefined);
  };

  probe.install();
  try {
    kamailio = await startKamailio();
    core = await startCalmline(kamailio, logger);
    const seen = new Set<string>();
    core.onEvent((channel, payload) => {
      const t = performance.now();
      if (channel !== 'phone:state') return;
      for (const call of payload.calls) {
        if (call.state !== 'ringing' || call.direction !== 'incoming' || seen.has(call.id)) continue;
        seen.add(call.id);
        onCalmlineRinging(call, t);
      }
    });
    floor = await startFloor(kamailio, (invitation) => {
      const t = performance.now();
      onFloorInvite(invitation, t);
    });
    const app = core;
    const pbx = kamailio;
    const must = async <T>(channel: CommandChannel, payload: unknown): Promise<T> => {
      const result = await app.router(channel, payload);
      if (!result.ok) throw new Error(`${channel}: ${result.error.code}: ${result.error.message}`);
      return result.value as T;
    };

    // ── Phase 1: INVITE → emit; every call declined with 486 ──
    process.stderr.write(`phone bench: ${totalCalls} calls declined (INVITE → emit)…\n`);
    const ring: PhaseResult = await (async () => {
      const samples: CallSample[] = [];
      const failures: string[] = [];
      const flows: Promise<void>[] = [];
      let calmlineSeq = 0;
      let floorSeq = 0;
      /** Finds the call's INVITE frame and the 100/180 sent back, after the measured window. */
      const record = (
        side: Side,
        user: string,
        seq: number,
        emittedAt: number,
        isOurs: (invite: string) => boolean,
      ): boolean => {
        const frame = probe.lastInbound(user, 0, (text) => isInitialInvite(text) && isOurs(text));
        if (!frame) {
          failures.push(`${side} call ${seq}: its INVITE frame was not seen`);
          return false;
        }
        const callId = callIdOf(probe.text(frame));
        const reply = (code: string) =>
          probe.lastOutboundSince(
            user,
            frame.t,
            (text) => text.startsWith(`SIP/2.0 ${code} `) && callIdOf(text) === callId,
          )?.t;
        samples.push({
          side,
          seq,
          ms: emittedAt - frame.t,
          callId,
          frameAt: frame.t,
          tryingAt: reply('100'),
          ringingAt: reply('180'),
          emittedAt,
        });
        return true;
      };
      onCalmlineRinging = (call, t) => {
        const seq = calmlineSeq++;
        setImmediate(() => {
          const number = digits(call.remoteNumber);
          record('calmline', CALMLINE_USER, seq, t, (text) => digits(fromUserOf(text) ?? '') === number);
          flows.push(
            must('call:decline', { callId: call.id }).then(
              () => undefined,
              (error: unknown) => void failures.push(`calmline decline ${seq}: ${String(error)}`),
            ),
          );
        });
      };
      onFloorInvite = (invitation, t) => {
        const seq = floorSeq++;
        setImmediate(() => {
          const callId = invitation.request.callId;
          record('floor', FLOOR_USER, seq, t, (text) => callIdOf(text) === callId);
          flows.push(
            invitation.reject({ statusCode: 486 }).then(
              () => undefined,
              (error: unknown) => void failures.push(`floor decline ${seq}: ${String(error)}`),
            ),
          );
        });
      };
      const list = writeCallList(dir, 'ring', pairs, 3010000000);
      return { samples, failures, ...(await runCalls(pbx, SCENARIO_DECLINED, list, totalCalls, gapMs, flows)) };
    })();

    // ── Phase 2: consent → re-INVITE; every call answered, held, resumed, hung up ──
    process.stderr.write(`phone bench: ${totalCalls} calls held and resumed (consent → re-INVITE)…\n`);
    const hold: PhaseResult = await (async () => {
      const samples: CallSample[] = [];
      const failures: string[] = [];
      const flows: Promise<void>[] = [];
      let calmlineSeq = 0;
      let floorSeq = 0;
      const waitAck = (user: string, since: number, callId: string) =>
        probe.waitInbound(user, since, (text) => text.startsWith('ACK ') && callIdOf(text) === callId);

      const calmlineFlow = async (call: CallView, seq: number, since: number): Promise<void> => {
        const number = digits(call.remoteNumber);
        const invite = probe.lastInbound(
          CALMLINE_USER,
          since,
          (text) => isInitialInvite(text) && digits(fromUserOf(text) ?? '') === number,
        );
        const callId = invite ? callIdOf(probe.text(invite)) : undefined;
        if (!callId) throw new Error('its INVITE frame was not seen');
        await must('call:answer', { callId: call.id });
        await waitAck(CALMLINE_USER, since, callId);
        await sleep(SETTLE_MS);
        const consent = await must<ConsentEntry>('call:record-consent', {
          callId: call.id,
          action: 'hold',
          answer: 'agreed',
        });
        const sentIndex = probe.outbound.length;
        const t0 = performance.now();
        await must('call:hold', { callId: call.id, consentId: consent.id });
        const reinvite = probe.firstOutbound(
          CALMLINE_USER,
          sentIndex,
          (text) => text.startsWith('INVITE ') && callIdOf(text) === callId,
        );
        if (!reinvite) throw new Error('the hold re-INVITE was not seen on the socket');
        samples.push({ side: 'calmline', seq, ms: reinvite.t - t0, callId });
        await must('call:resume', { callId: call.id });
        await must('call:hang-up', { callId: call.id });
      };

      const floorFlow = async (invitation: Invitation, seq: number, since: number): Promise<void> => {
        const callId = invitation.request.callId;
        await invitation.accept();
        await waitAck(FLOOR_USER, since, callId);
        await sleep(SETTLE_MS);
        const reinvite = (held: boolean) =>
          new Promise<void>((resolve, reject) => {
            invitation
              .invite({
                sessionDescriptionHandlerOptions: { hold: held } as SignallingMediaOptions,
                requestDelegate: {
                  onAccept: () => resolve(),
                  onReject: (response) => reject(new Error(`re-INVITE refused: ${response.message.statusCode ?? '?'}`)),
                },
              })
              .catch(reject);
          });
        const sentIndex = probe.outbound.length;
        const t0 = performance.now();
        await reinvite(true);
        const sent = probe.firstOutbound(
          FLOOR_USER,
          sentIndex,
          (text) => text.startsWith('INVITE ') && callIdOf(text) === callId,
        );
        if (!sent) throw new Error('the hold re-INVITE was not seen on the socket');
        samples.push({ side: 'floor', seq, ms: sent.t - t0, callId });
        await reinvite(false);
        await invitation.bye();
      };

      onCalmlineRinging = (call) => {
        const seq = calmlineSeq++;
        // The INVITE frame is among the last few records; start the search a little before.
        const since = Math.max(0, probe.inbound.length - 4);
        setImmediate(() =>
          flows.push(
            calmlineFlow(call, seq, since).catch(
              (error: unknown) => void failures.push(`calmline call ${seq}: ${String(error)}`),
            ),
          ),
        );
      };
      onFloorInvite = (invitation) => {
        const seq = floorSeq++;
        const since = Math.max(0, probe.inbound.length - 4);
        setImmediate(() =>
          flows.push(
            floorFlow(invitation, seq, since).catch(
              (error: unknown) => void failures.push(`floor call ${seq}: ${String(error)}`),
            ),
          ),
        );
      };
      const list = writeCallList(dir, 'hold', pairs, 3020000000);
      return { samples, failures, ...(await runCalls(pbx, SCENARIO_HOLD, list, totalCalls, gapMs, flows)) };
    })();

    return buildTable({ ring, hold, calls, warmup, gapMs, startedAt, logger });
  } finally {
    onCalmlineRinging = () => undefined;
    onFloorInvite = (invitation) => void invitation.reject({ statusCode: 486 }).catch(() => undefined);
    await core?.stop().catch(() => undefined);
    if (floor) await Promise.race([floor.stop().catch(() => undefined), sleep(3_000)]);
    await kamailio?.stop();
    probe.uninstall();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ── The table ─────────────────────────────────────────────────────────────────

interface TableInput {
  ring: PhaseResult;
  hold: PhaseResult;
  calls: number;
  warmup: number;
  gapMs: number;
  startedAt: Date;
  logger: ReturnType<typeof countingLogger>;
}

function measured(samples: readonly CallSample[], side: Side, warmup: number): CallSample[] {
  return samples.filter((s) => s.side === side && s.seq >= warmup);
}

function toolVersion(command: string, args: string[], pattern: RegExp): string {
  try {
    const output = execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 5_000 });
    return pattern.exec(output)?.[1] ?? 'unknown';
  } catch (error) {
    // SIPp prints its version and exits non-zero.
    const output = String((error as { stdout?: unknown }).stdout ?? '');
    return pattern.exec(output)?.[1] ?? 'unknown';
  }
}

/** The pinned sip.js version from package.json (the 0.21.2 package calls itself 0.21.1). */
function sipJsVersion(): string {
  try {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    return manifest.dependencies?.['sip.js'] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function buildTable({ ring, hold, calls, warmup, gapMs, startedAt, logger }: TableInput): BenchTable {
  const sippSent = sippInviteTimes(ring.sipp.messages);
  const offset = (ring.wallOffset.before + ring.wallOffset.after) / 2;
  const clockDrift = ring.wallOffset.after - ring.wallOffset.before;
  const series = (side: Side) => {
    const ringSamples = measured(ring.samples, side, warmup);
    const hop: number[] = [];
    const endToEnd: number[] = [];
    const toTrying: number[] = [];
    const toRinging: number[] = [];
    const ringingToEmit: number[] = [];
    for (const sample of ringSamples) {
      const { frameAt, tryingAt, ringingAt, emittedAt } = sample;
      if (frameAt === undefined || emittedAt === undefined) continue;
      if (tryingAt !== undefined) toTrying.push(tryingAt - frameAt);
      if (ringingAt !== undefined) {
        toRinging.push(ringingAt - frameAt);
        ringingToEmit.push(emittedAt - ringingAt);
      }
      const sent = sample.callId ? sippSent.get(sample.callId) : undefined;
      if (sent === undefined) continue;
      hop.push(offset + frameAt - sent);
      endToEnd.push(offset + emittedAt - sent);
    }
    return {
      ring: summarize(ringSamples.map((s) => s.ms)),
      hold: summarize(measured(hold.samples, side, warmup).map((s) => s.ms)),
      hop: summarize(hop),
      endToEnd: summarize(endToEnd),
      toTrying: summarize(toTrying),
      toRinging: summarize(toRinging),
      ringingToEmit: summarize(ringingToEmit),
      samples: { hop, endToEnd },
    };
  };
  const msOf = (phase: PhaseResult, side: Side) => measured(phase.samples, side, warmup).map((sample) => sample.ms);
  const { samples: calmlineCross, ...calmline } = series('calmline');
  const { samples: floorCross, ...floor } = series('floor');

  const row = (metric: string, c: Summary, f: Summary, judged: boolean | string): string[] => {
    const delta = c.p99 - f.p99;
    const goal =
      judged !== true
        ? `n/a (${judged || 'not Calmline code'})`
        : !Number.isFinite(delta)
          ? 'n/a (no samples)'
          : delta <= GOAL_P99_DELTA_MS
            ? 'yes'
            : 'NO';
    return [metric, formatMs(c.p50), formatMs(c.p99), formatMs(f.p50), formatMs(f.p99), formatDeltaMs(delta), goal];
  };

  const hops = [...calmlineCross.hop, ...floorCross.hop];
  const negative = hops.filter((hop) => hop < 0).length;
  const trustworthy = hops.length > 0 && negative <= hops.length * 0.02 && Math.abs(clockDrift) < 0.05;
  const clockNote = `Clock check: ${negative} of ${hops.length} SIPp→Node hops came out negative (smallest ${formatMs(
    Math.min(...hops),
  )} ms) and Node's wall-clock offset moved ${formatMs(clockDrift)} ms over the run. ${
    trustworthy
      ? 'A rare negative hop means SIPp stamped the INVITE a little after its sendto (it was descheduled in between), so single cross-process samples can be off by about that much; the p50s are sound.'
      : 'That is too many (or the offset drifted): do NOT trust the cross-process rows of this run.'
  }`;
  const webSocketGlobal = typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'function';
  const status = (phase: PhaseResult, name: string) => {
    const got = `${measured(phase.samples, 'calmline', warmup).length}/${calls} Calmline and ${measured(phase.samples, 'floor', warmup).length}/${calls} floor samples`;
    const sipp = phase.sipp.passed
      ? 'SIPp: all calls passed'
      : `SIPp exit ${String(phase.sipp.exitCode)} (some calls failed; see the JSON)`;
    return `${name}: ${got}; ${sipp}; ${(phase.wallMs / 1000).toFixed(1)} s.`;
  };
  const failures = [...ring.failures, ...hold.failures];

  const notes = [
    `Goals: INVITE → ringing emitted p50 ≤ ${GOAL_POP_P50_MS} ms, p99 ≤ ${GOAL_POP_P99_MS} ms and ≥ ${GOAL_POP_SPEEDUP}× faster than the floor (p50), thanks to the early pop (docs/performance.md#early-pop: Calmline emits the ringing call from the INVITE frame, before sip.js parses it and sends 100/180, so the breakdown rows after the 100 are negative); the other rows: Calmline's p99 within ${GOAL_P99_DELTA_MS} ms of the floor's p99 ("p99 delta" = Calmline p99 − floor p99). All figures in ms; p50/p99 are nearest-rank percentiles over ${calls} measured calls per user agent and metric, after ${warmup} warm-up calls each that are left out.`,
    `Set-up: one Kamailio 5.6 (tests/support/kamailio.ts) on loopback; Calmline = the real AppCore registered as ${CALMLINE_USER} (router, phone, settings, signalling-media seam); floor = a bare sip.js UserAgent in the same Node process registered as ${FLOOR_USER}, with the same media seam (src/core/phone/signalling-media.ts, since sip.js's default handler needs WebRTC) and the same transport class, Calmline's WsTransport on the \`ws\` package, without Calmline's inbound inspection. globalThis.WebSocket is ${webSocketGlobal ? 'present' : 'absent'} here; sip.js's Web transport is not used either way, so both user agents sit on the same socket layer and the same probe.`,
    `Calls: one SIPp run per metric (bench/sipp/*.xml, -inf list) alternates its calls 1001, 1002, 1001, … one call at a time (-l 1) with a ${gapMs} ms pause between calls, so machine noise falls on both user agents alike.`,
    `INVITE → emit (primary, in-process): from the INVITE's WebSocket message being delivered by \`ws\` (a wrapper on WebSocket.prototype.emit('message')) to Calmline's core emitting phone:state with the new ringing call (AppCore.onEvent listener entry) / the floor's delegate.onInvite entry. One monotonic clock (performance.now()), so no cross-process error; it covers everything Node does with the frame: Calmline's WsTransport, its inbound inspection, sip.js parsing and the 100/180 it sends before onInvite, and Calmline's phone logic. Each call is then declined with 486.`,
    `SIPp → WS hop and end-to-end (secondary, cross-process): SIPp's -trace_msg send time of the INVITE (local wall clock, µs with -timer_resol 1) against Node's performance.now() turned into wall-clock time with an offset calibrated to µs just before and after the run (catching Date.now() ticking over), matched by Call-ID. These rows compare two processes' clocks and SIPp stamps from its event loop, so trust their p50 more than their p99; the hop is Kamailio + loopback, identical for both user agents, and is not Calmline code. ${clockNote}`,
    `consent → re-INVITE: each call is answered (call:answer / invitation.accept()), the caller's ACK is awaited plus ${SETTLE_MS} ms, the consent is recorded with call:record-consent; then the clock starts just before call:hold is dispatched through the command router (zod parsing, consent check and spending, state emit, re-INVITE) and stops when the re-INVITE is handed to \`ws\` (a wrapper on WebSocket.prototype.send). Floor: the same span around session.invite({ sessionDescriptionHandlerOptions: { hold: true } }). Both then resume and hang up (BYE), which SIPp checks (a=sendonly, then a=sendrecv).`,
    status(ring, 'INVITE → emit run'),
    status(hold, 'consent → re-INVITE run'),
    `Calmline core log during the run: ${logger.warnings} warnings, ${logger.errors} errors${logger.last.length ? ` (last: ${logger.last.join(' | ')})` : ''}.`,
  ];
  if (failures.length)
    notes.push(`Calls not measured: ${failures.length} (first: ${failures.slice(0, 3).join('; ')}).`);

  const speedup = floor.ring.p50 / calmline.ring.p50;
  const popMet =
    calmline.ring.p50 <= GOAL_POP_P50_MS && calmline.ring.p99 <= GOAL_POP_P99_MS && speedup >= GOAL_POP_SPEEDUP;
  const holdDelta = calmline.hold.p99 - floor.hold.p99;
  const goals: BenchGoal[] = [
    {
      goal: '1 screen pop ahead of the library',
      metric: 'WS frame → ringing call emitted (Calmline vs bare sip.js onInvite)',
      target: `p50 ≤ ${GOAL_POP_P50_MS} ms, p99 ≤ ${GOAL_POP_P99_MS} ms, ≥ ${GOAL_POP_SPEEDUP}× faster than the floor (p50)`,
      measured: `p50 ${formatMs(calmline.ring.p50)} / p99 ${formatMs(calmline.ring.p99)} ms; floor p50 ${formatMs(floor.ring.p50)} / p99 ${formatMs(floor.ring.p99)} ms; ${speedup.toFixed(1)}×`,
      met: popMet,
      why: popMet
        ? ''
        : [
            calmline.ring.p50 > GOAL_POP_P50_MS ? 'p50 over' : '',
            calmline.ring.p99 > GOAL_POP_P99_MS ? 'p99 over' : '',
            speedup < GOAL_POP_SPEEDUP ? 'not 3× the floor' : '',
          ]
            .filter(Boolean)
            .join(', '),
    },
    {
      goal: 'call control (earlier issue)',
      metric: 'consent → re-INVITE on the socket',
      target: `p99 ≤ floor p99 + ${GOAL_P99_DELTA_MS} ms`,
      measured: `p50 ${formatMs(calmline.hold.p50)} / p99 ${formatMs(calmline.hold.p99)} ms; floor p99 ${formatMs(floor.hold.p99)} ms`,
      met: Number.isFinite(holdDelta) && holdDelta <= GOAL_P99_DELTA_MS,
      why: Number.isFinite(holdDelta) ? `delta ${formatDeltaMs(holdDelta)} ms` : 'no samples',
    },
  ];
  const count = (phase: PhaseResult, side: Side, series: string) => ({
    series,
    asked: calls,
    got: measured(phase.samples, side, warmup).length,
  });

  return {
    goals,
    sampleCounts: [
      count(ring, 'calmline', 'INVITE → emit, Calmline'),
      count(ring, 'floor', 'INVITE → emit, floor'),
      count(hold, 'calmline', 'consent → re-INVITE, Calmline'),
      count(hold, 'floor', 'consent → re-INVITE, floor'),
    ],
    name: 'phone',
    title: 'Call control: Calmline against a bare sip.js floor (ms)',
    columns: ['metric', 'Calmline p50', 'Calmline p99', 'floor p50', 'floor p99', 'p99 delta', 'goal met?'],
    rows: [
      [
        ...row('INVITE → ringing call emitted (WS frame → emit, in-process)', calmline.ring, floor.ring, true).slice(
          0,
          6,
        ),
        popMet ? 'yes (goal 1)' : 'NO (goal 1)',
      ],
      row('consent → re-INVITE on the socket (call:hold → ws send, in-process)', calmline.hold, floor.hold, true),
      row(
        'SIPp INVITE sent → ringing call emitted (end to end, cross-process clocks)',
        calmline.endToEnd,
        floor.endToEnd,
        true,
      ),
      row('SIPp INVITE sent → WS frame in Node (Kamailio + loopback hop)', calmline.hop, floor.hop, false),
      row('  breakdown: WS frame → 100 Trying handed to ws', calmline.toTrying, floor.toTrying, 'breakdown'),
      row('  breakdown: WS frame → 180 Ringing handed to ws', calmline.toRinging, floor.toRinging, 'breakdown'),
      row('  breakdown: 180 Ringing handed to ws → emit', calmline.ringingToEmit, floor.ringingToEmit, 'breakdown'),
    ],
    notes,
    machine: {
      ...machineInfo(),
      kamailio: toolVersion('kamailio', ['-v'], /version:\s*kamailio\s+(\S+)/i),
      sipp: toolVersion('sipp', ['-v'], /SIPp\s+v?([\d.]+)/),
      'sip.js': sipJsVersion(),
    },
    data: {
      startedAt: startedAt.toISOString(),
      settings: { calls, warmup, gapMs, settleMs: SETTLE_MS, goalP99DeltaMs: GOAL_P99_DELTA_MS },
      calmline,
      floor,
      samples: {
        ringMs: { calmline: msOf(ring, 'calmline'), floor: msOf(ring, 'floor') },
        holdMs: { calmline: msOf(hold, 'calmline'), floor: msOf(hold, 'floor') },
      },
      crossProcessMs: { calmline: calmlineCross, floor: floorCross },
      wallClockOffsetMs: { ring: ring.wallOffset, hold: hold.wallOffset },
      failures,
      sipp: {
        ring: ring.sipp.passed ? 'passed' : formatSippResult({ ...ring.sipp, messages: '' }),
        hold: hold.sipp.passed ? 'passed' : formatSippResult({ ...hold.sipp, messages: '' }),
      },
    },
  };
}
