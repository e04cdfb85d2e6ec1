/**
 * The agent's settings: the SIP account (saving it restarts the phone), the call
 * policy, the language, the audio devices and how long history is kept.
 */
import type { AudioDevices, CallPolicy, LanguageSetting } from '../../shared/contract';
import type { CommandHandler, CommandHandlers } from '../command-router';
import type { EmitCoreEvent } from '../core-events';
import type { Phone } from '../phone/phone';
import { retentionDaysFrom, type AccountSettings, type KeyValueStore, type StoredSetting } from '../settings';
import type { RetentionSchedule } from '../storage/retention';

/** The channels these handlers answer. */
export type SettingsCommand =
  | 'settings:get-account'
  | 'settings:save-account'
  | 'settings:get-call-policy'
  | 'settings:save-call-policy'
  | 'settings:get-language'
  | 'settings:save-language'
  | 'settings:get-audio-devices'
  | 'settings:save-audio-devices'
  | 'settings:get-retention'
  | 'settings:save-retention';

/** What the settings handlers need. */
export interface SettingsHandlerDeps {
  /** Where `retentionDays` is kept. */
  store: KeyValueStore;
  account: Pick<AccountSettings, 'view' | 'save'>;
  callPolicy: Pick<StoredSetting<CallPolicy>, 'get' | 'save'>;
  language: Pick<StoredSetting<LanguageSetting>, 'get' | 'save'>;
  audioDevices: Pick<StoredSetting<AudioDevices>, 'get' | 'save'>;
  /** The retention sweep; absent in an app without agent data. */
  retention: Pick<RetentionSchedule, 'runNow'> | undefined;
  /** The running phone, if any, so a new call policy applies at once. */
  currentPhone(): Pick<Phone, 'setPolicy'> | undefined;
  /** Replaces the phone with one on the saved account (or none). */
  restartPhone(): Promise<void>;
  /** Tells every window of a saved language or audio devices. */
  emit: EmitCoreEvent<'settings:language' | 'settings:audio-devices'>;
}

/** Builds the handlers of the settings commands. */
export function createSettingsHandlers(deps: SettingsHandlerDeps): Pick<CommandHandlers, SettingsCommand> {
  const { store, account, callPolicy, language, audioDevices, emit } = deps;

  const handleGetAccount: CommandHandler<'settings:get-account'> = () => account.view();
  const handleSaveAccount: CommandHandler<'settings:save-account'> = async (input) => {
    account.save(input);
    await deps.restartPhone();
    return account.view();
  };
  const handleGetCallPolicy: CommandHandler<'settings:get-call-policy'> = () => callPolicy.get();
  const handleSaveCallPolicy: CommandHandler<'settings:save-call-policy'> = (policy) => {
    deps.currentPhone()?.setPolicy(policy);
    return callPolicy.save(policy);
  };
  const handleGetLanguage: CommandHandler<'settings:get-language'> = () => language.get();
  const handleSaveLanguage: CommandHandler<'settings:save-language'> = (setting) => {
    emit('settings:language', language.save(setting));
    return setting;
  };
  const handleGetAudioDevices: CommandHandler<'settings:get-audio-devices'> = () => audioDevices.get();
  const handleSaveAudioDevices: CommandHandler<'settings:save-audio-devices'> = (devices) => {
    emit('settings:audio-devices', audioDevices.save(devices));
    return devices;
  };
  const handleGetRetention: CommandHandler<'settings:get-retention'> = () => ({
    retentionDays: retentionDaysFrom(store) ?? null,
  });
  const handleSaveRetention: CommandHandler<'settings:save-retention'> = async ({ retentionDays }) => {
    store.set('retentionDays', retentionDays);
    // Apply a shorter period now rather than at the next scheduled sweep.
    await deps.retention?.runNow();
    return { retentionDays };
  };

  return {
    'settings:get-account': handleGetAccount,
    'settings:save-account': handleSaveAccount,
    'settings:get-call-policy': handleGetCallPolicy,
    'settings:save-call-policy': handleSaveCallPolicy,
    'settings:get-language': handleGetLanguage,
    'settings:save-language': handleSaveLanguage,
    'settings:get-audio-devices': handleGetAudioDevices,
    'settings:save-audio-devices': handleSaveAudioDevices,
    'settings:get-retention': handleGetRetention,
    'settings:save-retention': handleSaveRetention,
  };
}
