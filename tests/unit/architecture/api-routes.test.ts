/**
 * src/shared/api-routes.ts is generated from the contract's tables; the preload and
 * the web bridge build the renderer API from it so that they load no zod. This fails
 * when a command or event changed and `npm run generate` was not run.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { describe, expect, it } from 'vitest';
import { apiRoutesSource } from '../../../src/shared/api-routes-source';

const routesFile = resolve(import.meta.dirname, '../../../src/shared/api-routes.ts');

describe('generated API routes', () => {
  it('match the contract (run `npm run generate` after changing a command or event)', async () => {
    const expected = await format(apiRoutesSource(), { ...(await resolveConfig(routesFile)), filepath: routesFile });
    expect(readFileSync(routesFile, 'utf8')).toBe(expected);
  });

  it('keep zod out of the preload and the web bridge', () => {
    const api = readFileSync(resolve(import.meta.dirname, '../../../src/shared/api.ts'), 'utf8');
    // Only type imports of the contract: a value import would bundle every schema.
    expect(api).not.toMatch(/^import \{[^}]*\} from '\.\/contract'/m);
    expect(api).toMatch(/^import type \{[^}]*\} from '\.\/contract'/m);
  });
});
