/**
 * Generated from the command and event tables of src/shared/contract.ts by
 * scripts/generate-api-routes.ts (`npm run generate`): do not edit. Each channel with
 * its renderer method and argument mapping, and no schema, so the preload and the web
 * bridge build the API without loading zod. The `satisfies` clauses make the compiler
 * refuse a file that disagrees with the contract.
 */
import type { CommandChannel, commands, EventChannel, events } from './contract';

/** Each command channel: its renderer method and how the arguments map onto the request. */
export const commandRoutes = {
  'phone:get-state': { method: 'getPhoneState' },
  'call:answer': { method: 'answer', args: ['callId'] },
  'call:decline': { method: 'decline', args: ['callId', 'response'] },
  'call:hang-up': { method: 'hangUp', args: ['callId'] },
  'call:dial': { method: 'dial', args: ['target'] },
  'call:record-consent': { method: 'recordConsent', args: 'request' },
  'call:hold': { method: 'hold', args: ['callId', 'consentId'] },
  'call:resume': { method: 'resume', args: ['callId'] },
  'call:transfer': { method: 'transfer', args: 'request' },
  'call:complete-transfer': { method: 'completeTransfer', args: ['callId'] },
  'call:cancel-transfer': { method: 'cancelTransfer', args: ['callId'] },
  'call:escalate': { method: 'escalate', args: ['callId', 'consentId'] },
  'call:send-dtmf': { method: 'sendDtmf', args: ['callId', 'tones'] },
  'call:set-mute': { method: 'setMute', args: ['callId', 'muted'] },
  'call:reconnect-audio': { method: 'reconnectAudio', args: ['callId'] },
  'media:attach': { method: 'attachMediaEngine' },
  'media:response': { method: 'answerMediaRequest', args: 'request' },
  'media:report': { method: 'reportMedia', args: 'request' },
  'settings:get-audio-devices': { method: 'getAudioDevices' },
  'settings:save-audio-devices': { method: 'saveAudioDevices', args: 'request' },
  'settings:get-language': { method: 'getLanguage' },
  'settings:save-language': { method: 'saveLanguage', args: 'request' },
  'settings:get-account': { method: 'getAccount' },
  'settings:save-account': { method: 'saveAccount', args: 'request' },
  'notes:edit': { method: 'editNote', args: ['callId', 'text'] },
  'notes:get': { method: 'getNote', args: ['callId'] },
  'history:search': { method: 'searchHistory', args: 'request' },
  'history:calls-for-caller': { method: 'callsForCaller', args: ['number', 'limit'] },
  'callers:lookup': { method: 'lookupCaller', args: ['number'] },
  'callers:add-flag': { method: 'addCallerFlag', args: 'request' },
  'callers:clear-flag': { method: 'clearCallerFlag', args: ['number', 'flagId'] },
  'callers:set-preferred-address': { method: 'setPreferredAddress', args: ['number', 'text'] },
  'callers:add-follow-up': { method: 'addFollowUp', args: 'request' },
  'callers:complete-follow-up': { method: 'completeFollowUp', args: ['number', 'followUpId'] },
  'callers:record-incident': { method: 'recordIncident', args: 'request' },
  'callers:export-record': { method: 'exportCallerRecord', args: ['number'] },
  'storage:get-notices': { method: 'getStorageNotices' },
  'settings:get-retention': { method: 'getRetention' },
  'settings:save-retention': { method: 'saveRetention', args: 'request' },
  'workspace:get-state': { method: 'getWorkspaceState' },
  'checklists:list': { method: 'listChecklists' },
  'checklist:set-step': { method: 'setChecklistStep', args: ['callId', 'stepId', 'checked'] },
  'checklist:record-commitment': { method: 'recordCommitment', args: ['callId', 'commitment'] },
  'wrap-up:complete': { method: 'completeWrapUp', args: 'request' },
  'break:start': { method: 'startBreak', args: ['kind'] },
  'break:end': { method: 'endBreak' },
  'break:decline-offer': { method: 'declineBreakOffer' },
  'reminder:snooze': { method: 'snoozeReminder', args: ['kind'] },
  'settings:get-call-policy': { method: 'getCallPolicy' },
  'settings:save-call-policy': { method: 'saveCallPolicy', args: 'request' },
  'settings:get-desk': { method: 'getDeskSettings' },
  'settings:save-desk': { method: 'saveDeskSettings', args: 'request' },
  'desk:get-status': { method: 'getDeskStatus' },
  'desk:take-dial-link': { method: 'takeDialLink' },
  'storage:get-protection': { method: 'getDataProtection' },
  'policy:get-locks': { method: 'getPolicyLocks' },
  'diagnostics:get': { method: 'getDiagnostics' },
  'diagnostics:save': { method: 'saveDiagnostics' },
  'directory:get-status': { method: 'getDirectoryStatus' },
} as const satisfies {
  [C in CommandChannel]: Pick<(typeof commands)[C], 'method'> & {
    args?: (typeof commands)[C] extends { readonly args: infer A } ? A : never;
  };
};

/** Each event channel: its renderer subscribe method. */
export const eventRoutes = {
  'phone:state': 'onPhoneState',
  'notes:status': 'onNotesStatus',
  'storage:notice': 'onStorageNotice',
  'workspace:state': 'onWorkspaceState',
  'media:request': 'onMediaRequest',
  'settings:audio-devices': 'onAudioDevices',
  'settings:language': 'onLanguage',
  'callers:prefetched': 'onCallerPrefetched',
  'settings:desk': 'onDeskSettings',
  'desk:status': 'onDeskStatus',
  'desk:dial-link': 'onDialLink',
  'directory:status': 'onDirectoryStatus',
} as const satisfies { [E in EventChannel]: (typeof events)[E]['method'] };
