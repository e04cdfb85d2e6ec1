/**
 * The value each policy-filled setting starts from when policy sets only some of
 * its fields, so a half-filled object still passes its schema.
 */
import { DEFAULT_DIAGNOSTICS_SETTINGS, DEFAULT_UPDATE_SETTINGS } from '../../shared/policy';
import { DEFAULT_MEDIA_POLICY } from '../../shared/media-protocol';
import { DEFAULT_CALL_POLICY } from '../phone/phone';
import type { SettingBases } from './policy-store';

/** Built-in defaults by setting name. */
export const SETTING_BASES: SettingBases = {
  account: { wsUrl: '', sipUri: '', displayName: '' },
  callPolicy: { ...DEFAULT_CALL_POLICY },
  mediaPolicy: { ...DEFAULT_MEDIA_POLICY },
  language: { language: 'auto' },
  updates: { ...DEFAULT_UPDATE_SETTINGS },
  diagnostics: { ...DEFAULT_DIAGNOSTICS_SETTINGS },
  callerDirectory: { url: '' },
  // The workspace schema fills every missing field itself.
  workspacePolicy: {},
};
