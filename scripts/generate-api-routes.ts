/**
 * Writes src/shared/api-routes.ts from the contract's command and event tables: the
 * channel, method name and argument mapping of each, with no schema. The preload and
 * the web host's bridge build the renderer API from that file, so they load neither
 * zod nor the contract's schemas (docs/architecture.md#add-a-command).
 * `npm run generate` runs it; tests/unit/renderer/command-table.test.ts fails when the
 * file is stale.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { apiRoutesSource } from '../src/shared/api-routes-source';

const target = resolve(import.meta.dirname, '../src/shared/api-routes.ts');
const source = await format(apiRoutesSource(), { ...(await resolveConfig(target)), filepath: target });
writeFileSync(target, source);
console.log(`Wrote ${target}`);
