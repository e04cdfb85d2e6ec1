/**
 * electron-builder configuration: `npm run dist` builds the packages of the current
 * OS (README, "For IT"). Signing material comes only from the environment
 * (scripts/packaging/signing.mjs); a build without it says loudly that it is unsigned.
 *
 * - Windows: NSIS per-machine installer and MSI (per machine, ALLUSERS), silent for
 *   SCCM / Intune;
 * - macOS: dmg and pkg, hardened runtime, microphone entitlement, notarised in the
 *   afterSign hook;
 * - Linux: deb and AppImage; the desktop file registers the tel: and sip: links;
 * - every platform: Electron's fuses flipped in the afterPack hook
 *   (scripts/packaging/fuses.mjs), ASAR with integrity checks.
 */
import { azureSignOptions, warnIfUnsigned } from './scripts/packaging/signing.mjs';

const env = process.env;
/** The platforms this run builds for, from electron-builder's flags (default: this OS). */
function targetPlatforms(argv) {
  const platforms = new Set();
  for (const arg of argv) {
    if (arg === '--win' || arg === '-w' || arg === '--windows') platforms.add('win32');
    if (arg === '--mac' || arg === '-m' || arg === '--macos') platforms.add('darwin');
    if (arg === '--linux' || arg === '-l') platforms.add('linux');
  }
  return platforms.size ? [...platforms] : [process.platform];
}
for (const platform of targetPlatforms(process.argv)) warnIfUnsigned(env, platform);

const azure = azureSignOptions(env);

/** @type {import('app-builder-lib').Configuration} */
const config = {
  appId: 'com.calmline.app',
  productName: 'Calmline',
  copyright: 'Copyright © Calmline contributors',
  directories: { output: 'dist', buildResources: 'resources' },
  // electron-vite's output only: no sources, tests or maps in the package.
  files: ['out/**/*', 'package.json', '!**/*.map', '!out/webhost/**'],
  asar: true,
  icon: 'resources/icon.png',
  afterPack: './scripts/packaging/fuses.mjs',
  afterSign: './scripts/packaging/notarize.mjs',
  protocols: [
    { name: 'Telephone link', schemes: ['tel'] },
    { name: 'SIP link', schemes: ['sip'] },
  ],
  // The feed electron-updater reads; IT points each machine at its own with the
  // policy key updates.feedUrl (the app sets the feed at run time).
  publish: [{ provider: 'generic', url: 'https://updates.example.com/calmline/', channel: 'latest' }],
  generateUpdatesFilesForAllChannels: true,
  win: {
    target: ['nsis', 'msi'],
    ...(azure ? { azureSignOptions: azure } : {}),
    verifyUpdateCodeSignature: true,
  },
  nsis: {
    oneClick: false,
    perMachine: true,
    allowElevation: true,
    allowToChangeInstallationDirectory: true,
    createDesktopShortcut: true,
    deleteAppDataOnUninstall: false,
  },
  msi: {
    perMachine: true,
    oneClick: true,
    createDesktopShortcut: true,
    runAfterFinish: false,
    upgradeCode: '7d0e4a1c-4c8e-4c61-9a2b-3f4f7c1d2e55',
  },
  mac: {
    target: ['dmg', 'pkg'],
    category: 'public.app-category.business',
    hardenedRuntime: true,
    gatekeeperAssess: false,
    entitlements: 'resources/entitlements.mac.plist',
    entitlementsInherit: 'resources/entitlements.mac.plist',
    extendInfo: {
      NSMicrophoneUsageDescription: 'Calmline uses the microphone for your calls.',
    },
    // Notarisation runs in the afterSign hook with credentials from the environment.
    notarize: false,
  },
  pkg: { installLocation: '/Applications', isRelocatable: false },
  dmg: { sign: false },
  // electron-builder writes the desktop file's Exec with %U and, from `protocols`,
  // MimeType=x-scheme-handler/tel;x-scheme-handler/sip; so links open Calmline.
  linux: {
    target: ['deb', 'AppImage'],
    category: 'Office;Telephony',
    maintainer: 'Calmline <it@example.com>',
    synopsis: 'Softphone companion for call-centre agents',
    desktop: {
      entry: {
        Name: 'Calmline',
        Comment: 'Softphone companion for call-centre agents',
        Categories: 'Office;Telephony;',
        Keywords: 'phone;call;sip;',
      },
    },
  },
  deb: {
    depends: [
      'libgtk-3-0',
      'libnotify4',
      'libnss3',
      'libxss1',
      'libxtst6',
      'xdg-utils',
      'libatspi2.0-0',
      'libsecret-1-0',
    ],
  },
};

export default config;
