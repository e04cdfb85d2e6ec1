/**
 * Caller-card benchmark: from the INVITE leaving SIPp to the caller card, with the
 * caller's flag, painted in Chromium (the web host, the real core, a real Kamailio).
 * Goal: p99 ≤ 33 ms (two frames at 60 Hz; issue 14, goal 2).
 *
 * Method: the caller is flagged beforehand; then one SIPp call at a time rings the
 * agent. SIPp stamps the INVITE's send time (-trace_msg, µs, system clock). In the
 * page, a MutationObserver waits for a ringing call panel together with the card's
 * flag and stamps the next animation frame (the paint) with the page's own wall
 * clock (performance.timeOrigin + performance.now()). Both clocks are the system
 * clock of this machine; the page's offset from Date.now() is measured and reported.
 * Each call is then declined (486) and the next starts once the card is gone.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { silentLogger } from '../src/core/logger';
import { startWebHost } from '../src/webhost/server/web-host';
import { startAgent } from '../tests/support/agent';
import { launchChromium } from '../tests/support/browser';
import { startKamailio } from '../tests/support/kamailio';
import { runSipp } from '../tests/support/sipp';
import { sippInviteTimes } from './phone';
import { formatMs, machineInfo, summarize, type BenchTable } from './support';

/** p99 goal from the issue, in ms. */
export const CARD_GOAL_P99_MS = 33;
const FLAGGED_NUMBER = '+4930999000';

/** Runs the caller-card benchmark over `calls` calls (after `warmup` left out). */
export async function runWorkspaceBench(options: { calls?: number; warmup?: number } = {}): Promise<BenchTable> {
  const calls = options.calls ?? 60;
  const warmup = options.warmup ?? 5;
  const kamailio = await startKamailio();
  const agent = await startAgent(kamailio, { dataDir: mkdtempSync(join(tmpdir(), 'calmline-bench-ui-')) });
  const host = await startWebHost({
    core: agent.core,
    rendererDir: resolve('out/renderer'),
    bridgeScript: resolve('out/webhost/bridge.js'),
    logger: silentLogger,
  });
  const browser = await launchChromium();
  const samples: number[] = [];
  let clockSkewMs: number;
  try {
    await agent.must('callers:add-flag', { number: FLAGGED_NUMBER, kind: 'legal-threat', reason: 'Threatened to sue' });
    const page = await (await browser.newContext({ locale: 'en-US' })).newPage();
    await page.goto(host.url);
    await page.getByTestId('registration-status').and(page.locator('[data-status="registered"]')).waitFor();
    clockSkewMs = await page.evaluate(() => performance.timeOrigin + performance.now() - Date.now());
    // Runs in the page (a string, so this Node-side file needs no DOM types).
    await page.evaluate(`(() => {
      const seen = new Set();
      const paints = [];
      globalThis.__paints = paints;
      new MutationObserver(() => {
        const panel = document.querySelector('[data-testid^="call-"][data-state="ringing"]');
        const callId = panel && panel.getAttribute('data-testid').slice('call-'.length);
        if (!callId || seen.has(callId) || !document.querySelector('[data-testid="caller-card"] [data-testid="caller-flag"]')) return;
        seen.add(callId);
        requestAnimationFrame(() => paints.push({ callId, at: performance.timeOrigin + performance.now() }));
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    })()`);
    for (let i = 0; i < calls + warmup; i += 1) {
      const sipp = runSipp({
        scenario: 'caller-declined.xml',
        kamailio,
        service: '1001',
        caller: FLAGGED_NUMBER,
        displayName: 'Flagged Caller',
        extraArgs: ['-timer_resol', '1'],
      });
      const call = await agent.waitForCall((c) => c.state === 'ringing' && c.remoteNumber === FLAGGED_NUMBER);
      await page.waitForFunction(
        (id) =>
          (globalThis as unknown as { __paints: Array<{ callId: string }> }).__paints.some((p) => p.callId === id),
        call.id,
      );
      const paintedAt = await page.evaluate(
        (id) =>
          (globalThis as unknown as { __paints: Array<{ callId: string; at: number }> }).__paints.find(
            (p) => p.callId === id,
          )!.at,
        call.id,
      );
      await agent.must('call:decline', { callId: call.id });
      const result = await sipp.done;
      const sentAt = [...sippInviteTimes(result.messages).values()][0];
      if (sentAt !== undefined && i >= warmup) samples.push(paintedAt - clockSkewMs - sentAt);
      await page.locator('[data-testid^="call-"][data-state="ringing"]').waitFor({ state: 'detached' });
    }
  } finally {
    await browser.close();
    await host.close();
    await agent.stop();
    await kamailio.stop();
  }
  const summary = summarize(samples);
  const met = summary.n > 0 && summary.p99 <= CARD_GOAL_P99_MS;
  return {
    goals: [
      {
        goal: '2 painted',
        metric: 'SIPp INVITE → caller card with flag painted (Chromium)',
        target: `p99 ≤ ${CARD_GOAL_P99_MS} ms`,
        measured: `p50 ${formatMs(summary.p50)} / p99 ${formatMs(summary.p99)} ms`,
        met,
        why: met ? '' : 'p99 over',
      },
    ],
    sampleCounts: [{ series: 'caller card painted', asked: calls, got: summary.n }],
    name: 'workspace',
    title: 'Caller card: INVITE leaves SIPp → card with flags painted in Chromium (ms)',
    columns: ['metric', 'p50', 'p99', 'max', 'samples', 'goal', 'met'],
    rows: [
      [
        'INVITE sent by SIPp → caller card with flag painted',
        formatMs(summary.p50),
        formatMs(summary.p99),
        formatMs(summary.max),
        String(summary.n),
        `p99 ≤ ${CARD_GOAL_P99_MS} ms`,
        summary.p99 <= CARD_GOAL_P99_MS ? 'yes' : 'NO',
      ],
    ],
    notes: [
      'Path: SIPp → Kamailio (UDP→WS) → core (inbound guard, sip.js, phone, caller lookup) → web host bridge → React → paint.',
      `Page clock: performance.timeOrigin + now, minus its measured offset from Date.now() (${clockSkewMs.toFixed(3)} ms); SIPp: -trace_msg with -timer_resol 1. Both are this machine's system clock.`,
      `${calls} measured calls after ${warmup} warm-up calls, one at a time; each declined once painted.`,
    ],
    machine: machineInfo(),
    data: { samples, clockSkewMs },
  };
}
