/**
 * Policy through openCore, as both hosts open the core: IT requiring encryption at rest
 * on a machine without a keychain keeps no history in the clear; the same machine
 * without that policy keeps it (in the clear, as before).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger, type CoreLogger } from '../../../src/core/logger';
import { openCore } from '../../../src/core/open-core';
import { resolvePolicy } from '../../../src/core/policy/policy';
import { createMemorySecretStore, createMemoryStore } from '../../../src/core/settings';
import { createFakeClock } from '../../support/fake-clock';

async function open(values: Record<string, unknown>, logger: CoreLogger = silentLogger) {
  const policy = resolvePolicy([{ source: 'policy.json', level: 'locked', values }], { username: 'anna' });
  return openCore({
    dataDir: await mkdtemp(join(tmpdir(), 'calmline-policy-core-')),
    store: createMemoryStore(),
    secrets: createMemorySecretStore(),
    clock: createFakeClock(),
    logger,
    policy,
  });
}

describe('encryption at rest required by policy', () => {
  it('switches history off without a keychain, and says why', async () => {
    const errors: string[] = [];
    const core = await open({ encryptionAtRest: 'required' }, { ...silentLogger, error: (m) => errors.push(m) });
    expect(await core.router('history:search', { text: 'invoice' })).toMatchObject({
      ok: false,
      error: { code: 'storage-unavailable' },
    });
    expect(errors.join('\n')).toMatch(/encryptionAtRest is "required" but no OS keychain/);
    await core.stop();
  });

  it('keeps history when encryption is only used when available', async () => {
    const core = await open({ encryptionAtRest: 'when-available' });
    expect(await core.router('history:search', { text: 'invoice' })).toMatchObject({ ok: true });
    await core.stop();
  });

  it('logs every policy problem with its key when the core opens', async () => {
    const warnings: string[] = [];
    const core = await open({ retentionDays: 'forever' }, { ...silentLogger, warn: (m) => warnings.push(m) });
    // (This machine has no key either: that warning comes too.)
    expect(warnings.filter((m) => m.startsWith('Policy '))).toEqual([
      expect.stringMatching(/^Policy policy.json: retentionDays ignored \(.+\); the default applies.$/),
    ]);
    await core.stop();
  });
});
