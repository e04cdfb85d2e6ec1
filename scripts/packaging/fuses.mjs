/**
 * electron-builder's afterPack hook: flips Electron's fuses in the packed binary for
 * a locked-down build, before it is signed (flipping changes the binary).
 *
 * - RunAsNode off: `ELECTRON_RUN_AS_NODE` cannot turn Calmline into a Node shell;
 * - NodeOptions and the Node inspector arguments off: no code injected from outside;
 * - cookie encryption on;
 * - ASAR integrity on, and the app only loads from its ASAR: a modified app.asar or
 *   loose files next to it are refused;
 * - the file:// protocol gets no extra privileges.
 */
import { join } from 'node:path';
import { flipFuses, FuseV1Options, FuseVersion } from '@electron/fuses';

/** The fuses Calmline ships with. */
export const CALMLINE_FUSES = {
  version: FuseVersion.V1,
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableCookieEncryption]: true,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
};

/** Where the Electron executable is inside electron-builder's unpacked app. */
export function electronBinaryPath(context) {
  const name = context.packager.appInfo.productFilename;
  switch (context.electronPlatformName) {
    case 'darwin':
    case 'mas':
      return join(context.appOutDir, `${name}.app`, 'Contents', 'MacOS', name);
    case 'win32':
      return join(context.appOutDir, `${name}.exe`);
    default:
      return join(context.appOutDir, context.packager.executableName);
  }
}

/** The hook. */
export default async function afterPack(context) {
  const binary = electronBinaryPath(context);
  await flipFuses(binary, {
    ...CALMLINE_FUSES,
    // arm64 macOS binaries must be re-signed ad hoc after flipping, before the real signature.
    resetAdHocDarwinSignature: context.electronPlatformName === 'darwin' && context.arch === 3,
  });
  console.log(`  • fuses flipped in ${binary}`);
}
