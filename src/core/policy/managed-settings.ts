/**
 * The settings that only IT sets (through policy, or by hand in settings.json): how
 * updates and diagnostics behave. Read from the policy-merged store, validated, with
 * safe defaults when anything is unreadable.
 */
import {
  DEFAULT_DIAGNOSTICS_SETTINGS,
  DEFAULT_UPDATE_SETTINGS,
  diagnosticsSettingsSchema,
  updateSettingsSchema,
  type DiagnosticsSettings,
  type UpdateSettings,
} from '../../shared/policy';
import type { CoreLogger } from '../logger';
import { StoredSetting, type KeyValueStore } from '../settings';
import type { EffectivePolicy } from './policy';
import { PolicyStore } from './policy-store';
import { SETTING_BASES } from './setting-bases';

/** The update and diagnostics settings in force on this machine. */
export function managedSettings(
  store: KeyValueStore,
  policy: EffectivePolicy,
  logger: CoreLogger,
): { updates: UpdateSettings; diagnostics: DiagnosticsSettings } {
  const merged = new PolicyStore(store, policy, SETTING_BASES);
  return {
    updates: new StoredSetting(merged, 'updates', updateSettingsSchema, DEFAULT_UPDATE_SETTINGS, logger).get(),
    diagnostics: new StoredSetting(
      merged,
      'diagnostics',
      diagnosticsSettingsSchema,
      DEFAULT_DIAGNOSTICS_SETTINGS,
      logger,
    ).get(),
  };
}
