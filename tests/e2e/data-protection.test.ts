/**
 * The no-keychain notice in Debian's Chromium through the web host: an agent whose data
 * is stored in the clear sees "Your data is not encrypted" and cannot dismiss it; with
 * the data encrypted (a key file, as the web host runs by default) there is no notice.
 * Screenshot: test-results/screenshots/40-data-not-encrypted.png.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { en } from '../../src/renderer/src/i18n/en';
import { SCREENSHOT_DIR } from '../support/browser';
import { startUiBed, type UiBed } from '../support/ui-bed';

const beds: UiBed[] = [];
const dirs: string[] = [];

afterAll(async () => {
  for (const bed of beds) await bed.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'calmline-e2e-protection-'));
  dirs.push(dir);
  return dir;
}

describe('data protection notice', () => {
  it('stays on screen while the data is stored in the clear', async () => {
    const bed = await startUiBed({ agent: { user: '1001', dataDir: dataDir() } });
    beds.push(bed);
    await bed.page.goto(bed.host.url);
    const notice = bed.page.getByRole('region', { name: en.dataProtection.heading });
    await notice.waitFor();
    expect(await notice.textContent()).toContain(en.dataProtection.notEncrypted);
    expect(await notice.getByRole('button').count()).toBe(0);
    await bed.page.screenshot({ path: `${SCREENSHOT_DIR}/40-data-not-encrypted.png` });
    // Still there after a reload: it is the state of the data, not a message to acknowledge.
    await bed.page.reload();
    await notice.waitFor();
    expect(bed.pageErrors).toEqual([]);
    await beds.pop()?.stop();
  });

  it('is absent when the data is encrypted with a key file', async () => {
    const dir = dataDir();
    const bed = await startUiBed({ agent: { user: '1002', dataDir: dir, keyFile: join(dir, 'key', 'data-key.json') } });
    beds.push(bed);
    await bed.page.goto(bed.host.url);
    const status = bed.page.getByTestId('registration-status');
    await expect.poll(() => status.getAttribute('data-status')).toBe('registered');
    expect(await bed.agent.must('storage:get-protection')).toEqual({
      storesData: true,
      encrypted: true,
      keyStorage: 'key-file',
    });
    expect(await bed.page.getByTestId('data-protection-notice').count()).toBe(0);
    expect(bed.pageErrors).toEqual([]);
  });
});
