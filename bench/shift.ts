/**
 * A shift (issue 14, goal 5): `calls` calls, one after another, through the web host in
 * Chromium, each worked in the real UI as an agent would: answer, tick a HEAT step,
 * type notes (autosaved), hold with the caller's consent and resume, flag the caller
 * on every tenth call, hang up, finish the wrap-up. Callers come from a pool of 40
 * numbers, so returning callers bring their history and flags to the card.
 *
 * Sampled at the first call, the middle one and the last (after a forced GC on both
 * sides): the core's heap and RSS (the core runs in this process, as in the web
 * host), its open file descriptors and live timers (Node's active resources), and in
 * the page: JS heap (CDP Runtime.getHeapUsage), DOM nodes and event listeners (CDP
 * Memory.getDOMCounters) and live timers (setTimeout/setInterval counted by an init
 * script). Goal: each grows ≤ 10 % from the middle to the last sample.
 *
 * Timed per call: the screen pop (the INVITE leaving SIPp → the caller card painted in
 * the page, as bench/workspace.ts does) and the note save (the core's notes:status
 * "saving" → "saved", the write itself without the autosave's quiet period). Goal:
 * p99 of the last 50 calls within 10 % of the first 50 (quick run: first and last
 * sixth).
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { CDPSession, Page } from 'playwright-core';
import { silentLogger } from '../src/core/logger';
import { en } from '../src/renderer/src/i18n/en';
import { HEAT_CHECKLIST } from '../src/shared/workspace/checklists';
import { startWebHost } from '../src/webhost/server/web-host';
import { startAgent } from '../tests/support/agent';
import { launchChromium } from '../tests/support/browser';
import { startKamailio } from '../tests/support/kamailio';
import { formatSippResult, runSipp } from '../tests/support/sipp';
import { sippInviteTimes } from './phone';
import { type BenchGoal, type BenchTable, formatMs, machineInfo, summarize } from './support';

/** Growth allowed from the middle sample to the last, and p99 drift allowed first → last window. */
export const SHIFT_GROWTH = 0.1;
const POOL = 40;
const HEAR_STEP = HEAT_CHECKLIST.steps.find((step) => step.id === 'hear')?.title.en ?? 'Hear';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** The English string `key`, values filled in and the bidi-isolation tags dropped (as the agent reads it). */
function say(key: string, values: Record<string, string> = {}): string {
  const text = key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], en);
  if (typeof text !== 'string') throw new Error(`en has no string ${key}`);
  return text.replace(/<\/?\w+>/g, '').replace(/{{(\w+)}}/g, (_, name: string) => values[name] ?? '');
}

interface Sample {
  call: number;
  coreHeapMB: number;
  coreRssMB: number;
  fds: number;
  coreTimers: number;
  pageHeapMB: number;
  domNodes: number;
  listeners: number;
  pageTimers: number;
}

const METRICS: Array<[keyof Omit<Sample, 'call'>, string]> = [
  ['coreRssMB', 'core process RSS, MB'],
  ['coreHeapMB', 'core JS heap used, MB'],
  ['fds', 'open file descriptors'],
  ['coreTimers', 'core live timers'],
  ['pageHeapMB', 'renderer JS heap used, MB'],
  ['domNodes', 'DOM nodes'],
  ['listeners', 'event listeners'],
  ['pageTimers', 'renderer live timers'],
];

/** Counts the page's live timers: every setTimeout/setInterval not yet fired or cleared. */
const TIMER_COUNTER = `(() => {
  const live = new Set();
  const st = globalThis.setTimeout, ct = globalThis.clearTimeout, si = globalThis.setInterval, ci = globalThis.clearInterval;
  globalThis.setTimeout = function (fn, ...rest) {
    const id = st.call(this, function (...args) { live.delete(id); return typeof fn === 'function' ? fn.apply(this, args) : undefined; }, ...rest);
    live.add(id);
    return id;
  };
  globalThis.clearTimeout = function (id) { live.delete(id); return ct.call(this, id); };
  globalThis.setInterval = function (...args) { const id = si.apply(this, args); live.add(id); return id; };
  globalThis.clearInterval = function (id) { live.delete(id); return ci.call(this, id); };
  globalThis.__liveTimers = () => live.size;
})()`;

/** Stamps the paint of each ringing call's caller card (the next animation frame after it is in the DOM). */
const PAINT_PROBE = `(() => {
  const seen = new Set();
  const paints = new Map();
  globalThis.__paints = paints;
  new MutationObserver(() => {
    const panel = document.querySelector('[data-testid^="call-"][data-state="ringing"]');
    const callId = panel && panel.getAttribute('data-testid').slice('call-'.length);
    if (!callId || seen.has(callId) || !document.querySelector('[data-testid="caller-card"] [data-testid="caller-card-name"]')) return;
    seen.add(callId);
    requestAnimationFrame(() => paints.set(callId, performance.timeOrigin + performance.now()));
  }).observe(document.body, { subtree: true, childList: true, attributes: true });
})()`;

async function sample(call: number, page: Page, cdp: CDPSession): Promise<Sample> {
  gc();
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = await cdp.send('Runtime.getHeapUsage');
  const dom = await cdp.send('Memory.getDOMCounters');
  const memory = process.memoryUsage();
  return {
    call,
    coreHeapMB: memory.heapUsed / 1e6,
    coreRssMB: memory.rss / 1e6,
    fds: readdirSync('/proc/self/fd').length,
    coreTimers: process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length,
    pageHeapMB: heap.usedSize / 1e6,
    domNodes: dom.nodes,
    listeners: dom.jsEventListeners,
    pageTimers: (await page.evaluate('globalThis.__liveTimers()')) as number,
  };
}

/** Runs the shift; `calls` calls (at least 6), sampled at the first, the middle and the last. */
export async function runShiftBench(options: { calls?: number; quick?: boolean } = {}): Promise<BenchTable> {
  const calls = Math.max(6, options.calls ?? 300);
  const window = Math.min(50, Math.floor(calls / 6));
  const sampleAt = new Set([1, Math.floor(calls / 2), calls]);
  const dataDir = mkdtempSync(join(tmpdir(), 'calmline-bench-shift-'));
  const kamailio = await startKamailio();
  const agent = await startAgent(kamailio, { dataDir });
  const host = await startWebHost({
    core: agent.core,
    rendererDir: resolve('out/renderer'),
    bridgeScript: resolve('out/webhost/bridge.js'),
    logger: silentLogger,
  });
  const browser = await launchChromium();
  const pops: number[] = [];
  const saves: number[] = [];
  const samples: Sample[] = [];
  const failures: string[] = [];
  let worked = 0;
  let idle: Sample | undefined;
  const pageErrors: string[] = [];
  // The core's own note-save timing: "saving" → "saved" of each call's note.
  const savingSince = new Map<string, number>();
  const savedMs = new Map<string, number[]>();
  const stopListening = agent.core.onEvent((channel, payload) => {
    if (channel !== 'notes:status') return;
    const now = performance.now();
    if (payload.state === 'saving') savingSince.set(payload.callId, now);
    else if (payload.state === 'saved' && savingSince.has(payload.callId)) {
      const list = savedMs.get(payload.callId) ?? [];
      list.push(now - (savingSince.get(payload.callId) ?? now));
      savedMs.set(payload.callId, list);
      savingSince.delete(payload.callId);
    }
  });
  const started = performance.now();
  try {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1100, height: 760 } });
    await context.addInitScript(TIMER_COUNTER);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(host.url);
    await page.getByTestId('registration-status').and(page.locator('[data-status="registered"]')).waitFor();
    await page.evaluate(PAINT_PROBE);
    const cdp = await context.newCDPSession(page);
    const clockSkewMs = (await page.evaluate('performance.timeOrigin + performance.now() - Date.now()')) as number;

    for (let n = 1; n <= calls; n += 1) {
      const number = `+4930555${String(1000 + (n % POOL))}`;
      const caller = `Shift Caller ${n % POOL}`;
      const sipp = runSipp({
        scenario: 'caller-held-and-resumed.xml',
        kamailio,
        service: '1001',
        caller: number,
        displayName: caller,
        recvTimeoutMs: 30_000,
        extraArgs: ['-timer_resol', '1'],
        timeoutMs: 60_000,
      });
      let step = 'ring';
      try {
        const call = await agent.waitForCall((c) => c.state === 'ringing' && c.remoteNumber === number, 15_000);
        const panel = page.getByTestId(`call-${call.id}`);
        step = 'answer';
        await panel.locator('[data-action="answer"]').click();
        await panel.and(page.locator('[data-state="active"]')).waitFor();
        const painted = (await page.evaluate(`globalThis.__paints.get(${JSON.stringify(call.id)})`)) as
          number | undefined;

        step = 'HEAT step';
        const checklist = page.getByTestId('checklist');
        await checklist.getByRole('checkbox', { name: HEAR_STEP }).check();
        step = 'notes';
        const notes = page.getByRole('textbox', { name: say('notes.label', { caller }), exact: true });
        await notes.fill(`Call ${n}: customer asked about invoice ${1000 + n}; explained the charge.`);

        step = 'hold';
        await panel.locator('[data-action="hold"]').click();
        const dialog = page.getByTestId('consent-dialog');
        await dialog.getByRole('button', { name: say('consent.agreed'), exact: true }).click();
        await panel.and(page.locator('[data-state="held"]')).waitFor();
        step = 'resume';
        await panel.locator('[data-action="resume"]').click();
        await panel.and(page.locator('[data-state="active"]')).waitFor();

        step = 'flag';
        if (n % 10 === 0) {
          await page.getByRole('button', { name: say('card.addFlagLabel', { caller }), exact: true }).click();
          await page.getByLabel(say('card.flagKind'), { exact: true }).selectOption('insults');
          await page.getByLabel(say('card.flagReason'), { exact: true }).fill(`Shouted at the agent on call ${n}.`);
          await page.getByRole('button', { name: say('card.saveFlag'), exact: true }).click();
          await page.getByTestId('caller-flags').waitFor();
        }
        step = 'note saved';
        // The note is on disk before the call ends (the status line says so).
        await page.getByTestId('notes-status').and(page.locator('.notes-status-saved')).waitFor({ timeout: 10_000 });

        step = 'hang up';
        await panel.locator('[data-action="hang-up"]').click();
        step = 'wrap-up';
        const wrapUp = page.getByTestId('wrap-up');
        await wrapUp.getByRole('radio', { name: say('wrapUp.outcomes.resolved'), exact: true }).check();
        await wrapUp.getByRole('button', { name: say('wrapUp.finish'), exact: true }).click();
        await wrapUp.waitFor({ state: 'detached' });
        // A de-escalation break offered after a flagged call is declined, so the shift goes on.
        const offer = page.getByTestId('break-offer');
        if (await offer.count()) await offer.getByRole('button', { name: say('breaks.notNow'), exact: true }).click();

        step = 'SIPp';
        const result = await sipp.done;
        if (!result.passed) throw new Error(`SIPp: ${formatSippResult(result)}`);
        const sentAt = [...sippInviteTimes(result.messages).values()][0];
        if (painted !== undefined && sentAt !== undefined) pops.push(painted - clockSkewMs - sentAt);
        else failures.push(`call ${n}: no screen-pop stamp`);
        const save = savedMs.get(call.id)?.at(-1);
        if (save !== undefined) saves.push(save);
        else failures.push(`call ${n}: no note-save timing`);
        worked += 1;
      } catch (error) {
        failures.push(`call ${n} (${step}): ${String(error).split('\n')[0]}`);
        if (process.env.BENCH_SHIFT_SCREENSHOTS)
          await page
            .screenshot({ path: join(process.env.BENCH_SHIFT_SCREENSHOTS, `call-${n}.png`) })
            .catch(() => undefined);
        // Leave the agent free for the next call: end what is still live, close the wrap-up.
        for (const live of agent.core.phoneState().calls.filter((c) => c.state !== 'ended'))
          await agent.command(live.state === 'ringing' ? 'call:decline' : 'call:hang-up', { callId: live.id });
        await agent.command('wrap-up:complete', { outcome: 'resolved' });
        await sipp.done.catch(() => undefined);
      }
      if (sampleAt.has(n)) samples.push(await sample(n, page, cdp));
    }
    // SIP transactions keep their timers for 32 s after a call (RFC 3261 Timer J/K/D): an
    // idle sample after that shows what the shift really left behind (not judged).
    if (!options.quick) {
      await new Promise((resolve) => setTimeout(resolve, 40_000));
      idle = await sample(calls, page, cdp);
    }
  } finally {
    stopListening();
    await browser.close().catch(() => undefined);
    await host.close();
    await agent.stop();
    await kamailio.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const wallS = (performance.now() - started) / 1000;

  const [first, middle, last] = samples;
  const growth = (key: keyof Omit<Sample, 'call'>) =>
    middle && last ? (last[key] - middle[key]) / Math.max(middle[key], 1e-9) : Number.NaN;
  const windowOf = (series: number[], from: 'start' | 'end') =>
    from === 'start' ? series.slice(0, window) : series.slice(Math.max(0, series.length - window));
  const drift = (series: number[]) => {
    const a = summarize(windowOf(series, 'start'));
    const b = summarize(windowOf(series, 'end'));
    return { first: a, last: b, ratio: b.p99 / a.p99 - 1 };
  };
  const pop = drift(pops);
  const save = drift(saves);
  const pct = (value: number) =>
    Number.isFinite(value) ? `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)} %` : 'n/a';
  const fmt = (value: number | undefined, key: string) =>
    value === undefined ? 'n/a' : key.endsWith('MB') ? value.toFixed(1) : String(value);

  const growthGoals: BenchGoal[] = METRICS.map(([key, label]) => {
    const g = growth(key);
    // Counts that stay tiny (a few timers) move by one or two; they must not grow at all past a small floor.
    const small = (key === 'coreTimers' || key === 'pageTimers') && middle !== undefined && middle[key] < 20;
    const met = Number.isFinite(g) && (small ? (last?.[key] ?? 0) - (middle?.[key] ?? 0) <= 2 : g <= SHIFT_GROWTH);
    return {
      goal: '5 a shift',
      metric: `${label}, call ${middle?.call ?? '?'} → ${last?.call ?? '?'}`,
      target: small ? 'grows by ≤ 2 (a count under 20)' : `grows ≤ ${SHIFT_GROWTH * 100} %`,
      measured: `${fmt(first?.[key], key)} → ${fmt(middle?.[key], key)} → ${fmt(last?.[key], key)} (${pct(g)})`,
      met,
    };
  });
  const driftGoal = (name: string, d: ReturnType<typeof drift>): BenchGoal => ({
    goal: '5 a shift',
    metric: `${name} p99, last ${window} calls vs first ${window}`,
    target: `within ${SHIFT_GROWTH * 100} %`,
    measured: `${formatMs(d.first.p99)} → ${formatMs(d.last.p99)} ms (${pct(d.ratio)}); p50 ${formatMs(d.first.p50)} → ${formatMs(d.last.p50)}`,
    met: Number.isFinite(d.ratio) && d.ratio <= SHIFT_GROWTH,
  });

  return {
    name: 'shift',
    title: `A shift: ${calls} calls through the web host in Chromium`,
    columns: [
      'metric',
      `call ${first?.call ?? 1}`,
      `call ${middle?.call ?? '?'}`,
      `call ${last?.call ?? '?'}`,
      'growth (middle → last)',
    ],
    rows: [
      ...METRICS.map(([key, label]) => [
        label,
        fmt(first?.[key], key),
        fmt(middle?.[key], key),
        fmt(last?.[key], key),
        pct(growth(key)),
      ]),
      ...(idle
        ? [
            [
              'after the shift, 40 s idle: core timers / fds / RSS MB / renderer heap MB',
              `${idle.coreTimers} / ${idle.fds} / ${idle.coreRssMB.toFixed(1)} / ${idle.pageHeapMB.toFixed(1)}`,
              '',
              '',
              '',
            ],
          ]
        : []),
      [
        `screen pop p99 (first / last ${window} calls), ms`,
        formatMs(pop.first.p99),
        '',
        formatMs(pop.last.p99),
        pct(pop.ratio),
      ],
      [
        `note save p99 (first / last ${window} calls), ms`,
        formatMs(save.first.p99),
        '',
        formatMs(save.last.p99),
        pct(save.ratio),
      ],
    ],
    notes: [
      `Each call: SIPp (tests/sipp/caller-held-and-resumed.xml) rings the agent; in the page the agent answers, ticks "${HEAR_STEP}", types a note, holds with consent ("${say('consent.agreed')}") and resumes, flags the caller on every tenth call, hangs up and finishes the wrap-up ("${say('wrapUp.outcomes.resolved')}"). Callers from a pool of ${POOL} numbers. One call at a time, back to back (the demo's pace compressed): ${wallS.toFixed(0)} s for the shift.`,
      'Samples after a forced GC in the core (this process) and the page (CDP HeapProfiler.collectGarbage). RSS includes this bench process’s own Playwright client, which stays the same over the shift.',
      'Screen pop: the INVITE leaving SIPp (-trace_msg) → the next animation frame after the ringing call’s caller card is in the DOM. Note save: the core’s notes:status "saving" → "saved" (temp file, fsync, rename), without the autosave’s quiet period.',
      `Calls not measured: ${failures.length}${failures.length ? ` (first: ${failures.slice(0, 3).join('; ')})` : ''}. Page errors: ${pageErrors.length}${pageErrors.length ? ` (first: ${pageErrors[0]})` : ''}.`,
    ],
    machine: machineInfo(),
    goals: [...growthGoals, driftGoal('screen pop', pop), driftGoal('note save', save)],
    sampleCounts: [
      { series: 'calls worked', asked: calls, got: worked },
      { series: 'screen pops timed', asked: calls, got: pops.length },
      { series: 'note saves timed', asked: calls, got: saves.length },
      { series: 'memory samples', asked: sampleAt.size, got: samples.length },
    ],
    data: { samples, idle, pops, saves, failures, pageErrors, wallS },
  };
}
