/**
 * Writes the policy templates (ADMX/ADML, .mobileconfig, policy.json) and
 * docs/policy-keys.md from src/shared/policy.ts; see scripts/policy-templates.ts.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { policyTemplates } from './policy-templates';

const root = resolve(import.meta.dirname, '..');
const readme = readFileSync(resolve(root, 'README.md'), 'utf8');
for (const [path, content] of Object.entries(policyTemplates(readme))) {
  const target = resolve(root, path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, content);
  console.log(`Wrote ${target}`);
}
