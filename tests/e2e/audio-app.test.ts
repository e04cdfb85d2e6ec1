/**
 * Real audio through the whole app, as an agent uses it: the built renderer in
 * Debian's Chromium (web host, the same API as the Electron preload) with a fake
 * microphone playing 440 Hz; the real core in Node with the app's own media bridge
 * (`media:request` events and `media:response` commands over the web host's
 * WebSocket); a caller that is a sip.js WebRTC user agent in another Chromium
 * playing 1000 Hz, through Kamailio. The agent works the UI only: Answer, Mute, Hold
 * (with the caller's recorded agreement), Resume, and a blind Transfer to a third
 * WebRTC endpoint playing 660 Hz.
 *
 * Each side listens to what it receives (RMS level and strongest frequency, through
 * an AnalyserNode on the played stream). The app keeps its voice processing on (echo
 * cancellation, noise suppression, gain control), which damps a steady test tone
 * (docs/webrtc-audio.md#a5), so the thresholds for the caller hearing the agent are lower
 * than for raw tones; the frequency must still be the agent's.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCREENSHOT_DIR } from '../support/browser';
import { startUiBed, type UiBed } from '../support/ui-bed';
import {
  buildAudioPage,
  earScript,
  fakeAudioArgs,
  launchAudioChromium,
  makeAudioDir,
  servePage,
  writeToneWav,
} from '../support/audio/audio-bed';
import type { AudioTestGlobal, EarGlobal, Measurement } from '../support/audio/page-api';
import { join } from 'node:path';

const AGENT_HZ = 440;
const CALLER_HZ = 1000;
const TARGET_HZ = 660;
/** One listening window. */
const WINDOW_MS = 1_500;
/** Frequency tolerance: one FFT bin at 8192 points and 48 kHz is 5.9 Hz. */
const HZ_TOLERANCE = 15;
/** Quieter than any tone through voice processing, louder than a silent line. */
const HEARD_DB = -50;
const SILENT_DB = -90;

let bed: UiBed;
let audio: ReturnType<typeof makeAudioDir>;
let served: Awaited<ReturnType<typeof servePage>>;
let callerBrowser: Browser;
let targetBrowser: Browser;
let callerPage: Page;
let targetPage: Page;
let ear: string;
/** What each side heard at each step, printed at the end. */
const figures: Array<[string, { rmsDb: number; peakHz: number | null; packetsPerSecond?: number }]> = [];

beforeAll(async () => {
  audio = makeAudioDir();
  const wav = (name: string, hz: number) => {
    const file = join(audio.dir, `${name}.wav`);
    writeToneWav(file, hz);
    return file;
  };
  const agentWav = wav('agent', AGENT_HZ);
  await buildAudioPage(audio.dir);
  served = await servePage(audio.dir);
  ear = await earScript();
  bed = await startUiBed({
    agent: { user: '1001', createMediaFactory: 'webrtc' },
    chromiumArgs: fakeAudioArgs(agentWav),
  });
  [callerBrowser, targetBrowser] = await Promise.all([
    launchAudioChromium(wav('caller', CALLER_HZ)),
    launchAudioChromium(wav('target', TARGET_HZ)),
  ]);
  callerPage = await callerBrowser.newPage();
  targetPage = await targetBrowser.newPage();
  for (const page of [callerPage, targetPage]) {
    // Script errors only: the test page's server has no favicon, and says so with a 404.
    page.on('pageerror', (error) => bed.pageErrors.push(error.message));
    await page.goto(served.url);
  }
  const { wsUrl, domain } = bed.kamailio;
  await callerPage.evaluate(
    ([url, aor]) => (globalThis as unknown as AudioTestGlobal).audioTest.caller.register(url, aor),
    [wsUrl, `sip:3001@${domain}`] as const,
  );
  await targetPage.evaluate(
    ([url, aor]) => (globalThis as unknown as AudioTestGlobal).audioTest.caller.register(url, aor, true),
    [wsUrl, `sip:2002@${domain}`] as const,
  );
}, 60_000);

afterAll(async () => {
  await callerPage
    ?.evaluate(() => (globalThis as unknown as AudioTestGlobal).audioTest.caller.stop())
    .catch(() => undefined);
  await targetPage
    ?.evaluate(() => (globalThis as unknown as AudioTestGlobal).audioTest.caller.stop())
    .catch(() => undefined);
  await callerBrowser?.close();
  await targetBrowser?.close();
  await bed?.stop();
  await served?.close();
  audio?.remove();
});

/** What a sip.js endpoint page hears over one window. */
function endpointHears(page: Page): Promise<Measurement> {
  return page.evaluate((ms) => (globalThis as unknown as AudioTestGlobal).audioTest.caller.measure(ms), WINDOW_MS);
}

function endpointStates(page: Page): Promise<string[]> {
  return page.evaluate(() => (globalThis as unknown as AudioTestGlobal).audioTest.caller.states());
}

/** What the agent hears in the app: the call's own <audio> element, through the ear. */
async function agentHears(): Promise<{ rmsDb: number; peakHz: number | null }> {
  await bed.page.evaluate(ear);
  return bed.page.evaluate(async (ms) => {
    // The node test project has no DOM types: reach the page's document untyped.
    const { document } = globalThis as unknown as {
      document: { querySelector(selector: string): { srcObject?: unknown } | null };
    };
    const element = document.querySelector('audio[data-media-session]');
    if (!element?.srcObject) throw new Error('the app plays no call audio');
    return (globalThis as unknown as EarGlobal).__calmlineEar.listen(element.srcObject, ms);
  }, WINDOW_MS);
}

function expectTone(heard: { rmsDb: number; peakHz: number | null }, hz: number, minDb = HEARD_DB): void {
  expect(heard.rmsDb, JSON.stringify(heard)).toBeGreaterThan(minDb);
  expect(Math.abs((heard.peakHz ?? 0) - hz), JSON.stringify(heard)).toBeLessThan(HZ_TOLERANCE);
}

describe('real audio through the app (web host, Chromium)', () => {
  it('answer, mute, hold, resume and a blind transfer each do to the audio what the agent expects', async () => {
    const { page, host, kamailio, agent } = bed;
    await page.goto(host.url);
    await expect.poll(() => page.getByTestId('registration-status').getAttribute('data-status')).toBe('registered');

    await callerPage.evaluate(
      (target) => (globalThis as unknown as AudioTestGlobal).audioTest.caller.call(target),
      `sip:1001@${kamailio.domain}`,
    );
    const ringing = page.locator('[data-testid^="call-"][data-state="ringing"]');
    await ringing.waitFor({ timeout: 15_000 });
    // The ringtone sounds while the call rings (the agent has not clicked anything yet).
    await expect.poll(() => page.locator('audio[data-ringtone]').getAttribute('data-ringing')).toBe('true');
    // The answer is prepared while it rings (the call's peer connection, with the offer
    // applied: docs/performance.md#answer), yet nothing reaches the caller before Answer.
    await page.locator('audio[data-media-session]').waitFor({ state: 'attached', timeout: 10_000 });
    const beforeAnswer = await callerPage.evaluate(() =>
      (globalThis as unknown as AudioTestGlobal).audioTest.caller.stats(),
    );
    expect(beforeAnswer.inbound?.packetsReceived ?? 0, JSON.stringify(beforeAnswer)).toBe(0);
    expect(beforeAnswer.candidatePair, JSON.stringify(beforeAnswer)).toBeNull();

    await page.getByRole('button', { name: /^Answer call from/ }).click();
    const panel = page.locator('[data-testid^="call-"][data-state="active"]');
    await panel.waitFor({ timeout: 15_000 });
    await expect.poll(() => endpointStates(callerPage), { timeout: 10_000 }).toContain('Established');
    // The media host applies ringing changes once the renderer is idle (≤ 150 ms).
    await expect.poll(() => page.locator('audio[data-ringtone]').getAttribute('data-ringing')).toBe('false');

    // Both directions, each with the right tone.
    await expect.poll(async () => Math.round((await agentHears()).peakHz ?? 0), { timeout: 10_000 }).toBeGreaterThan(0);
    const agentHeard = await agentHears();
    figures.push(['agent hears', agentHeard]);
    expectTone(agentHeard, CALLER_HZ);
    const callerHeard = await endpointHears(callerPage);
    figures.push(['caller hears', callerHeard]);
    expectTone(callerHeard, AGENT_HZ);
    expect(callerHeard.packetsPerSecond).toBeGreaterThan(40);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/30-audio-call.png` });
    const callName = (await panel.getAttribute('aria-label'))?.replace(/^Call with /, '') ?? '';

    // Mute: the caller hears nothing of the agent, and the call goes on.
    const mute = page.getByRole('button', { name: `Mute your microphone on the call with ${callName}` });
    await mute.click();
    await expect.poll(() => page.getByTestId('muted').isVisible()).toBe(true);
    await expect.poll(async () => (await endpointHears(callerPage)).rmsDb, { timeout: 10_000 }).toBeLessThan(SILENT_DB);
    figures.push(['caller hears, agent muted', await endpointHears(callerPage)]);
    await mute.click();
    await expect
      .poll(async () => (await endpointHears(callerPage)).peakHz ?? 0, { timeout: 10_000 })
      .toBeGreaterThan(0);
    expectTone(await endpointHears(callerPage), AGENT_HZ);

    // Hold with the caller's agreement: `inactive`, so the caller gets no packet at all.
    await page.getByRole('button', { name: `Hold call with ${callName}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Caller agreed' }).click();
    await page.locator('[data-testid^="call-"][data-state="held"]').waitFor({ timeout: 10_000 });
    const held = await endpointHears(callerPage);
    figures.push(['caller hears, on hold', held]);
    expect(held.rmsDb, JSON.stringify(held)).toBeLessThan(SILENT_DB);
    expect(held.packetsReceived, JSON.stringify(held)).toBe(0);

    await page.getByRole('button', { name: `Resume call with ${callName}` }).click();
    await page.locator('[data-testid^="call-"][data-state="active"]').waitFor({ timeout: 10_000 });
    await expect
      .poll(async () => (await endpointHears(callerPage)).peakHz ?? 0, { timeout: 10_000 })
      .toBeGreaterThan(0);
    expectTone(await endpointHears(callerPage), AGENT_HZ);
    expectTone(await agentHears(), CALLER_HZ);

    // The caller's audio stops without any SIP: the watchdog tells the agent and offers a
    // re-INVITE; the audio comes back, the alert goes, and the reconnect still works.
    await callerPage.evaluate(() => (globalThis as unknown as AudioTestGlobal).audioTest.caller.pauseSending());
    const problem = page.getByTestId('media-problem');
    await problem.waitFor({ timeout: 15_000 });
    expect(await problem.getAttribute('data-kind')).toBe('no-audio');
    expect(await problem.textContent()).toContain('No sound is arriving from the caller');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/31-no-audio-alert.png` });
    await callerPage.evaluate(() => (globalThis as unknown as AudioTestGlobal).audioTest.caller.resumeSending());
    await problem.waitFor({ state: 'detached', timeout: 15_000 });
    await page.getByRole('button', { name: `Hold call with ${callName}` }).waitFor();
    const reconnects = agent.events.length;
    await agent.must('call:reconnect-audio', {
      callId: (await agent.waitForCall((call) => call.state === 'active')).id,
    });
    expect(
      agent.events
        .slice(reconnects)
        .some(
          ([channel, payload]) =>
            channel === 'media:request' &&
            payload.request.op === 'get-description' &&
            payload.request.iceRestart === true,
        ),
    ).toBe(true);
    await expect
      .poll(async () => (await endpointHears(callerPage)).peakHz ?? 0, { timeout: 10_000 })
      .toBeGreaterThan(0);
    figures.push(['after reconnect: caller hears', await endpointHears(callerPage)]);
    expectTone(figures.at(-1)![1], AGENT_HZ);

    // Blind transfer to 2002: the caller follows the REFER and the target hears the caller.
    await page.getByRole('button', { name: `Transfer call with ${callName}` }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Transfer to').fill('2002');
    await dialog.getByRole('radio', { name: /^Blind/ }).check();
    await dialog.getByRole('button', { name: 'Caller agreed' }).click();
    await expect.poll(() => endpointStates(targetPage), { timeout: 15_000 }).toContain('incoming:Established');
    await expect
      .poll(async () => (await endpointHears(targetPage)).peakHz ?? 0, { timeout: 10_000 })
      .toBeGreaterThan(0);
    figures.push(['transfer target hears', await endpointHears(targetPage)]);
    expectTone(figures.at(-1)![1], CALLER_HZ);
    figures.push(['caller hears, transferred', await endpointHears(callerPage)]);
    expectTone(figures.at(-1)![1], TARGET_HZ);
    // The agent's leg is over, and its audio with it.
    await agent.waitForCall((call) => call.endReason === 'transferred', 15_000);
    await expect.poll(() => page.locator('audio[data-media-session]').count()).toBe(0);
    expect(bed.pageErrors, bed.pageErrors.join('\n')).toEqual([]);
    // The figures for the record (the closing note quotes them).
    console.info(
      figures
        .map(([what, m]) => {
          const rate = 'packetsPerSecond' in m ? `, ${Math.round(m.packetsPerSecond as number)} packets/s` : '';
          return `${what}: ${m.rmsDb.toFixed(1)} dBFS, ${m.peakHz === null ? 'no tone' : `${m.peakHz.toFixed(1)} Hz`}${rate}`;
        })
        .join('\n'),
    );
  }, 120_000);
});
