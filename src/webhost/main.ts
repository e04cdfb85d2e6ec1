/**
 * `npm run web`: runs Calmline's real core in Node and serves the built renderer on
 * 127.0.0.1, for machines without the Electron binary and for the UI tests.
 *
 * Options (flags win over environment):
 *   --port N                 (CALMLINE_WEB_PORT, default: a free port)
 *   --data-dir DIR           (CALMLINE_DATA_DIR; default: the OS's per-user data folder,
 *                            e.g. ~/.local/share/calmline-web): settings, call history,
 *                            notes, caller directory, exports, encrypted at rest
 *   --key-file FILE          (CALMLINE_KEY_FILE; default: the OS's per-user config folder,
 *                            e.g. ~/.config/calmline-web/data-key.json, or next to an
 *                            explicit --data-dir): the data key, mode 0600
 *   --policy-file FILE       (CALMLINE_POLICY_FILE) IT's managed policy in the Linux format
 *                            (see README, "For IT"); default: none
 *   CALMLINE_MEDIA=signalling  no audio engine: SDP only (for SIP peers without WebRTC media)
 *   CALMLINE_WS_URL, CALMLINE_SIP_URI, CALMLINE_DISPLAY_NAME, CALMLINE_SIP_PASSWORD
 *                            preset the SIP account (the password is kept in memory only)
 *   CALMLINE_DIRECTORY_URL, CALMLINE_DIRECTORY_TOKEN
 *                            use the call centre's caller directory service (the token is kept
 *                            in memory only; README "Caller directory service")
 */
import { readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { EncryptionRequiredError, openCore } from '../core/open-core';
import { systemClock } from '../core/clock';
import { createConsoleLogger } from '../core/logger';
import { createSignallingMediaFactory } from '../core/phone/signalling-media';
import { installProcessGuards } from '../core/process-guards';
import { openConfSettingsStore } from '../core/storage/files/settings-store';
import { createMemorySecretStore } from '../core/settings';
import { loadManagedPolicy, NO_POLICY } from '../core/policy/policy';
import { forwardingLogger } from '../core/diagnostics/file-log';
import { setUpDiagnostics } from '../core/diagnostics/setup';
import { defaultWebHostPaths } from './server/host-paths';
import { startWebHost } from './server/web-host';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    'data-dir': { type: 'string' },
    'key-file': { type: 'string' },
    'policy-file': { type: 'string' },
  },
});
const env = process.env;
const consoleLogger = createConsoleLogger(env.CALMLINE_LOG_LEVEL === 'debug' ? 'debug' : 'info', 'calmline-web');
// stderr until the log file is open (src/core/diagnostics/setup.ts), then the file too.
const logger = forwardingLogger(consoleLogger);
// A fatal failure ends the process; before that, calls get their BYE and notes are saved.
const onFatal: { stop?: () => Promise<void> } = {};
installProcessGuards(logger, { onFatal: () => onFatal.stop?.() });

const defaults = defaultWebHostPaths(process.platform, env, homedir());
const explicitDir = values['data-dir'] ?? env.CALMLINE_DATA_DIR;
const dataDir = resolve(explicitDir ?? defaults.dataDir);
// A lab's own data folder (the demo, tests) keeps its key with it; the default keeps it apart.
const keyFile = resolve(
  values['key-file'] ?? env.CALMLINE_KEY_FILE ?? (explicitDir ? join(dataDir, 'data-key.json') : defaults.keyFile),
);
const settings = await openConfSettingsStore({ dir: dataDir, clock: systemClock, logger });
const store = settings.store;
const secrets = createMemorySecretStore();

const policyFile = values['policy-file'] ?? env.CALMLINE_POLICY_FILE;
const policy = policyFile
  ? await loadManagedPolicy({ platform: process.platform, username: userInfo().username, policyFile })
  : undefined;

const root = resolve(import.meta.dirname, '../..');
const { version } = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { version: string };
// The log file in <data-dir>/logs and the diagnostics bundle, as in the Electron app.
const diagnostics = await setUpDiagnostics({
  dataDir,
  store,
  policy: policy ?? NO_POLICY,
  logger,
  mirror: consoleLogger,
  appVersion: version,
  runtime: `web host (Node ${process.versions.node})`,
});

const core = await openCore({
  dataDir,
  keyFile,
  ...(policy ? { policy } : {}),
  redactor: diagnostics.redactor,
  diagnostics: diagnostics.bundle,
  store,
  secrets,
  startupNotices: settings.notices,
  env,
  clock: systemClock,
  logger,
  // Real audio through the page's WebRTC engine, unless the SIP peers carry none
  // (SIPp without a media relay: tests, the demo without rtpengine).
  ...(env.CALMLINE_MEDIA === 'signalling' ? { createMediaFactory: () => createSignallingMediaFactory() } : {}),
}).catch((error: unknown) => {
  if (!(error instanceof EncryptionRequiredError)) throw error;
  logger.error(error.message);
  process.exit(78); // EX_CONFIG: the configuration forbids starting
});
const host = await startWebHost({
  core,
  rendererDir: resolve(root, 'out/renderer'),
  bridgeScript: resolve(root, 'out/webhost/bridge.js'),
  logger,
  port: Number(values.port ?? env.CALMLINE_WEB_PORT ?? 0),
});
onFatal.stop = () => core.stop();
await core.start();
process.stdout.write(
  `Calmline web host is running. Open this URL in Chromium:\n  ${host.url}\n` +
    `Data: ${dataDir} (encrypted with the key in ${keyFile})\n`,
);

const shutdown = async () => {
  await core.stop();
  await host.close();
  await diagnostics.log.close();
  process.exit(0);
};
process.once('SIGINT', () => void shutdown());
process.once('SIGTERM', () => void shutdown());
