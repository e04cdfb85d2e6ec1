/** Finding the host's API in the window, without trusting that it is there. */
import { API_GLOBAL, type CalmlineApi } from '../../shared/api';

const requiredFunctions = [
  'getPhoneState',
  'answer',
  'decline',
  'hangUp',
  'dial',
  'recordConsent',
  'hold',
  'resume',
  'transfer',
  'completeTransfer',
  'cancelTransfer',
  'escalate',
  'sendDtmf',
  'setMute',
  'getCallPolicy',
  'getAccount',
  'saveAccount',
  'onPhoneState',
  'editNote',
  'getNote',
  'callsForCaller',
  'lookupCaller',
  'addCallerFlag',
  'clearCallerFlag',
  'setPreferredAddress',
  'recordIncident',
  'exportCallerRecord',
  'getStorageNotices',
  'getWorkspaceState',
  'listChecklists',
  'setChecklistStep',
  'recordCommitment',
  'completeWrapUp',
  'startBreak',
  'endBreak',
  'declineBreakOffer',
  'snoozeReminder',
  'onNotesStatus',
  'onStorageNotice',
  'onWorkspaceState',
  'onMediaRequest',
  'onCallerPrefetched',
  'answerMediaRequest',
  'attachMediaEngine',
  'reportMedia',
  'reconnectAudio',
  'getAudioDevices',
  'saveAudioDevices',
  'onAudioDevices',
  'getLanguage',
  'saveLanguage',
  'onLanguage',
] as const satisfies readonly (keyof CalmlineApi)[];

/**
 * Returns the API the host installed as `window.calmline`, or null when it is
 * missing or incomplete (a preload that failed to load, a page opened outside the
 * host), so the UI can say so instead of crashing on the first call.
 */
export function readHostApi(host: Pick<Window, typeof API_GLOBAL>): CalmlineApi | null {
  const api: unknown = host[API_GLOBAL];
  if (typeof api !== 'object' || api === null) return null;
  const complete = requiredFunctions.every(
    (name) => typeof (api as Record<string, unknown>)[name] === 'function',
  );
  return complete ? (api as CalmlineApi) : null;
}
