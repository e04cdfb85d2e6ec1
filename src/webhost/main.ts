/**
 * `npm run web`: runs Calmline's real core in Node and serves the built renderer on
 * 127.0.0.1, for machines without the Electron binary and for the UI tests.
 *
 * Options (flags win over environment):
 *   --port N                 (CALMLINE_WEB_PORT, default: a free port)
 *   --data-dir DIR           (CALMLINE_DATA_DIR, default: .calmline-data/web): settings,
 *                            call history, notes, caller directory, exports
 *   CALMLINE_MEDIA=signalling  no audio engine: SDP only (for SIP peers without WebRTC media)
 *   CALMLINE_WS_URL, CALMLINE_SIP_URI, CALMLINE_DISPLAY_NAME, CALMLINE_SIP_PASSWORD
 *                            preset the SIP account (the password is kept in memory only)
 *   CALMLINE_DIRECTORY_URL, CALMLINE_DIRECTORY_TOKEN
 *                            use the call centre's caller directory service (the token is kept
 *                            in memory only; README "Caller directory service")
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openCore } from '../core/open-core';
import { systemClock } from '../core/clock';
import { createConsoleLogger } from '../core/logger';
import { createSignallingMediaFactory } from '../core/phone/signalling-media';
import { installProcessGuards } from '../core/process-guards';
import { openConfSettingsStore } from '../core/storage/files/settings-store';
import { createMemorySecretStore } from '../core/settings';
import { startWebHost } from './server/web-host';

const { values } = parseArgs({
  options: { port: { type: 'string' }, 'data-dir': { type: 'string' } },
});
const env = process.env;
const logger = createConsoleLogger(env.CALMLINE_LOG_LEVEL === 'debug' ? 'debug' : 'info', 'calmline-web');
installProcessGuards(logger);

const dataDir = resolve(values['data-dir'] ?? env.CALMLINE_DATA_DIR ?? '.calmline-data/web');
const settings = await openConfSettingsStore({ dir: dataDir, clock: systemClock, logger });
const store = settings.store;
const secrets = createMemorySecretStore();

const core = await openCore({
  dataDir,
  store,
  secrets,
  startupNotices: settings.notices,
  env,
  clock: systemClock,
  logger,
  // Real audio through the page's WebRTC engine, unless the SIP peers carry none
  // (SIPp without a media relay: tests, the demo without rtpengine).
  ...(env.CALMLINE_MEDIA === 'signalling' ? { createMediaFactory: () => createSignallingMediaFactory() } : {}),
});
const root = resolve(import.meta.dirname, '../..');
const host = await startWebHost({
  core,
  rendererDir: resolve(root, 'out/renderer'),
  bridgeScript: resolve(root, 'out/webhost/bridge.js'),
  logger,
  port: Number(values.port ?? env.CALMLINE_WEB_PORT ?? 0),
});
await core.start();
process.stdout.write(`Calmline web host is running. Open this URL in Chromium:\n  ${host.url}\n`);

const shutdown = async () => {
  await core.stop();
  await host.close();
  process.exit(0);
};
process.once('SIGINT', () => void shutdown());
process.once('SIGTERM', () => void shutdown());
