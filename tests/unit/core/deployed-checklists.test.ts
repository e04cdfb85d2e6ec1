import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDeployedChecklists } from '../../../src/core/open-core';

const escalationList = {
  id: 'billing-escalation',
  version: 1,
  name: { en: 'Billing escalation', de: 'Abrechnung eskalieren' },
  steps: [
    { id: 'listen', title: { en: 'Listen' }, guidance: { en: 'Let them finish.' } },
    { id: 'promise', title: { en: 'Promise a date' }, guidance: { en: 'Commit to a date.' }, commitment: true },
  ],
};

function logger() {
  const warnings: string[] = [];
  return {
    warnings,
    debug: () => undefined,
    info: () => undefined,
    warn: (m: string) => warnings.push(m),
    error: () => undefined,
  };
}

describe('checklists IT deploys in <data>/checklists', () => {
  it('adds valid lists to the built-ins and names each bad file with its problem', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'calmline-checklists-')), 'checklists');
    mkdirSync(dir);
    writeFileSync(join(dir, 'billing.json'), JSON.stringify(escalationList));
    writeFileSync(join(dir, 'broken.json'), '{ not json');
    writeFileSync(
      join(dir, 'no-english.json'),
      JSON.stringify({ ...escalationList, id: 'x', name: { de: 'Nur Deutsch' } }),
    );
    const log = logger();
    const catalogue = await loadDeployedChecklists(dir, log);
    expect(catalogue.checklists.map((c) => c.id)).toEqual(['heat', 'help', 'four-steps', 'billing-escalation']);
    expect(catalogue.errors.map((e) => e.source)).toEqual([
      join(dir, 'broken.json'),
      `${join(dir, 'no-english.json')} ("x")`,
    ]);
    expect(log.warnings).toHaveLength(2);
    expect(log.warnings[1]).toMatch(/no-english\.json.*name/);
  });

  it('offers only the built-ins when IT deployed nothing', async () => {
    const catalogue = await loadDeployedChecklists(join(tmpdir(), 'calmline-no-such-folder'), logger());
    expect(catalogue.checklists.map((c) => c.id)).toEqual(['heat', 'help', 'four-steps']);
    expect(catalogue.errors).toEqual([]);
  });
});
