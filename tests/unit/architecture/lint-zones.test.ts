/**
 * The layer rules of docs/architecture.md, proven on the real ESLint configuration:
 * each forbidden import is reported (resolved paths, not import strings), each allowed
 * one is not.
 */
import { ESLint } from 'eslint';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: resolve(import.meta.dirname, '../../..') });

/** Lints `code` as if it were the file at `path`; answers the rule ids reported. */
async function violations(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(import.meta.dirname, '../../..', path) });
  return (result?.messages ?? []).map((message) => message.ruleId ?? message.message);
}

const zone = 'import-x/no-restricted-paths';

describe('layer zones', () => {
  it.each([
    [
      'the core importing the Electron glue by a relative path',
      'src/core/probe.ts',
      "import { x } from '../main/ipc';",
    ],
    [
      'the core importing the web host',
      'src/core/phone/probe.ts',
      "import { x } from '../../webhost/server/web-host';",
    ],
    ['the core importing the renderer', 'src/core/probe.ts', "import { x } from '../renderer/src/host-api';"],
    ['shared importing the core', 'src/shared/probe.ts', "import { x } from '../core/clock';"],
    ['the renderer importing the core', 'src/renderer/src/probe.ts', "import { x } from '../../core/app-core';"],
    ['the renderer importing the preload', 'src/renderer/src/probe.ts', "import { x } from '../../preload/index';"],
    [
      'the web host importing the Electron glue',
      'src/webhost/server/probe.ts',
      "import { x } from '../../main/window';",
    ],
    ['the web bridge importing the core', 'src/webhost/bridge/probe.ts', "import { x } from '../../core/clock';"],
    [
      'the Electron glue importing the web host',
      'src/main/probe.ts',
      "import { x } from '../webhost/server/web-host';",
    ],
    ['the directory service importing the core', 'server/src/probe.ts', "import { x } from '../../src/core/clock';"],
    ['the core importing the directory service', 'src/core/probe.ts', "import { x } from '../../server/src/app';"],
  ])('refuses %s', async (_name, path, code) => {
    expect(await violations(path, `${code}\nexport const y = x;\n`)).toContain(zone);
  });

  it.each([
    ['the core importing shared', 'src/core/probe.ts', "import { x } from '../shared/contract';"],
    ['the Electron glue importing the core', 'src/main/probe.ts', "import { x } from '../core/app-core';"],
    ['the web host importing the core', 'src/webhost/server/probe.ts', "import { x } from '../../core/app-core';"],
    ['the renderer importing shared', 'src/renderer/src/probe.ts', "import { x } from '../../shared/api';"],
    [
      'the directory service importing shared',
      'server/src/probe.ts',
      "import { x } from '../../src/shared/directory-api';",
    ],
  ])('allows %s', async (_name, path, code) => {
    expect(await violations(path, `${code}\nexport const y = x;\n`)).not.toContain(zone);
  });

  it('refuses Electron itself in the core', async () => {
    expect(await violations('src/core/probe.ts', "import { app } from 'electron';\nexport const y = app;\n")).toContain(
      'no-restricted-imports',
    );
  });
});
