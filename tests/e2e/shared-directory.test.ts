/**
 * The shared caller directory in Chromium: the agent's core (web host) uses the real
 * directory service on a real PostgreSQL; another agent works through the service's
 * API. The caller card shows a flag set by that other agent on ring, and one set while
 * the call is open; with the service stopped, the card says "directory unreachable,
 * changes queued", keeps the agent's new flag, and the flag reaches the service once it
 * is back. Checked with axe; screenshots in test-results/screenshots/4x-*.png.
 */
import AxeBuilder from '@axe-core/playwright';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCREENSHOT_DIR } from '../support/browser';
import { startDirectory, type TestDirectory } from '../support/directory';
import { formatSippResult, runSipp } from '../support/sipp';
import { startUiBed, type UiBed } from '../support/ui-bed';

const CALLER = '+4989555123';
let directory: TestDirectory;
let bed: UiBed;
let otherAgent: string;
let dataDir: string;

beforeAll(async () => {
  directory = await startDirectory();
  otherAgent = await directory.issue('Agent 1009');
  dataDir = mkdtempSync(join(tmpdir(), 'calmline-e2e-directory-'));
  bed = await startUiBed({
    agent: {
      user: '1001',
      dataDir,
      directory: { url: directory.url, token: await directory.issue('Agent 1001'), client: { backoffMs: [100, 200] } },
    },
  });
});

afterAll(async () => {
  await bed?.stop();
  await directory?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** The other agent raises a flag through the service's API, as their own app would. */
async function flagFromAnotherDesk(kind: string, reason: string): Promise<void> {
  const response = await fetch(`${directory.url}/v1/callers/${encodeURIComponent(CALLER)}/flags`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${otherAgent}`,
      'content-type': 'application/json',
      'idempotency-key': `e2e-${randomUUID()}`,
    },
    body: JSON.stringify({ kind, reason }),
  });
  expect(response.status).toBe(201);
}

async function expectAccessible(screen: string): Promise<void> {
  const result = await new AxeBuilder({ page: bed.page }).analyze();
  const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${screen}: ${v.id}`)).toEqual([]);
}

describe('the caller card with the shared directory', () => {
  it("shows another agent's flag on ring and a new one live, then the unreachable state with the change queued", async () => {
    const { page, host, kamailio } = bed;
    await flagFromAnotherDesk('abusive-language', 'Shouted at the previous agent');
    await page.goto(host.url);
    await expect.poll(() => page.getByTestId('registration-status').getAttribute('data-status')).toBe('registered');

    const sipp = runSipp({
      scenario: 'caller-answered-agent-hangs-up.xml',
      kamailio,
      service: '1001',
      caller: CALLER,
      displayName: 'Karl Beispiel',
      recvTimeoutMs: 60_000,
    });
    const card = page.getByTestId('caller-card');
    const flag = card.locator('[data-testid="caller-flag"][data-kind="abusive-language"]');
    await flag.waitFor({ timeout: 15_000 });
    expect(await flag.textContent()).toContain('Shouted at the previous agent');
    expect(await flag.textContent()).toContain('Agent 1009');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/40-shared-flag-on-ring.png` });

    await page.getByRole('button', { name: 'Answer call from Karl Beispiel' }).click();
    await page.locator('[data-testid^="call-"][data-state="active"]').waitFor({ timeout: 10_000 });
    // While the card is open, the other agent adds a flag: it appears without a reload.
    await flagFromAnotherDesk('repeat-unresolved', 'Fourth call about the same invoice');
    await card.locator('[data-testid="caller-flag"][data-kind="repeat-unresolved"]').waitFor({ timeout: 10_000 });
    await card.locator('[data-testid="caller-flag"][data-kind="repeat-unresolved"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SCREENSHOT_DIR}/41-shared-flag-live.png` });

    // The service goes down mid-call.
    await directory.pause();
    await page.getByRole('button', { name: 'Flag Karl Beispiel so the next agent is prepared', exact: true }).click();
    await page.getByLabel('Why', { exact: true }).selectOption('insults');
    await page.getByLabel('What happened', { exact: true }).fill('Called the agent names');
    await page.getByRole('button', { name: 'Add flag', exact: true }).click();
    const notice = page.getByTestId('directory-unreachable');
    await notice.waitFor({ timeout: 10_000 });
    await expect.poll(() => notice.getAttribute('data-queued')).toBe('1');
    expect(await notice.textContent()).toContain('Caller directory unreachable');
    expect(await notice.textContent()).toContain('1 change waiting to be sent');
    // The queued flag is shown as made, beside the ones known before the outage.
    await card.locator('[data-testid="caller-flag"][data-kind="insults"]').waitFor();
    expect(await card.locator('[data-testid="caller-flag"]').count()).toBe(3);
    await notice.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SCREENSHOT_DIR}/42-directory-unreachable-queued.png` });
    await expectAccessible('directory unreachable');

    // Back: the queue is delivered once and the notice goes.
    await directory.resume();
    await notice.waitFor({ state: 'detached', timeout: 30_000 });
    const delivered = async () =>
      (
        await directory.db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM flags WHERE number = $1 AND kind = 'insults' AND author = 'Agent 1001'",
          [CALLER],
        )
      ).rows[0]?.n;
    await expect.poll(delivered, { timeout: 30_000 }).toBe(1);
    await expect
      .poll(() => bed.agent.must<{ queued: number }>('directory:get-status'))
      .toEqual({
        state: 'online',
        queued: 0,
      });
    expect(await delivered()).toBe(1);

    await page.getByRole('button', { name: 'Hang up call with Karl Beispiel' }).click();
    const result = await sipp.done;
    expect(result.passed, formatSippResult(result)).toBe(true);
    expect(bed.pageErrors).toEqual([]);
  });
});
