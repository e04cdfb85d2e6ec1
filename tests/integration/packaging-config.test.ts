/**
 * The packaging configuration checked by electron-builder itself, as far as it runs
 * without the Electron binary: it loads electron-builder.config.mjs, validates it
 * against its schema, and gets to packaging for Linux, Windows and macOS; there it
 * stops when it downloads the Electron zip (no internet on these machines). That
 * download failure is the only end accepted; a config electron-builder refuses fails
 * the test, and a control run with an unknown key proves the validation runs.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const cli = join(root, 'node_modules/electron-builder/cli.js');

function electronBuilder(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [cli, ...args, '--dir', '--publish', 'never'], {
      cwd: root,
      // No signing material, and no cache that might hold an Electron zip from elsewhere.
      env: { PATH: process.env.PATH, HOME: process.env.HOME, CSC_IDENTITY_AUTO_DISCOVERY: 'false', ...env },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => done({ code, output }));
  });
}

/** The run got past the configuration and stopped only at the Electron download. */
function expectStoppedAtDownload(output: string, platform: string) {
  expect(output).toContain('loaded configuration');
  expect(output).not.toMatch(/Invalid configuration object/);
  expect(output).toContain(`packaging       platform=${platform}`);
  expect(output).toMatch(/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|getaddrinfo|download/i);
}

const built = existsSync(join(root, 'out/main'));
type Run = ReturnType<typeof electronBuilder>;
const runs: { linux?: Run; win?: Run; mac?: Run } = {};

describe('electron-builder on the config', () => {
  // The three runs mostly wait for the Electron download to fail: they run side by side.
  beforeAll(() => {
    // npm test builds first; run directly, this says so instead of skipping.
    if (!built) throw new Error('out/main is missing: run `npm run build` before this test.');
    runs.linux = electronBuilder(['--config', 'electron-builder.config.mjs', '--linux', 'deb', 'AppImage']);
    runs.win = electronBuilder(['--config', 'electron-builder.config.mjs', '--win', 'nsis', 'msi']);
    runs.mac = electronBuilder(['--config', 'electron-builder.config.mjs', '--mac', 'dmg', 'pkg']);
  });

  it('validates it and packages for Linux up to the Electron download', { timeout: 180_000 }, async () => {
    const { code, output } = await runs.linux!;
    expect(code).not.toBe(0);
    expectStoppedAtDownload(output, 'linux');
  });

  it('validates it for Windows (NSIS, MSI), and says the build is unsigned', { timeout: 180_000 }, async () => {
    const { output } = await runs.win!;
    expectStoppedAtDownload(output, 'win32');
    expect(output).toContain('UNSIGNED BUILD for win32');
  });

  it('validates it for macOS (dmg, pkg), and says the build is unsigned', { timeout: 180_000 }, async () => {
    const { output } = await runs.mac!;
    expectStoppedAtDownload(output, 'darwin');
    expect(output).toContain('UNSIGNED BUILD for darwin');
  });

  it('refuses a config with an unknown key (the control: validation really runs)', { timeout: 180_000 }, async () => {
    const bad = join(root, 'electron-builder.invalid-test.config.mjs');
    await writeFile(
      bad,
      "import config from './electron-builder.config.mjs';\nexport default { ...config, nonsenseKey: true };\n",
    );
    try {
      const { code, output } = await electronBuilder([
        '--config',
        'electron-builder.invalid-test.config.mjs',
        '--linux',
        'deb',
      ]);
      expect(code).not.toBe(0);
      expect(output).toMatch(/Invalid configuration object[\s\S]*nonsenseKey/);
      expect(output).not.toContain('packaging       platform=');
    } finally {
      await rm(bad, { force: true });
    }
  });
});
