/**
 * The agent's desk end to end, all real but the headset: SIPp calls through Kamailio,
 * the core in the web host, Debian's Chromium showing it.
 *
 * - The headset: this machine's kernel has no virtual HID devices (no uhid for us), so
 *   the page gets a fake `navigator.hid` holding one device object with a Jabra-style
 *   telephony layout (tests/support/fake-headset.ts, tests/support/headset-layouts.ts). Everything after it is
 *   the app's own code: the agent picks the headset in Settings, and its "buttons"
 *   (input reports) answer, mute and hang up a real SIPp call while its output
 *   reports (LEDs, ringer) follow the call.
 * - Click-to-dial: a `tel:` link is handed to the running host over its
 *   authenticated endpoint; the window asks "Call …?", and only after Call does a
 *   registered SIPp phone receive the INVITE.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPEN_LINK_PATH } from '../../src/webhost/server/open-link-endpoint';
import { SCREENSHOT_DIR } from '../support/browser';
import { formatSippResult, parseSippTrace, runSipp, startRegisteredUas } from '../support/sipp';
import { startUiBed, type UiBed } from '../support/ui-bed';
import { installFakeHeadset, type FakeHeadsetHandle } from '../support/fake-headset';
import { JABRA_STYLE } from '../support/headset-layouts';

let bed: UiBed;
let page: Page;

type PageGlobal = { __headset: FakeHeadsetHandle };
const lastReport = () =>
  page.evaluate(() => (globalThis as unknown as PageGlobal).__headset.sent.at(-1)?.bytes ?? null);
const press = (bytes: number[]) =>
  page.evaluate((b) => (globalThis as unknown as PageGlobal).__headset.press(2, b), bytes);

/** axe on the page as it is: no serious or critical violations. */
async function expectAccessible(screen: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const violations = results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
  expect(violations, `axe on ${screen}`).toEqual([]);
}

beforeAll(async () => {
  bed = await startUiBed({ agent: { user: '1001' } });
  page = bed.page;
  await page.addInitScript(installFakeHeadset, JABRA_STYLE);
  await page.goto(bed.host.url);
  await page.locator('[data-testid="registration-status"][data-status="registered"]').waitFor({ timeout: 15_000 });
});

afterAll(async () => {
  await bed?.stop();
});

describe('the desk in Chromium with a real call', () => {
  it('the agent picks the headset in Settings; its buttons answer, mute and hang up a SIPp call, LEDs following', async () => {
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    const section = page.getByTestId('headset-settings');
    await section.getByRole('button', { name: 'Find a headset…' }).click();
    await expect.poll(() => section.getByLabel('Headset').inputValue()).toBe(`${0x0b0e}:${0x0306}`);
    await section.getByRole('button', { name: 'Save headset' }).click();
    await section.getByText('Headset saved.').waitFor();
    await expect.poll(() => page.getByTestId('headset-status').getAttribute('data-status')).toBe('ready');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/40-headset-settings.png` });
    await expectAccessible('headset and desk settings');
    await expect.poll(lastReport).toEqual([0, 0]); // all LEDs off: no call
    await page.getByRole('button', { name: 'Settings', exact: true }).click();

    const sipp = runSipp({
      scenario: 'caller-answered-agent-hangs-up.xml',
      kamailio: bed.kamailio,
      service: '1001',
      caller: '+4930123456',
      displayName: 'Erika Mustermann',
      recvTimeoutMs: 30_000,
    });
    await page.getByRole('button', { name: 'Answer call from Erika Mustermann' }).waitFor({ timeout: 15_000 });
    await expect.poll(lastReport).toEqual([0b0100, 1]); // Ring LED and the headset's ringer

    await press([0b0001, 0]); // the call button: off-hook
    await page.locator('[data-testid^="call-"][data-state="active"]').waitFor({ timeout: 10_000 });
    await expect.poll(lastReport).toEqual([0b0001, 0]); // Off-Hook LED

    await press([0b1001, 0]); // Mute pressed…
    await press([0b0001, 0]); // …and released
    const mute = page.getByRole('button', { name: /Mute/ }).first();
    await expect.poll(() => mute.getAttribute('aria-pressed')).toBe('true');
    await expect.poll(lastReport).toEqual([0b0011, 0]); // Off-Hook and Mute LEDs
    await page.screenshot({ path: `${SCREENSHOT_DIR}/41-headset-muted.png` });

    await press([0b1001, 0]); // unmute
    await press([0b0001, 0]);
    await expect.poll(() => mute.getAttribute('aria-pressed')).toBe('false');
    await expect.poll(lastReport).toEqual([0b0001, 0]);

    await press([0b0000, 0]); // the call button again: on-hook
    await page.locator('[data-testid^="recent-call-"][data-end-reason="local-hangup"]').waitFor({ timeout: 10_000 });
    await expect.poll(lastReport).toEqual([0, 0]);

    const result = await sipp.done;
    expect(result.passed, formatSippResult(result)).toBe(true);
    const received = parseSippTrace(result.messages).filter((m) => m.direction === 'received');
    expect(received.some((m) => m.firstLine.startsWith('BYE '))).toBe(true);
    expect(bed.pageErrors).toEqual([]);
  });

  it('a tel: link handed to the running host asks "Call …?" and dials SIPp only after Call', async () => {
    const callee = await startRegisteredUas({ kamailio: bed.kamailio, service: '+4930123456', recvTimeoutMs: 30_000 });
    try {
      const hand = (url: string) =>
        fetch(`${bed.host.origin}${OPEN_LINK_PATH}`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${bed.host.token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ url }),
        });

      // A hostile link is refused in the window and dials nothing.
      expect((await hand('javascript:alert(document.cookie)')).status).toBe(200);
      const refused = page.getByRole('alertdialog', { name: 'This link was not dialled' });
      await refused.waitFor();
      expect(await refused.getByRole('alert').textContent()).toBe('Only tel:, callto: and sip: links can be dialled.');
      await page.screenshot({ path: `${SCREENSHOT_DIR}/43-dial-link-refused.png` });
      await expectAccessible('refused link');
      await refused.getByRole('button', { name: 'Dismiss' }).click();

      const answer = await hand('tel:030 123456');
      expect(await answer.json()).toMatchObject({ outcome: 'confirm', target: '+4930123456' });
      const dialog = page.getByRole('dialog', { name: 'Call from a link' });
      await dialog.waitFor();
      expect(await dialog.textContent()).toContain('Call +49 30 123456?');
      await page.screenshot({ path: `${SCREENSHOT_DIR}/42-dial-link-confirm.png` });
      await expectAccessible('click-to-dial confirmation');
      expect(bed.agent.core.phoneState().calls.filter((call) => call.state !== 'ended')).toEqual([]);

      await dialog.getByRole('button', { name: 'Call +49 30 123456' }).click();
      await page.locator('[data-testid^="call-"][data-state="active"]').waitFor({ timeout: 15_000 });
      await page.getByRole('button', { name: /^Hang up call with/ }).click();
      const result = await callee.done;
      expect(result.passed, formatSippResult(result)).toBe(true);
      const invite = parseSippTrace(result.messages).find(
        (m) => m.direction === 'received' && m.firstLine.startsWith('INVITE '),
      );
      expect(invite?.firstLine).toContain('sip:+4930123456@');
      expect(bed.pageErrors).toEqual([]);
    } finally {
      await callee.kill();
    }
  });
});
