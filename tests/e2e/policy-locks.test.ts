/**
 * A provisioned, managed workstation in Chromium through the web host: IT's policy
 * locks the SIP address (from the template `sip:${username}@…`) and the display name,
 * and the settings form shows "Set by your organisation" beside them with the fields
 * disabled, in English and then in Persian. The agent registers with only the
 * password; a locked field changed through the command anyway is refused.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock';
import { Diagnostics } from '../../src/core/diagnostics/diagnostics';
import { Redactor } from '../../src/core/diagnostics/redactor';
import { resolvePolicy } from '../../src/core/policy/policy';
import { en } from '../../src/renderer/src/i18n/en';
import { fa } from '../../src/renderer/src/i18n/fa';
import { SCREENSHOT_DIR } from '../support/browser';
import { startUiBed, type UiBed } from '../support/ui-bed';

let bed: UiBed;

// The registrar's domain is 127.0.0.1 (tests/support/kamailio.ts), the OS user "1001".
const policy = resolvePolicy(
  [
    {
      source: '/etc/calmline/policy.json',
      level: 'locked',
      values: {
        'account.sipUriTemplate': 'sip:${username}@127.0.0.1',
        'account.displayNameTemplate': 'Agent ${username}',
      },
    },
  ],
  { username: '1001' },
);

beforeAll(async () => {
  const redactor = new Redactor();
  const diagnostics = new Diagnostics({
    appVersion: '0.1.0',
    runtime: 'web host (test)',
    redactor,
    policy,
    clock: systemClock,
    outputDir: mkdtempSync(join(tmpdir(), 'calmline-e2e-diagnostics-')),
  });
  bed = await startUiBed({ agent: { user: '1001', policy, redactor, diagnostics } });
});

afterAll(async () => {
  await bed?.stop();
});

async function expectAccessible(screen: string): Promise<void> {
  const results = await new AxeBuilder({ page: bed.page }).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    screen,
  ).toEqual([]);
}

describe('settings locked by policy', () => {
  it('registers with the account from the template', async () => {
    await bed.agent.waitForState((state) => state.registration.status === 'registered');
    expect(await bed.agent.must('settings:get-account')).toMatchObject({
      sipUri: 'sip:1001@127.0.0.1',
      displayName: 'Agent 1001',
    });
  });

  it('shows the lock in English: the locked fields disabled, the others editable', async () => {
    const { page } = bed;
    await page.goto(bed.host.url);
    await page.getByRole('button', { name: en.app.settings, exact: true }).click();
    const form = page.getByRole('form', { name: en.account.heading, exact: true });
    const sipUri = form.getByLabel(en.account.sipUri, { exact: true });
    await expect.poll(() => sipUri.isDisabled()).toBe(true);
    expect(await sipUri.inputValue()).toBe('sip:1001@127.0.0.1');
    expect(await form.getByLabel(en.account.displayName, { exact: true }).isDisabled()).toBe(true);
    expect(await form.getByLabel(en.account.wsUrl, { exact: true }).isDisabled()).toBe(false);
    expect(await form.getByLabel(en.account.password, { exact: true }).isDisabled()).toBe(false);
    const badges = form.getByTestId('locked-badge');
    expect(await badges.count()).toBe(2);
    expect((await badges.first().textContent())?.trim()).toContain('Set by your organisation');
    // The field says why it is disabled (its description is the badge).
    const describedBy = ((await sipUri.getAttribute('aria-describedby')) ?? '').split(' ');
    const texts = await Promise.all(describedBy.map((id) => page.locator(`[id="${id}"]`).textContent()));
    const description = texts.join(' ');
    expect(description).toContain('Set by your organisation');
    // The language is not locked.
    const language = page.getByRole('form', { name: en.language.heading, exact: true });
    expect(await language.getByTestId('locked-badge').count()).toBe(0);
    await expectAccessible('locked account settings (English)');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/40-settings-locked.png`, fullPage: true });
  });

  it('shows the lock in Persian, right to left', async () => {
    const { page } = bed;
    await bed.agent.must('settings:save-language', { language: 'fa' });
    await expect.poll(() => page.locator('html').getAttribute('dir')).toBe('rtl');
    const form = page.getByRole('form', { name: fa.account!.heading!, exact: true });
    const sipUri = form.getByLabel(fa.account!.sipUri!, { exact: true });
    expect(await sipUri.isDisabled()).toBe(true);
    const badges = form.getByTestId('locked-badge');
    await expect.poll(async () => (await badges.first().textContent())?.trim()).toContain(fa.policy!.locked!);
    expect(await badges.count()).toBe(2);
    await expectAccessible('locked account settings (Persian)');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/41-settings-locked-fa.png`, fullPage: true });
    await bed.agent.must('settings:save-language', { language: 'auto' });
  });

  it('saves the diagnostics file from the Help desk section, with the policy in force', async () => {
    const { page } = bed;
    const section = page.getByTestId('diagnostics-actions');
    await section.getByRole('button', { name: en.diagnostics.save, exact: true }).click();
    const status = page.getByTestId('diagnostics-status');
    await expect.poll(() => status.textContent()).toContain(en.diagnostics.saved);
    const path = (await status.locator('code').textContent()) ?? '';
    const text = readFileSync(path, 'utf8');
    expect(text).toContain('- account.sipUriTemplate = "sip:1001@127.0.0.1" (locked, /etc/calmline/policy.json)');
    expect(text).toContain('registered as sip:1001@127.0.0.1');
  });

  it('refuses a locked field sent through the command anyway, and the form still saves the rest', async () => {
    const refused = await bed.agent.command('settings:save-account', {
      wsUrl: bed.kamailio.wsUrl,
      sipUri: 'sip:9999@127.0.0.1',
      displayName: 'Agent 1001',
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'locked-by-policy' } });
    expect(bed.pageErrors).toEqual([]);
  });
});
