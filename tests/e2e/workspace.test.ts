/**
 * The agent's workspace end to end, all real: SIPp calls through Kamailio, the core
 * (in the web host, with a data folder) keeps history, notes and callers, and the
 * agent works in Debian's Chromium. A caller rings and the card shows them; the
 * agent answers, ticks HEAT steps by keyboard, takes notes until main says
 * "Saved", flags the caller, records a commitment, hangs up, wraps up, takes the
 * break offered after the flagged call (a caller meanwhile gets 486 and never shows
 * up), ends it, and the same caller's next call shows the flag and the first
 * call's note. Then once more in Persian (right to left). Every screen is checked
 * with axe for serious or critical violations. Screenshots go to
 * test-results/screenshots/.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallerRecord } from '../../src/shared/caller-record';
import type { WorkspaceView } from '../../src/shared/workspace/workspace-view';
import { type WebHost } from '../../src/webhost/server/web-host';
import { type TestAgent } from '../support/agent';
import { SCREENSHOT_DIR } from '../support/browser';
import { type Kamailio } from '../support/kamailio';
import { startUiBed, type UiBed } from '../support/ui-bed';
import { formatSippResult, parseSippTrace, runSipp, type SippRun } from '../support/sipp';

const FIRST_CALLER = '+4930777000';
const BREAK_CALLER = '+4930777001';
const PERSIAN_CALLER = '+4930777002';

let kamailio: Kamailio;
let agent: TestAgent;
let host: WebHost;
let browser: Browser;
let page: Page;
let pageErrors: string[] = [];
/** Every axe run: the screen and its serious or critical violations. */
const axeResults: Array<{ screen: string; violations: string[] }> = [];

let bed: UiBed;

beforeAll(async () => {
  bed = await startUiBed({
    agent: { displayName: 'Agent Smith', dataDir: mkdtempSync(join(tmpdir(), 'calmline-e2e-workspace-')) },
    viewport: { width: 1200, height: 1000 },
  });
  ({ kamailio, agent, host, browser, page, pageErrors } = bed);
});

afterAll(async () => {
  await bed?.stop();
});

const watchErrors = (target: Page) => bed.watchErrors(target);

/** Runs axe on the page as it is and asserts no serious or critical violations. */
async function expectAccessible(target: Page, screen: string): Promise<void> {
  const results = await new AxeBuilder({ page: target }).analyze();
  const violations = results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
  axeResults.push({ screen, violations });
  expect(violations, `axe on ${screen}`).toEqual([]);
}

const workspace = () => agent.must<WorkspaceView>('workspace:get-state');

/** Waits for the incoming call from `number` to ring on the page; returns its id. */
async function ringingCallFrom(target: Page, number: string): Promise<string> {
  const call = await agent.waitForCall((c) => c.state === 'ringing' && c.remoteNumber === number, 15_000);
  await target.getByTestId(`call-${call.id}`).waitFor({ timeout: 15_000 });
  return call.id;
}

/** A tomorrow's date as `<input type="date">` takes it. */
function tomorrow(): string {
  const date = new Date(Date.now() + 86_400_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

describe('the agent workspace in Chromium, against the real core', () => {
  let firstCallId = '';
  let firstSipp: SippRun;

  it('shows the ringing caller on the card, then the notes and HEAT checklist once answered', async () => {
    await page.goto(host.url);
    await expect.poll(() => page.getByTestId('registration-status').getAttribute('data-status')).toBe('registered');
    await expect.poll(() => page.getByTestId('availability').getAttribute('data-status')).toBe('available');

    firstSipp = runSipp({
      scenario: 'caller-answered-agent-hangs-up.xml',
      kamailio,
      service: '1001',
      caller: FIRST_CALLER,
      displayName: 'Angry Caller',
      recvTimeoutMs: 60_000,
    });
    firstCallId = await ringingCallFrom(page, FIRST_CALLER);
    const card = page.getByTestId('caller-card');
    await expect.poll(() => card.getByTestId('caller-card-name').textContent()).toBe('Angry Caller');
    expect(await card.textContent()).toContain(FIRST_CALLER);
    await card.getByTestId('first-call').waitFor();
    await expectAccessible(page, 'ringing caller card');

    await page.getByRole('button', { name: 'Answer call from Angry Caller' }).click();
    await expect.poll(() => page.getByTestId(`call-${firstCallId}`).getAttribute('data-state'), { timeout: 10_000 }).toBe('active');
    const checklist = page.getByTestId('checklist');
    await checklist.waitFor();
    expect(await checklist.getByRole('heading').first().textContent()).toBe('HEAT (complaints)');

    // The first two HEAT steps, by keyboard only: Space ticks, Tab goes to the next.
    const hear = checklist.getByRole('checkbox', { name: 'Hear them out' });
    await hear.focus();
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    expect(
      await page.locator(':focus').evaluate((element) => element.closest('[data-step-id]')?.getAttribute('data-step-id')),
    ).toBe('empathize');
    await page.keyboard.press('Space');
    await expect.poll(() => checklist.getByTestId('checklist-progress').textContent()).toBe('2 of 4 done');
    await expect
      .poll(async () => (await workspace()).checklists[firstCallId]?.steps.filter((step) => step.checkedAt !== null).map((step) => step.stepId))
      .toEqual(['hear', 'empathize']);
    expect(await hear.isChecked()).toBe(true);
    // The shortcut keys stayed out of it: Space on a checkbox answered nothing, hung up nothing.
    expect(agent.core.phoneState().calls.find((c) => c.id === firstCallId)?.state).toBe('active');
  });

  it('autosaves the notes ("Saved" once on disk), flags the caller and records the commitment', async () => {
    const notes = page.getByRole('textbox', { name: 'Notes on the call with Angry Caller' });
    await notes.click();
    await page.keyboard.type('Invoice 4711 charged twice.\nWants a refund, very upset.');
    const status = page.getByTestId('notes-status');
    await expect.poll(() => status.textContent(), { timeout: 10_000 }).toMatch(/^Saved \d\d:\d\d$/);
    expect(await status.getAttribute('role')).toBe('status');
    const stored = await agent.must<{ text: string }>('notes:get', { callId: firstCallId });
    expect(stored.text).toBe('Invoice 4711 charged twice.\nWants a refund, very upset.');

    await page.getByRole('button', { name: 'Read the notes back to Angry Caller' }).click();
    expect(await page.getByTestId('read-back').locator('li').allTextContents()).toEqual([
      'Invoice 4711 charged twice.',
      'Wants a refund, very upset.',
    ]);

    await page.getByRole('button', { name: 'Flag Angry Caller so the next agent is prepared' }).click();
    await page.getByLabel('Why').selectOption('insults');
    await page.getByLabel('What happened').fill('Insulted the agent repeatedly');
    await page.getByRole('button', { name: 'Add flag' }).click();
    const flags = page.getByTestId('caller-flags');
    await flags.waitFor();
    expect(await flags.textContent()).toContain('Insults');
    expect(await flags.textContent()).toContain('Flagged by Agent Smith');

    const commitment = page.getByTestId('commitment');
    await commitment.getByLabel('Date', { exact: true }).fill(tomorrow());
    await commitment.getByLabel('What was promised (optional)').fill('Refund the double charge');
    await commitment.getByRole('button', { name: 'Record the promise' }).click();
    await expect.poll(() => commitment.getByTestId('commitment-recorded').textContent()).toMatch(/^Promised: solved by /);
    const record = await agent.must<CallerRecord>('callers:lookup', { number: FIRST_CALLER });
    expect(record.flags).toMatchObject([{ kind: 'insults', reason: 'Insulted the agent repeatedly', callId: firstCallId }]);
    expect(record.followUps).toMatchObject([{ callId: firstCallId, kind: 'due-date', text: 'Refund the double charge' }]);
    await expectAccessible(page, 'active call workspace');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/20-caller-card.png`, fullPage: true });
  });

  it('hangs up into wrap-up, finishes it with an outcome, and offers the break', async () => {
    await page.getByRole('button', { name: 'Hang up call with Angry Caller' }).click();
    const result = await firstSipp.done;
    expect(result.passed, formatSippResult(result)).toBe(true);

    const wrapUp = page.getByTestId('wrap-up');
    await wrapUp.waitFor({ timeout: 10_000 });
    expect(await wrapUp.getByRole('heading').first().textContent()).toBe('Wrap-up: Angry Caller');
    expect(await wrapUp.getByTestId('thank-you-prompt').textContent()).toContain('Thank you for calling');
    expect(await wrapUp.getByRole('timer').textContent()).toMatch(/left for wrap-up$/);
    await wrapUp.getByRole('radio', { name: 'Follow-up needed' }).check();
    await wrapUp.getByLabel('Wrap-up note (optional)').fill('Refund promised for tomorrow');
    await expectAccessible(page, 'wrap-up');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/21-wrap-up.png`, fullPage: true });
    await wrapUp.getByRole('button', { name: 'Finish wrap-up' }).click();
    await wrapUp.waitFor({ state: 'detached' });

    const offer = page.getByTestId('break-offer');
    await offer.waitFor();
    expect(await offer.textContent()).toContain('That was a difficult call.');
    expect((await workspace()).breakOffer).toMatchObject({ reason: 'flagged-call', callId: firstCallId });
  });

  it('takes the break: the phone is unavailable (486) and no caller appears; End break returns', async () => {
    await page.getByRole('button', { name: /^Take a \d+-minute break$/ }).click();
    const panel = page.getByTestId('break-panel');
    await panel.waitFor();
    expect(await panel.getByTestId('break-unavailable').textContent()).toContain('Your phone is unavailable');
    expect(await panel.getByRole('timer').textContent()).toMatch(/^\d:\d\d left$/);
    expect(await panel.getByRole('button').allTextContents()).toEqual(['End break']);
    await expect.poll(async () => (await workspace()).acceptingCalls).toBe(false);

    // Anything call-like that appears on the page while on break is remembered.
    await page.evaluate(`(() => {
      const seen = [];
      window.seenDuringBreak = seen;
      new MutationObserver(() => {
        if (document.body.textContent.includes('777001') || document.querySelector('[data-testid^="call-"]')) seen.push('call');
      }).observe(document.body, { childList: true, subtree: true, characterData: true });
    })()`);
    const before = agent.states.length;
    const turnedAway = runSipp({ scenario: 'caller-declined.xml', kamailio, service: '1001', caller: BREAK_CALLER });
    await expectAccessible(page, 'break');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/22-break.png`, fullPage: true });
    const result = await turnedAway.done;
    expect(result.passed, formatSippResult(result)).toBe(true);
    expect(parseSippTrace(result.messages).some((m) => m.firstLine === 'SIP/2.0 486 Busy Here')).toBe(true);
    expect(agent.states.slice(before).some((s) => s.calls.some((c) => c.remoteNumber === BREAK_CALLER))).toBe(false);
    expect(await page.evaluate('window.seenDuringBreak')).toEqual([]);

    await panel.getByRole('button', { name: 'End break' }).click();
    await panel.waitFor({ state: 'detached' });
    await expect.poll(() => page.getByTestId('availability').getAttribute('data-status')).toBe('available');
  });

  it('shows the flag and the first call\'s note when the same caller calls again', async () => {
    const sipp = runSipp({
      scenario: 'caller-declined.xml',
      kamailio,
      service: '1001',
      caller: FIRST_CALLER,
      displayName: 'Angry Caller',
    });
    await ringingCallFrom(page, FIRST_CALLER);
    const card = page.getByTestId('caller-card');
    const flags = card.getByTestId('caller-flags');
    await flags.waitFor();
    expect(await flags.textContent()).toContain('Insults');
    expect(await flags.textContent()).toContain('Insulted the agent repeatedly');
    expect(await card.getByTestId('last-call').first().textContent()).toContain('Invoice 4711 charged twice.');
    expect(await card.getByTestId('follow-up').first().textContent()).toContain('Refund the double charge');
    expect(await card.getByTestId('first-call').count()).toBe(0);
    await expectAccessible(page, 'flagged returning caller');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/23-flagged-returning-caller.png`, fullPage: true });
    await page.getByRole('button', { name: 'Decline call from Angry Caller' }).click();
    const result = await sipp.done;
    expect(result.passed, formatSippResult(result)).toBe(true);
  });

  it('works right to left in Persian: card, keyboard checklist and saved notes', async () => {
    const persian = await browser.newContext({ locale: 'fa-IR', viewport: { width: 1200, height: 1000 } });
    try {
      const faPage = await persian.newPage();
      watchErrors(faPage);
      await faPage.goto(host.url);
      await expect.poll(() => faPage.locator('html').getAttribute('dir')).toBe('rtl');
      await expect.poll(() => faPage.getByTestId('availability').getAttribute('data-status')).toBe('available');

      const sipp = runSipp({
        scenario: 'caller-answered-agent-hangs-up.xml',
        kamailio,
        service: '1001',
        caller: PERSIAN_CALLER,
        displayName: 'مریم',
        recvTimeoutMs: 60_000,
      });
      const callId = await ringingCallFrom(faPage, PERSIAN_CALLER);
      await expect.poll(() => faPage.getByTestId('caller-card-name').textContent()).toBe('مریم');
      await faPage.getByTestId(`call-${callId}`).locator('[data-action="answer"]').click();
      const checklist = faPage.getByTestId('checklist');
      await checklist.waitFor({ timeout: 10_000 });
      await checklist.getByRole('checkbox').first().focus();
      await faPage.keyboard.press('Space');
      await faPage.keyboard.press('Tab');
      await faPage.keyboard.press('Space');
      await expect
        .poll(async () => (await workspace()).checklists[callId]?.steps.filter((step) => step.checkedAt !== null).length)
        .toBe(2);
      expect(await checklist.getByRole('checkbox').first().getAttribute('aria-describedby')).toBeTruthy();
      expect(await checklist.textContent()).toContain('بگذارید حرفش را بزند');

      await faPage.getByTestId('notes-pad').locator('textarea').fill('فاکتور دو بار پرداخت شده است');
      await expect.poll(() => faPage.getByTestId('notes-status').getAttribute('data-state'), { timeout: 10_000 }).toBe('saved');
      await expectAccessible(faPage, 'workspace in Persian');
      await faPage.screenshot({ path: `${SCREENSHOT_DIR}/24-workspace-fa.png`, fullPage: true });

      await faPage.getByTestId(`call-${callId}`).locator('[data-action="hang-up"]').click();
      expect((await sipp.done).passed).toBe(true);
      const wrapUp = faPage.getByTestId('wrap-up');
      await wrapUp.waitFor();
      await wrapUp.getByRole('radio').first().check();
      await wrapUp.locator('button[type="submit"]').click();
      await wrapUp.waitFor({ state: 'detached' });
      await expect.poll(async () => (await workspace()).status).toBe('available');
    } finally {
      await persian.close();
    }
    expect(pageErrors).toEqual([]);
    // For the run's log: every screen axe looked at.
    console.info(`axe: ${axeResults.map((r) => `${r.screen}: ${r.violations.length} serious/critical`).join('; ')}`);
  });
});
