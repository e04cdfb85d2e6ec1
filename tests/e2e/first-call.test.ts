/**
 * End to end, all real: SIPp calls through Kamailio, the core (in the web host)
 * receives the call, Debian's Chromium shows it, the agent clicks Answer and Hang
 * up, and SIPp receives the BYE. Screenshots go to test-results/screenshots/.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type WebHost } from '../../src/webhost/server/web-host';
import { SCREENSHOT_DIR } from '../support/browser';
import { type Kamailio } from '../support/kamailio';
import { startUiBed, type UiBed } from '../support/ui-bed';
import { formatSippResult, parseSippTrace, runSipp } from '../support/sipp';

let kamailio: Kamailio;
let host: WebHost;
let page: Page;
let pageErrors: string[] = [];

let bed: UiBed;

beforeAll(async () => {
  bed = await startUiBed({ agent: { user: '1001' } });
  ({ kamailio, host, page, pageErrors } = bed);
});

afterAll(async () => {
  await bed?.stop();
});

describe('the agent answers and hangs up a real call in Chromium', () => {
  it('shows the registration, the ringing caller, the active call, and sends BYE on Hang up', async () => {
    await page.goto(host.url);
    const status = page.getByTestId('registration-status');
    await expect.poll(() => status.getAttribute('data-status')).toBe('registered');
    expect(await status.textContent()).toContain('sip:1001@');

    const sipp = runSipp({
      scenario: 'caller-answered-agent-hangs-up.xml',
      kamailio,
      service: '1001',
      caller: '+4930123456',
      displayName: 'Erika Mustermann',
      recvTimeoutMs: 30_000,
    });

    const answer = page.getByRole('button', { name: 'Answer call from Erika Mustermann' });
    await answer.waitFor({ state: 'visible', timeout: 15_000 });
    const panel = page.locator('[data-testid^="call-"][data-state="ringing"]');
    expect(await panel.getByRole('heading').textContent()).toBe('Erika Mustermann');
    expect(await panel.textContent()).toContain('+4930123456');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/01-ringing.png` });

    await answer.click();
    await page.locator('[data-testid^="call-"][data-state="active"]').waitFor({ timeout: 10_000 });
    const hangUp = page.getByRole('button', { name: 'Hang up call with Erika Mustermann' });
    await hangUp.waitFor();
    await page.screenshot({ path: `${SCREENSHOT_DIR}/02-active.png` });

    await hangUp.click();
    await page.locator('[data-testid^="recent-call-"][data-end-reason="local-hangup"]').waitFor({ timeout: 10_000 });
    await page.screenshot({ path: `${SCREENSHOT_DIR}/03-ended.png` });

    const result = await sipp.done;
    expect(result.passed, formatSippResult(result)).toBe(true);
    const received = parseSippTrace(result.messages).filter((m) => m.direction === 'received');
    expect(received.some((m) => m.firstLine.startsWith('BYE '))).toBe(true);
    expect(pageErrors).toEqual([]);
  });

  it('shows a hostile caller name as inert, truncated text', async () => {
    const hostile = `<img src=x onerror="window.__pwned=1">\u202Eevil ${'W'.repeat(10_000)}`;
    const sipp = runSipp({
      scenario: 'caller-declined.xml',
      kamailio,
      service: '1001',
      caller: '+15550100',
      displayName: hostile,
    });
    const panel = page.locator('[data-testid^="call-"][data-state="ringing"]');
    await panel.waitFor({ timeout: 15_000 });
    const heading = (await panel.getByRole('heading').textContent()) ?? '';
    expect(heading.startsWith('<img src=x onerror="window.__pwned=1"> evil')).toBe(true);
    expect([...heading].length).toBeLessThanOrEqual(64);
    expect(heading).not.toContain('\u202E');
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await page.screenshot({ path: `${SCREENSHOT_DIR}/04-hostile-name.png` });

    await panel.getByRole('button', { name: /^Decline call from / }).click();
    const result = await sipp.done;
    expect(result.passed, formatSippResult(result)).toBe(true);
    expect(parseSippTrace(result.messages).some((m) => m.firstLine === 'SIP/2.0 486 Busy Here')).toBe(true);
  });
});
