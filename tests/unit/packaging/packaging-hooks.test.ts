/**
 * The packaging hooks without the Electron binary: the afterPack hook flips the fuses
 * with @electron/fuses in a stand-in binary that carries Electron's fuse wire (the
 * sentinel, version 1, the fuse bytes), at the path electron-builder packs it on each
 * OS; the signing check reads only the environment and is loud when it is empty.
 */
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getCurrentFuseWire, FuseV1Options } from '@electron/fuses';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
type Hook = (context: unknown) => Promise<void>;
const fuses = (await import(pathToFileURL(join(root, 'scripts/packaging/fuses.mjs')).href)) as {
  default: Hook;
  electronBinaryPath(context: unknown): string;
};
const signing = (await import(pathToFileURL(join(root, 'scripts/packaging/signing.mjs')).href)) as {
  signingStatus(env: Record<string, string>, platform: string): { signed: boolean; notarised: boolean; how: string };
  warnIfUnsigned(env: Record<string, string>, platform: string, log: (text: string) => void): unknown;
};

/** A file shaped like an Electron binary around its fuse wire: 9 fuses, all '1' (enabled) but RunAsNode. */
async function standInBinary(path: string): Promise<void> {
  const wire = Buffer.from('111111111', 'ascii');
  await writeFile(
    path,
    Buffer.concat([
      randomBytes(4096),
      Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'),
      Buffer.from([1, wire.length]),
      wire,
      randomBytes(4096),
    ]),
  );
}

function context(appOutDir: string, platform: string) {
  return {
    appOutDir,
    electronPlatformName: platform,
    arch: 1,
    packager: { appInfo: { productFilename: 'Calmline' }, executableName: 'calmline' },
  };
}

describe('the afterPack hook', () => {
  it('finds the binary where electron-builder packs it on each OS', () => {
    expect(fuses.electronBinaryPath(context('/out', 'win32'))).toBe('/out/Calmline.exe');
    expect(fuses.electronBinaryPath(context('/out', 'darwin'))).toBe('/out/Calmline.app/Contents/MacOS/Calmline');
    expect(fuses.electronBinaryPath(context('/out', 'linux'))).toBe('/out/calmline');
  });

  it('flips the fuses: RunAsNode, NODE_OPTIONS, inspect off; cookie encryption, ASAR integrity, ASAR only on', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'calmline-fuses-'));
    await mkdir(dir, { recursive: true });
    const binary = join(dir, 'calmline');
    await standInBinary(binary);
    const before = await readFile(binary);
    await fuses.default(context(dir, 'linux'));
    const wire = (await getCurrentFuseWire(binary)) as unknown as Record<number, number>;
    const state = (option: FuseV1Options) => String.fromCharCode(wire[option]!);
    expect(state(FuseV1Options.RunAsNode)).toBe('0');
    expect(state(FuseV1Options.EnableNodeOptionsEnvironmentVariable)).toBe('0');
    expect(state(FuseV1Options.EnableNodeCliInspectArguments)).toBe('0');
    expect(state(FuseV1Options.GrantFileProtocolExtraPrivileges)).toBe('0');
    expect(state(FuseV1Options.EnableCookieEncryption)).toBe('1');
    expect(state(FuseV1Options.EnableEmbeddedAsarIntegrityValidation)).toBe('1');
    expect(state(FuseV1Options.OnlyLoadAppFromAsar)).toBe('1');
    // Only the fuse bytes changed.
    const after = await readFile(binary);
    expect(after.length).toBe(before.length);
    expect(after.subarray(0, 4096)).toEqual(before.subarray(0, 4096));
  });

  it('refuses a binary without a fuse wire rather than shipping unfused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'calmline-fuses-'));
    await writeFile(join(dir, 'calmline'), randomBytes(1024));
    await expect(fuses.default(context(dir, 'linux'))).rejects.toThrow(/sentinel/);
  });
});

describe('signing material from the environment only', () => {
  it('knows each way to sign, and nothing else', () => {
    expect(signing.signingStatus({}, 'win32').signed).toBe(false);
    expect(signing.signingStatus({ CSC_LINK: 'x', CSC_KEY_PASSWORD: 'y' }, 'win32').signed).toBe(true);
    expect(
      signing.signingStatus(
        { AZURE_TENANT_ID: 't', AZURE_CLIENT_ID: 'c', AZURE_CLIENT_SECRET: 's', AZURE_CODE_SIGNING_ACCOUNT: 'a' },
        'win32',
      ).how,
    ).toBe('Azure Trusted Signing');
    expect(signing.signingStatus({ CSC_LINK: 'x', CSC_KEY_PASSWORD: 'y' }, 'darwin')).toMatchObject({
      signed: true,
      notarised: false,
    });
    expect(
      signing.signingStatus(
        { CSC_LINK: 'x', CSC_KEY_PASSWORD: 'y', APPLE_API_KEY: 'k', APPLE_API_KEY_ID: 'i', APPLE_API_ISSUER: 'j' },
        'darwin',
      ).notarised,
    ).toBe(true);
  });

  it('says loudly that a build is unsigned or not notarised', () => {
    const lines: string[] = [];
    signing.warnIfUnsigned({}, 'win32', (text) => lines.push(text));
    signing.warnIfUnsigned({ CSC_LINK: 'x', CSC_KEY_PASSWORD: 'y' }, 'darwin', (text) => lines.push(text));
    signing.warnIfUnsigned({ CSC_LINK: 'x', CSC_KEY_PASSWORD: 'y' }, 'win32', (text) => lines.push(text));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('UNSIGNED BUILD for win32');
    expect(lines[1]).toContain('NOT NOTARISED BUILD for darwin');
  });
});
