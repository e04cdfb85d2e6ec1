/**
 * Call controls end to end, all real: SIPp calls through Kamailio, the core (in the
 * web host) receives the call, and the agent in Debian's Chromium answers with the
 * keyboard, asks the caller before holding (rule P4 of docs/practice.md), records a "declined" (nothing
 * is sent), asks again, records "agreed" (SIPp receives a=sendonly, asserted by the
 * scenario), resumes (a=sendrecv) and hangs up (BYE). Screenshots go to
 * test-results/screenshots/.
 */
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallView } from '../../src/shared/contract';
import { DEFAULT_WORKSPACE_POLICY } from '../../src/shared/workspace/workspace-policy';
import { type WebHost } from '../../src/webhost/server/web-host';
import { type TestAgent } from '../support/agent';
import { SCREENSHOT_DIR } from '../support/browser';
import { type Kamailio } from '../support/kamailio';
import { startUiBed, type UiBed } from '../support/ui-bed';
import { formatSippResult, parseSippTrace, runSipp } from '../support/sipp';

let kamailio: Kamailio;
let agent: TestAgent;
let host: WebHost;
let browser: Browser;
let page: Page;
let pageErrors: string[] = [];

let bed: UiBed;

beforeAll(async () => {
  bed = await startUiBed();
  ({ kamailio, agent, host, browser, page, pageErrors } = bed);
});

afterAll(async () => {
  await bed?.stop();
});

const watchErrors = (target: Page) => bed.watchErrors(target);

/** The call as the core sees it now (the authority on what was sent). */
function coreCall(id: string): CallView {
  const call = agent.core.phoneState().calls.find((candidate) => candidate.id === id);
  if (!call) throw new Error(`the core has no call ${id}`);
  return call;
}

/**
 * Every button on the page has an accessible name, as Chromium's accessibility
 * tree computes it (Playwright's ARIA snapshot), not just a text node.
 */
async function expectAllButtonsNamed(target: Page): Promise<number> {
  const buttons: Locator[] = await target.getByRole('button').all();
  const unnamed: string[] = [];
  for (const button of buttons) {
    const snapshot = await button.ariaSnapshot();
    // The snapshot is YAML: a name with a colon comes single-quoted, `- 'button "a: b"'`.
    const name = /^- '?button "(.*?)"/.exec(snapshot)?.[1]?.trim() ?? '';
    if (name === '') unnamed.push(`${snapshot} :: ${await button.evaluate((element) => element.outerHTML)}`);
  }
  expect(unnamed, 'buttons without an accessible name').toEqual([]);
  return buttons.length;
}

describe('call controls behind the permission prompt, in Chromium', () => {
  it('answers by keyboard, records a declined hold (nothing sent), holds with consent, resumes and hangs up', async () => {
    await page.goto(host.url);
    const status = page.getByTestId('registration-status');
    await expect.poll(() => status.getAttribute('data-status')).toBe('registered');

    const sipp = runSipp({
      scenario: 'caller-held-and-resumed.xml',
      kamailio,
      service: '1001',
      caller: '+4930765432',
      displayName: 'Erika Mustermann',
      recvTimeoutMs: 30_000,
    });

    // P1: the ring timer counts while the call rings.
    const ringing = page.locator('[data-testid^="call-"][data-state="ringing"]');
    await ringing.waitFor({ timeout: 15_000 });
    const callId = ((await ringing.getAttribute('data-testid')) ?? '').replace(/^call-/, '');
    const timer = ringing.getByRole('timer');
    expect(await timer.textContent()).toMatch(/^Ringing for 0:0\d$/);
    await expect.poll(() => timer.textContent(), { timeout: 5_000 }).not.toBe('Ringing for 0:00');
    const answer = page.getByRole('button', { name: 'Answer call from Erika Mustermann' });
    expect(await answer.getAttribute('aria-keyshortcuts')).toBe('A');

    // Answer with the keyboard shortcut.
    await page.keyboard.press('a');
    const panel = page.getByTestId(`call-${callId}`);
    await expect.poll(() => panel.getAttribute('data-state'), { timeout: 10_000 }).toBe('active');
    // P2: the greeting to say, as the workspace policy configures it.
    await expect
      .poll(() => panel.getByTestId('greeting-prompt').textContent())
      .toBe(DEFAULT_WORKSPACE_POLICY.greeting.en);

    // Hold asks first (P4): the dialog, then "Caller declined".
    const hold = page.getByRole('button', { name: 'Hold call with Erika Mustermann' });
    expect(await hold.getAttribute('aria-keyshortcuts')).toBe('H');
    await hold.click();
    const dialog = page.getByRole('dialog', { name: 'Ask before placing Erika Mustermann on hold' });
    await dialog.waitFor();
    expect(await dialog.getAttribute('aria-modal')).toBe('true');
    expect(await dialog.textContent()).toContain('Ask: “May I place you on a brief hold?”');
    expect(await dialog.textContent()).toContain('Could you solve it without holding or transferring?');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/10-consent-dialog.png` });

    // Focus is trapped: Tab from the last button comes back to the first.
    const cancel = dialog.getByRole('button', { name: 'Cancel' });
    await cancel.focus();
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').textContent()).toBe('Caller agreed');

    await dialog.getByRole('button', { name: 'Caller declined' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await panel.getByTestId('call-note').textContent()).toBe('Recorded: the caller declined. Nothing was sent.');
    // Focus is back on Hold.
    expect(await hold.evaluate((element) => element.ownerDocument.activeElement === element)).toBe(true);
    // Nothing went out: the core still has the call active, never held, with one
    // declined answer on record.
    await expect.poll(() => coreCall(callId).consents.length).toBe(1);
    expect(coreCall(callId)).toMatchObject({
      state: 'active',
      consents: [{ action: 'hold', answer: 'declined', usedAt: null }],
    });
    expect(coreCall(callId).timeline.map((event) => event.kind)).toEqual(['offered', 'answered']);

    // The same call in a Persian window: right to left, and Escape records nothing.
    const persian = await browser.newContext({ locale: 'fa-IR', viewport: { width: 1100, height: 760 } });
    try {
      const faPage = await persian.newPage();
      watchErrors(faPage);
      await faPage.goto(host.url);
      await expect.poll(() => faPage.locator('html').getAttribute('dir')).toBe('rtl');
      await faPage.getByRole('button', { name: 'گذاشتن تماس با Erika Mustermann در انتظار' }).click();
      const faDialog = faPage.getByRole('dialog');
      await faDialog.waitFor();
      expect(await faDialog.textContent()).toContain('اجازه می‌دهید چند لحظه شما را در انتظار بگذارم؟');
      await faPage.screenshot({ path: `${SCREENSHOT_DIR}/12-consent-dialog-fa.png` });
      await faPage.keyboard.press('Escape');
      await faDialog.waitFor({ state: 'detached' });
    } finally {
      await persian.close();
    }
    expect(coreCall(callId).consents).toHaveLength(1);

    // Ask again: "Caller agreed" holds, with that consent.
    await hold.click();
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Caller agreed' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => panel.getAttribute('data-state'), { timeout: 10_000 }).toBe('held');
    expect(await panel.getByTestId('call-state').textContent()).toBe('On hold');
    const resume = page.getByRole('button', { name: 'Resume call with Erika Mustermann' });
    await resume.waitFor();
    await expect.poll(() => page.getByTestId('call-status').textContent()).toBe('Erika Mustermann is on hold.');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/11-on-hold.png` });
    expect(coreCall(callId)).toMatchObject({
      state: 'held',
      consents: [
        { action: 'hold', answer: 'declined', usedAt: null },
        { action: 'hold', answer: 'agreed', usedAt: expect.any(Number) },
      ],
    });
    const namedWhileHeld = await expectAllButtonsNamed(page);
    expect(namedWhileHeld).toBeGreaterThanOrEqual(5);

    // Resume needs no consent.
    await resume.click();
    await expect.poll(() => panel.getAttribute('data-state'), { timeout: 10_000 }).toBe('active');
    // The transfer question, looked at and cancelled: nothing is recorded.
    await page.getByRole('button', { name: 'Transfer call with Erika Mustermann' }).click();
    const transferDialog = page.getByRole('dialog', { name: 'Ask before transferring Erika Mustermann' });
    await transferDialog.getByLabel('Transfer to').fill('2000');
    expect(await transferDialog.textContent()).toContain('Ask: “May I transfer you to 2000?”');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/14-transfer-dialog.png` });
    await transferDialog.getByRole('button', { name: 'Cancel' }).click();
    await transferDialog.waitFor({ state: 'detached' });
    expect(coreCall(callId).consents).toHaveLength(2);

    // With the keypad open every control is on screen: all must have names.
    await page.getByRole('button', { name: 'Keypad for the call with Erika Mustermann' }).click();
    await page.getByRole('group', { name: 'Digits to send to Erika Mustermann' }).waitFor();
    await page.screenshot({ path: `${SCREENSHOT_DIR}/13-active-keypad.png` });
    // Settings, five call buttons, twelve keys and Call.
    expect(await expectAllButtonsNamed(page)).toBeGreaterThanOrEqual(19);

    await page.getByRole('button', { name: 'Hang up call with Erika Mustermann' }).click();
    await page
      .locator(`[data-testid="recent-call-${callId}"][data-end-reason="local-hangup"]`)
      .waitFor({ timeout: 10_000 });

    const result = await sipp.done;
    expect(result.passed, formatSippResult(result)).toBe(true);
    const requests = parseSippTrace(result.messages)
      .filter(
        (m) => m.direction === 'received' && !m.firstLine.startsWith('SIP/2.0') && !m.firstLine.startsWith('ACK '),
      )
      .map((m) => m.firstLine.split(' ')[0]);
    // One hold (a=sendonly) and one resume (a=sendrecv), for the one "agreed".
    expect(requests).toEqual(['INVITE', 'INVITE', 'BYE']);
    const ended = await agent.waitForCall((c) => c.id === callId && c.state === 'ended');
    expect(ended.timeline.map((event) => event.kind)).toEqual(['offered', 'answered', 'held', 'resumed', 'ended']);
    expect(pageErrors).toEqual([]);
  });
});
