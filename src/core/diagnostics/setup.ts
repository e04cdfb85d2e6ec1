/**
 * Opens the log file and builds the diagnostics bundle, with the levels and sizes
 * policy sets (`diagnostics.*`). Both hosts call it; only the runtime line differs.
 */
import { join } from 'node:path';
import { systemClock } from '../clock';
import type { CoreLogger } from '../logger';
import type { EffectivePolicy } from '../policy/policy';
import { managedSettings } from '../policy/managed-settings';
import type { KeyValueStore } from '../settings';
import type { UpdateState } from '../updates/update-scheduler';
import { Diagnostics } from './diagnostics';
import { openFileLog, type FileLog } from './file-log';
import { Redactor } from './redactor';

/** What the main process gets back. */
export interface DiagnosticsSetup {
  redactor: Redactor;
  log: FileLog;
  bundle: Diagnostics;
  settings: ReturnType<typeof managedSettings>;
}

/** Opens `<dataDir>/logs` and switches `logger` to it (stderr keeps a copy). */
export async function setUpDiagnostics(options: {
  dataDir: string;
  store: KeyValueStore;
  policy: EffectivePolicy;
  logger: CoreLogger & { use(next: CoreLogger): void };
  mirror: CoreLogger;
  appVersion: string;
  /** E.g. `Electron 45.4.1 (Chromium …)` or `web host (Node 22)`. */
  runtime: string;
  updates?: () => UpdateState | undefined;
}): Promise<DiagnosticsSetup> {
  const redactor = new Redactor();
  redactor.protect(process.env.CALMLINE_SIP_PASSWORD);
  const settings = managedSettings(options.store, options.policy, options.logger);
  const log = await openFileLog({
    dir: join(options.dataDir, 'logs'),
    settings: settings.diagnostics,
    redactor,
    mirror: options.mirror,
  });
  options.logger.use(log);
  const bundle = new Diagnostics({
    appVersion: options.appVersion,
    runtime: options.runtime,
    redactor,
    policy: options.policy,
    clock: systemClock,
    log,
    ...(options.updates ? { updates: options.updates } : {}),
    outputDir: join(options.dataDir, 'diagnostics'),
  });
  return { redactor, log, bundle, settings };
}
