/**
 * The one IPC contract between the main process (the authority) and the renderer.
 *
 * Every renderer→main command and main→renderer event is listed here with a runtime
 * schema; the static types are derived from the schemas so the two can never drift.
 * The main process parses every incoming payload with these schemas (see
 * `src/core/command-router.ts`); the preload and the web bridge only forward.
 * The renderer's functions are derived from the same tables (`src/shared/api.ts`), so
 * adding a command is one entry in `commands` plus one handler in the core.
 */
import { z } from 'zod';
import { callEndReasons, callRecordSchema, MAX_NOTE_LENGTH } from './call-record';
import { storageErrorCodes } from './result';
import { checklistDefinitionSchema, checklistRunSchema, commitmentInputSchema } from './workspace/checklists';
import { workspaceViewSchema } from './workspace/workspace-view';
import {
  callerFlagSchema,
  callerRecordSchema,
  flagKinds,
  followUpKinds,
  followUpSchema,
  MAX_REASON_LENGTH,
  MAX_STATEMENT_LENGTH,
  threatIncidentSchema,
  threatKinds,
} from './caller-record';
import { mediaEventSchema, mediaRequestSchema, mediaResponseSchema } from './media-protocol';
import { deskSettingsSchema, deskStatusSchema, dialLinkSchema } from './desk';

/** Longest caller name the core hands to the renderer, in user-perceived characters. */
export const MAX_DISPLAY_NAME_LENGTH = 64;

const callId = z.string().min(1).max(128);

/** Where the SIP user agent stands with the registrar. */
export const registrationSchema = z.discriminatedUnion('status', [
  /** No SIP account is configured yet. */
  z.object({ status: z.literal('unconfigured') }),
  z.object({ status: z.literal('connecting') }),
  z.object({ status: z.literal('registered'), aor: z.string() }),
  z.object({ status: z.literal('failed'), reason: z.string() }),
  z.object({ status: z.literal('stopped') }),
]);
export type Registration = z.infer<typeof registrationSchema>;

export const callStates = ['ringing', 'dialing', 'active', 'held', 'transferring', 'ended'] as const;
/** The states a call moves through; see `src/core/phone/call-state.ts`. */
export type CallState = (typeof callStates)[number];

export { callEndReasons };
export type CallEndReason = (typeof callEndReasons)[number];

/** Actions that need the caller's recorded permission first (rule P4 of docs/practice.md). */
export const consentActions = ['hold', 'transfer', 'escalate'] as const;
export type ConsentAction = (typeof consentActions)[number];

/** One recorded answer of the caller: kept in the call's record whatever it was. */
export const consentEntrySchema = z.object({
  id: z.string(),
  action: z.enum(consentActions),
  answer: z.enum(['agreed', 'declined']),
  recordedAt: z.number(),
  expiresAt: z.number(),
  /** When a command used this consent; a consent is single-use. */
  usedAt: z.number().nullable(),
});
export type ConsentEntry = z.infer<typeof consentEntrySchema>;

/** A transfer in progress or finished, as the NOTIFY sipfrags report it. */
export const transferViewSchema = z.object({
  kind: z.enum(['blind', 'attended']),
  /** True when this transfer is the escalation to the configured supervisor. */
  escalation: z.boolean(),
  target: z.string(),
  status: z.enum(['consulting', 'trying', 'ringing', 'succeeded', 'failed']),
  /** SIP status of the last sipfrag (or of the REFER's rejection). */
  statusCode: z.number().nullable(),
  /** The consult call of an attended transfer. */
  consultCallId: z.string().nullable(),
});
export type TransferView = z.infer<typeof transferViewSchema>;

export const callEventKinds = [
  'offered',
  'answered',
  'held',
  'resumed',
  'remote-held',
  'remote-resumed',
  'transfer-started',
  'transfer-failed',
  'transferred',
  'ended',
] as const;

/**
 * The agent's command under way on a call, one at a time: answering, declining,
 * hanging up, a hold or resume re-INVITE, a transfer (its hold and REFER), or an
 * audio reconnection (re-INVITE with ICE restart).
 */
export const callPendingKinds = [
  'answer',
  'decline',
  'hang-up',
  'hold',
  'resume',
  'transfer',
  'reconnect-audio',
] as const;
export type CallPending = (typeof callPendingKinds)[number];

/**
 * What the agent may do to a call right now, one flag per command (`mute` is
 * `setMute`, `dtmf` is `sendDtmf`). The core computes it from the call's state, its
 * command in flight, its transfer and the other calls (src/core/phone/allowed-actions.ts)
 * and refuses exactly what is false here, so the renderer offers only what works.
 */
export const allowedActionsSchema = z.object({
  answer: z.boolean(),
  decline: z.boolean(),
  hangUp: z.boolean(),
  hold: z.boolean(),
  resume: z.boolean(),
  transfer: z.boolean(),
  /** Transfer to the configured supervisor: false while the policy names none. */
  escalate: z.boolean(),
  /** Attended transfer: true once the consulted colleague has answered. */
  completeTransfer: z.boolean(),
  cancelTransfer: z.boolean(),
  mute: z.boolean(),
  dtmf: z.boolean(),
  reconnectAudio: z.boolean(),
});
export type AllowedActions = z.infer<typeof allowedActionsSchema>;

/** Nothing allowed: a call before the core has looked at it, and every ended call. */
export const NOTHING_ALLOWED: Readonly<AllowedActions> = Object.freeze({
  answer: false,
  decline: false,
  hangUp: false,
  hold: false,
  resume: false,
  transfer: false,
  escalate: false,
  completeTransfer: false,
  cancelTransfer: false,
  mute: false,
  dtmf: false,
  reconnectAudio: false,
});

/**
 * A call as the renderer sees it: plain data, already sanitised (the name is safe
 * to show as text; it never contains markup meant to be interpreted, control or
 * bidi-override characters, and is at most MAX_DISPLAY_NAME_LENGTH long).
 */
export const callViewSchema = z.object({
  id: callId,
  direction: z.enum(['incoming', 'outgoing']),
  state: z.enum(callStates),
  /** Sanitised caller (or callee) name; empty when the peer sent none. */
  remoteName: z.string(),
  /** E.164 where it could be normalised, else the sanitised SIP user part. */
  remoteNumber: z.string(),
  offeredAt: z.number(),
  answeredAt: z.number().nullable(),
  endedAt: z.number().nullable(),
  endReason: z.enum(callEndReasons).nullable(),
  /** Who ended the call. */
  endedBy: z.enum(['agent', 'remote', 'system']).nullable(),
  /** The other side has put us on hold (their a=sendonly or inactive). */
  remoteHold: z.boolean(),
  /**
   * The caller withheld their identity (`Privacy: id` or an anonymous From, RFC 3325):
   * name and number are empty and nobody looks them up (docs/sipjs-pitfalls.md#s30).
   */
  withheld: z.boolean().optional(),
  muted: z.boolean(),
  /** For the consult leg of an attended transfer: the call being transferred. */
  consultFor: z.string().nullable(),
  transfer: transferViewSchema.nullable(),
  /**
   * What is wrong with this call's audio, if anything: the media watchdog saw no
   * packets, ICE failed, the microphone went away, or the engine failed a request.
   * Null while the audio is fine (or the call has none yet).
   */
  mediaProblem: z
    .object({
      kind: z.enum(['no-audio', 'connection-failed', 'microphone-lost', 'engine-failed']),
      message: z.string(),
      at: z.number(),
    })
    .nullable(),
  /** The agent's command under way on this call, if any. */
  pending: z.enum(callPendingKinds).nullable(),
  /** What the agent may do to the call now; the core refuses everything that is false. */
  allowed: allowedActionsSchema,
  /** Every consent answer recorded for this call (audit trail). */
  consents: z.array(consentEntrySchema),
  /** What happened when: offered, answered, held, resumed, transferred, ended… */
  timeline: z.array(z.object({ kind: z.enum(callEventKinds), at: z.number(), detail: z.string().optional() })),
});
export type CallView = z.infer<typeof callViewSchema>;

/**
 * A new call as the phone first reports it: ringing, nothing happened yet but the
 * offer. The one place that knows every field's starting value.
 */
export function newCallView(id: string, direction: CallView['direction'], offeredAt: number): CallView {
  return {
    id,
    direction,
    state: 'ringing',
    remoteName: '',
    remoteNumber: '',
    offeredAt,
    answeredAt: null,
    endedAt: null,
    endReason: null,
    endedBy: null,
    remoteHold: false,
    muted: false,
    consultFor: null,
    transfer: null,
    mediaProblem: null,
    pending: null,
    // Deny by default: the phone fills this in from allowed-actions.ts on every report.
    allowed: { ...NOTHING_ALLOWED },
    consents: [],
    timeline: [{ kind: 'offered', at: offeredAt }],
  };
}

/** Everything the first screen needs, pushed whole on every change. */
export const phoneStateSchema = z.object({
  registration: registrationSchema,
  calls: z.array(callViewSchema),
});
export type PhoneState = z.infer<typeof phoneStateSchema>;

const wsUrl = z
  .string()
  .trim()
  .max(2048)
  .refine((value) => /^wss?:\/\/[^\s/]+/i.test(value) && URL.canParse(value), {
    message: 'ws-url',
  });

const sipUri = z
  .string()
  .trim()
  .max(512)
  .regex(/^sips?:[^@\s<>"]+@[^@\s<>";]+$/i, { message: 'sip-uri' });

/** The SIP account as the renderer may see it: never the password itself. */
export const accountViewSchema = z.object({
  wsUrl: z.string(),
  sipUri: z.string(),
  displayName: z.string(),
  hasPassword: z.boolean(),
});
export type AccountView = z.infer<typeof accountViewSchema>;

/**
 * What the settings form sends. `password` absent means "keep the stored one";
 * an empty string clears it (for servers without authentication).
 */
export const accountInputSchema = z.object({
  wsUrl,
  sipUri,
  displayName: z.string().trim().max(MAX_DISPLAY_NAME_LENGTH),
  password: z.string().max(256).optional(),
});
export type AccountInput = z.infer<typeof accountInputSchema>;

const callRef = z.object({ callId });
const consentId = z.string().min(1).max(128);

/** A number (`+49 30 123456`, `2000`) or a SIP URI (`sip:2000@pbx.example.com`). */
export const dialTargetSchema = z
  .string()
  .trim()
  .min(1)
  .max(256)
  .refine((value) => /^\+?[0-9*#][0-9*#\s\-().]*$/.test(value) || /^sips?:[^@\s<>"]+@[^@\s<>"]+$/i.test(value), {
    message: 'dial-target',
  });

/** Call-handling policy IT or the agent sets. The consent gate itself is not a setting. */
export const callPolicySchema = z.object({
  /** ISO 3166 region used to read national numbers, e.g. "DE". */
  defaultRegion: z.string().regex(/^[A-Z]{2}$/),
  /** The supervisor "Escalate" transfers to; empty when none is configured. */
  escalationTarget: z.union([z.literal(''), dialTargetSchema]),
  escalationMode: z.enum(['blind', 'attended']),
  /** How long a recorded "agreed" stays usable (10 s to 10 min). */
  consentTtlSeconds: z.number().int().min(10).max(600),
  /**
   * Whether P-Asserted-Identity (RFC 3325) names the caller ahead of From. Absent
   * means true: the PBX is the phone's only peer and the trust domain. Set false when
   * the PBX passes the header on from trunks it does not vouch for
   * (docs/sipjs-pitfalls.md#s30).
   */
  trustAssertedIdentity: z.boolean().optional(),
});
export type CallPolicy = z.infer<typeof callPolicySchema>;

/** UI language: `auto` follows the OS (Electron) or browser locale. */
export const languageChoices = ['auto', 'en', 'de', 'nb', 'fa'] as const;
export const languageSettingSchema = z.object({ language: z.enum(languageChoices) });
export type LanguageSetting = z.infer<typeof languageSettingSchema>;

/**
 * The agent's audio devices (ids from `navigator.mediaDevices.enumerateDevices`,
 * '' for the system default) with their labels, so a device that comes back under
 * a new id after re-plugging is still recognised.
 */
const audioDeviceChoice = z.object({ id: z.string().max(256), label: z.string().max(256) });
export const audioDevicesSchema = z.object({
  microphone: audioDeviceChoice,
  speaker: audioDeviceChoice,
  /** Where the ringtone plays: often the desk speaker, not the headset. */
  ringer: audioDeviceChoice,
  /** Play a ringtone for incoming calls. */
  ringtone: z.boolean(),
});
export type AudioDevices = z.infer<typeof audioDevicesSchema>;

/** Where one call's note stands: the pad says "saved" only once it is on disk. */
export const noteSaveStatusSchema = z.object({
  callId,
  state: z.enum(['unsaved', 'saving', 'saved', 'error']),
  savedAt: z.number().optional(),
  error: z.object({ code: z.enum(storageErrorCodes), message: z.string() }).optional(),
  retryAt: z.number().optional(),
});
export type NoteSaveStatusView = z.infer<typeof noteSaveStatusSchema>;

/** A store file that could not be read and was kept aside (never deleted). */
export const storageNoticeSchema = z.object({
  code: z.enum(['file-kept-aside', 'file-blocked']),
  file: z.string(),
  keptAs: z.string().optional(),
  reason: z.string(),
  recovered: z.number(),
  message: z.string(),
  at: z.number(),
});
export type StorageNoticeView = z.infer<typeof storageNoticeSchema>;

/**
 * How the agent's data is protected at rest: `os-keychain` (the data key sealed by the
 * OS keychain), `key-file` (the key in a file of its own, mode 0600: the web host), or
 * `none` (clear text: no keychain). The UI shows a notice that stays while data is
 * stored (`storesData`) without encryption.
 */
export const dataProtectionSchema = z.object({
  /** False for a core without a data folder (nothing is written). */
  storesData: z.boolean(),
  encrypted: z.boolean(),
  keyStorage: z.enum(['os-keychain', 'key-file', 'none']),
});
export type DataProtectionView = z.infer<typeof dataProtectionSchema>;

const callerNumber = z.string().trim().min(1).max(64);

/** The privacy retention period for call records and notes. */
export const retentionSchema = z.object({ retentionDays: z.number().int().min(1).max(3650).nullable() });

/**
 * The shared caller directory (README "Caller directory service"): off (not configured,
 * the local directory only), online, unreachable (changes are queued and shown as made),
 * or unauthorized (the agent's token was refused; changes are queued too).
 */
export const directoryStatusSchema = z.object({
  state: z.enum(['off', 'online', 'unreachable', 'unauthorized']),
  queued: z.number().int().nonnegative(),
});
export type DirectoryStatusView = z.infer<typeof directoryStatusSchema>;

/** One search hit in the call history. */
export const callSearchHitSchema = z.object({
  callId: z.string(),
  number: z.string(),
  name: z.string(),
  direction: z.enum(['inbound', 'outbound']),
  startedAt: z.number(),
  agent: z.string(),
  snippet: z.string().optional(),
});

/** Which policy keys (src/shared/policy.ts) IT locked, and whether any managed policy applies. */
export const policyLocksSchema = z.object({
  managed: z.boolean(),
  locked: z.array(z.string().max(64)).max(200),
});
export type PolicyLocks = z.infer<typeof policyLocksSchema>;

/**
 * How a renderer method's arguments become its command's request:
 * - no `args`: the command takes no request (`z.undefined()`) and the method no argument;
 * - `'request'`: the method takes the whole request object, `transfer(request)`;
 * - the request's field names: the method takes those fields positionally, in that
 *   order, `hold(callId, consentId)`; optional fields at the end stay optional
 *   (`callsForCaller(number, limit?)`) and are left out of the request when omitted.
 */
export type ArgMapping = 'request' | readonly string[];

/** One row of the command table: everything the hosts and the renderer derive a command from. */
export interface CommandEntry {
  /** The renderer's purpose-named function for this command (`window.calmline.hold`). */
  readonly method: string;
  /** What main accepts; every payload is parsed with it before its handler runs. */
  readonly request: z.ZodType;
  /** How the method's arguments map onto `request`; see {@link ArgMapping}. */
  readonly args?: ArgMapping;
  /** What the handler answers; main parses it too, so nothing else leaks out. */
  readonly response: z.ZodType;
}

/** The fields a request object cannot do without. */
type RequiredFields<T> = { [K in keyof T]-?: Partial<Pick<T, K>> extends Pick<T, K> ? never : K }[keyof T];

/**
 * What `args` may be for an entry: nothing for a command without a request, else
 * `'request'` or a list of the request's fields that names every required one.
 */
type CheckedArgs<E> = E extends { readonly request: infer R extends z.ZodType }
  ? z.input<R> extends undefined
    ? { readonly args?: never }
    : {
        readonly args:
          | 'request'
          | (E extends { readonly args: infer A extends readonly (keyof z.input<R>)[] }
              ? [Exclude<RequiredFields<z.input<R>>, A[number]>] extends [never]
                ? A
                : `args must name every required field; missing: ${Exclude<RequiredFields<z.input<R>>, A[number]> & string}`
              : readonly (keyof z.input<R> & string)[]);
      }
  : unknown;

/**
 * Checks the command table at compile time (each `args` fits its request) and
 * returns it unchanged, with its literal types kept for the derived API.
 */
function defineCommands<const T extends { readonly [C in keyof T]: CommandEntry & CheckedArgs<T[C]> }>(table: T): T {
  return table;
}

/**
 * Renderer→main commands: channel → renderer method, request schema, argument
 * mapping and response schema. This table is the only list of commands: the
 * renderer API and its type (`src/shared/api.ts`), the host's completeness check
 * (`src/renderer/src/host-api.ts`), the router's validation and the test fake are
 * all derived from it. Adding a command is one entry here plus one handler in the
 * core (`CommandHandlers`, which the compiler keeps complete). The doc comments on
 * the entries are the renderer API's documentation.
 */
export const commands = defineCommands({
  /** Everything the first screen needs: the registration and every call. */
  'phone:get-state': { method: 'getPhoneState', request: z.undefined(), response: phoneStateSchema },
  'call:answer': { method: 'answer', request: callRef, args: ['callId'], response: z.void() },
  /**
   * Declines a ringing call: `busy` (the default) answers 486 Busy Here, so the PBX
   * or queue offers the caller to someone else; `decline` answers 603 Decline, which
   * ends the attempt on every phone it rings (docs/sipjs-pitfalls.md#s32).
   */
  'call:decline': {
    method: 'decline',
    request: z.object({ callId, response: z.enum(['busy', 'decline']).optional() }),
    args: ['callId', 'response'],
    response: z.void(),
  },
  'call:hang-up': { method: 'hangUp', request: callRef, args: ['callId'], response: z.void() },
  'call:dial': {
    method: 'dial',
    request: z.object({ target: dialTargetSchema }),
    args: ['target'],
    response: z.object({ callId }),
  },
  /** Records the caller's answer to "may I hold / transfer you?"; needed before those commands. */
  'call:record-consent': {
    method: 'recordConsent',
    request: z.object({ callId, action: z.enum(consentActions), answer: z.enum(['agreed', 'declined']) }),
    args: 'request',
    response: consentEntrySchema,
  },
  'call:hold': {
    method: 'hold',
    request: z.object({ callId, consentId }),
    args: ['callId', 'consentId'],
    response: z.void(),
  },
  'call:resume': { method: 'resume', request: callRef, args: ['callId'], response: z.void() },
  /** Blind: REFER now. Attended: hold the caller and call the target first (consult). */
  'call:transfer': {
    method: 'transfer',
    request: z.object({ callId, consentId, target: dialTargetSchema, mode: z.enum(['blind', 'attended']) }),
    args: 'request',
    response: z.void(),
  },
  /** Attended transfer: connect the caller to the consulted target (REFER with Replaces). */
  'call:complete-transfer': { method: 'completeTransfer', request: callRef, args: ['callId'], response: z.void() },
  /** Attended transfer: hang up the consult call; the caller stays on hold. */
  'call:cancel-transfer': { method: 'cancelTransfer', request: callRef, args: ['callId'], response: z.void() },
  /** Transfer to the configured supervisor, as the policy's escalation mode says. */
  'call:escalate': {
    method: 'escalate',
    request: z.object({ callId, consentId }),
    args: ['callId', 'consentId'],
    response: z.void(),
  },
  'call:send-dtmf': {
    method: 'sendDtmf',
    request: z.object({ callId, tones: z.string().regex(/^[0-9A-D*#]{1,32}$/i) }),
    args: ['callId', 'tones'],
    response: z.void(),
  },
  'call:set-mute': {
    method: 'setMute',
    request: z.object({ callId, muted: z.boolean() }),
    args: ['callId', 'muted'],
    response: z.void(),
  },
  /** Re-INVITE with an ICE restart, offered when the media watchdog reports no audio. */
  'call:reconnect-audio': { method: 'reconnectAudio', request: callRef, args: ['callId'], response: z.void() },
  /** The renderer's media engine is listening: main may send it `media:request` events from now on. */
  'media:attach': { method: 'attachMediaEngine', request: z.undefined(), response: z.void() },
  /** The renderer's media engine answers a `media:request` event. */
  'media:response': {
    method: 'answerMediaRequest',
    request: z.object({ requestId: z.string().min(1).max(64), response: mediaResponseSchema }),
    args: 'request',
    response: z.void(),
  },
  /** The renderer's media engine reports a problem (or its end) on a live call's audio. */
  'media:report': { method: 'reportMedia', request: mediaEventSchema, args: 'request', response: z.void() },
  /** The agent's microphone, speaker and ringer, and whether a ringtone plays. */
  'settings:get-audio-devices': { method: 'getAudioDevices', request: z.undefined(), response: audioDevicesSchema },
  'settings:save-audio-devices': {
    method: 'saveAudioDevices',
    request: audioDevicesSchema,
    args: 'request',
    response: audioDevicesSchema,
  },
  /** The UI language setting; `auto` follows the system locale. */
  'settings:get-language': { method: 'getLanguage', request: z.undefined(), response: languageSettingSchema },
  'settings:save-language': {
    method: 'saveLanguage',
    request: languageSettingSchema,
    args: 'request',
    response: languageSettingSchema,
  },
  'settings:get-account': { method: 'getAccount', request: z.undefined(), response: accountViewSchema },
  'settings:save-account': {
    method: 'saveAccount',
    request: accountInputSchema,
    args: 'request',
    response: accountViewSchema,
  },
  /** The note pad's whole text for a call; main autosaves it (no Save button) and reports `notes:status`. */
  'notes:edit': {
    method: 'editNote',
    request: z.object({ callId, text: z.string().max(MAX_NOTE_LENGTH) }),
    args: ['callId', 'text'],
    response: noteSaveStatusSchema,
  },
  /** The note of a call and where its save stands; null when main knows no such call. */
  'notes:get': {
    method: 'getNote',
    request: z.object({ callId }),
    args: ['callId'],
    response: z.object({ text: z.string(), status: noteSaveStatusSchema }).nullable(),
  },
  'history:search': {
    method: 'searchHistory',
    request: z.object({ text: z.string().trim().min(1).max(200), limit: z.number().int().min(1).max(500).optional() }),
    args: 'request',
    response: z.object({ hits: z.array(callSearchHitSchema), total: z.number() }),
  },
  /** The caller's earlier calls with their notes, newest first. */
  'history:calls-for-caller': {
    method: 'callsForCaller',
    request: z.object({ number: callerNumber, limit: z.number().int().min(1).max(200).optional() }),
    args: ['number', 'limit'],
    response: z.array(callRecordSchema),
  },
  /** What the directory knows of a caller; null for a first call. */
  'callers:lookup': {
    method: 'lookupCaller',
    request: z.object({ number: callerNumber }),
    args: ['number'],
    response: callerRecordSchema.nullable(),
  },
  /** The flag's author is the agent's configured name, set by main, never by the renderer. */
  'callers:add-flag': {
    method: 'addCallerFlag',
    request: z.object({
      number: callerNumber,
      kind: z.enum(flagKinds),
      reason: z.string().trim().min(1).max(MAX_REASON_LENGTH),
      callId: callId.optional(),
    }),
    args: 'request',
    response: callerFlagSchema,
  },
  'callers:clear-flag': {
    method: 'clearCallerFlag',
    request: z.object({ number: callerNumber, flagId: z.string().min(1).max(128) }),
    args: ['number', 'flagId'],
    response: callerFlagSchema,
  },
  /** Sets how the caller wishes to be addressed; an empty text removes it. */
  'callers:set-preferred-address': {
    method: 'setPreferredAddress',
    request: z.object({ number: callerNumber, text: z.string().trim().max(128) }),
    args: ['number', 'text'],
    response: callerRecordSchema.nullable(),
  },
  'callers:add-follow-up': {
    method: 'addFollowUp',
    request: z.object({
      number: callerNumber,
      callId,
      kind: z.enum(followUpKinds),
      due: z.number().int(),
      text: z.string().trim().min(1).max(MAX_REASON_LENGTH),
    }),
    args: 'request',
    response: followUpSchema,
  },
  'callers:complete-follow-up': {
    method: 'completeFollowUp',
    request: z.object({ number: callerNumber, followUpId: z.string().min(1).max(128) }),
    args: ['number', 'followUpId'],
    response: followUpSchema,
  },
  'callers:record-incident': {
    method: 'recordIncident',
    request: z.object({
      number: callerNumber,
      callId,
      kind: z.enum(threatKinds),
      whatWasSaid: z.string().trim().min(1).max(MAX_STATEMENT_LENGTH),
      occurredAt: z.number().int(),
    }),
    args: 'request',
    response: z.object({ incident: threatIncidentSchema, flag: callerFlagSchema }),
  },
  /** Writes the caller's record (Markdown and JSON) for the report; answers where. */
  'callers:export-record': {
    method: 'exportCallerRecord',
    request: z.object({ number: callerNumber }),
    args: ['number'],
    response: z.object({ markdownPath: z.string(), jsonPath: z.string() }),
  },
  /** Files that could not be read and were kept aside since start. */
  'storage:get-notices': {
    method: 'getStorageNotices',
    request: z.undefined(),
    response: z.array(storageNoticeSchema),
  },
  /** Days after which call records and notes are deleted; null keeps them all. Flags stay until cleared. */
  'settings:get-retention': { method: 'getRetention', request: z.undefined(), response: retentionSchema },
  'settings:save-retention': {
    method: 'saveRetention',
    request: retentionSchema,
    args: 'request',
    response: retentionSchema,
  },
  'workspace:get-state': { method: 'getWorkspaceState', request: z.undefined(), response: workspaceViewSchema },
  'checklists:list': {
    method: 'listChecklists',
    request: z.undefined(),
    response: z.object({ checklists: z.array(checklistDefinitionSchema), defaultId: z.string() }),
  },
  'checklist:set-step': {
    method: 'setChecklistStep',
    request: z.object({ callId, stepId: z.string().min(1).max(64), checked: z.boolean() }),
    args: ['callId', 'stepId', 'checked'],
    response: checklistRunSchema,
  },
  /** The Take-action commitment (H4); it also becomes a follow-up on the caller's record. */
  'checklist:record-commitment': {
    method: 'recordCommitment',
    request: z.object({ callId, commitment: commitmentInputSchema }),
    args: ['callId', 'commitment'],
    response: checklistRunSchema,
  },
  'wrap-up:complete': {
    method: 'completeWrapUp',
    request: z.object({
      outcome: z.enum(['resolved', 'follow-up', 'escalated']),
      note: z.string().max(2_000).optional(),
    }),
    args: 'request',
    response: z.void(),
  },
  /**
   * Makes the agent unavailable until `endBreak`: while on break, calls are answered
   * 486 (or the phone unregisters).
   */
  'break:start': {
    method: 'startBreak',
    request: z.object({ kind: z.enum(['de-escalation', 'regular']) }),
    args: ['kind'],
    response: z.void(),
  },
  'break:end': { method: 'endBreak', request: z.undefined(), response: z.void() },
  'break:decline-offer': { method: 'declineBreakOffer', request: z.undefined(), response: z.void() },
  'reminder:snooze': {
    method: 'snoozeReminder',
    request: z.object({ kind: z.enum(['regular-break', 'eye-rest']) }),
    args: ['kind'],
    response: z.void(),
  },
  'settings:get-call-policy': { method: 'getCallPolicy', request: z.undefined(), response: callPolicySchema },
  'settings:save-call-policy': {
    method: 'saveCallPolicy',
    request: callPolicySchema,
    args: 'request',
    response: callPolicySchema,
  },
  /** The desk: headset, tray, start with the session, global shortcuts (docs/desk.md). */
  'settings:get-desk': { method: 'getDeskSettings', request: z.undefined(), response: deskSettingsSchema },
  'settings:save-desk': {
    method: 'saveDeskSettings',
    request: deskSettingsSchema,
    args: 'request',
    response: deskSettingsSchema,
  },
  /** What the host could set up of the desk: whether it has a tray, which global shortcuts work. */
  'desk:get-status': { method: 'getDeskStatus', request: z.undefined(), response: deskStatusSchema },
  /**
   * The click-to-dial link that arrived before any window listened (the one a first
   * start was opened with), once: it is cleared by taking it. Null when there is none.
   */
  'desk:take-dial-link': { method: 'takeDialLink', request: z.undefined(), response: dialLinkSchema.nullable() },
  /** Whether the agent's data is encrypted at rest, and with what key. */
  'storage:get-protection': {
    method: 'getDataProtection',
    request: z.undefined(),
    response: dataProtectionSchema,
  },
  /** Which settings IT's managed policy locks ("Set by your organisation"); see src/core/policy/. */
  'policy:get-locks': { method: 'getPolicyLocks', request: z.undefined(), response: policyLocksSchema },
  /** The helpdesk bundle (version, OS, registration, recent errors, policy in force), redacted. */
  'diagnostics:get': {
    method: 'getDiagnostics',
    request: z.undefined(),
    response: z.object({ text: z.string().max(200_000) }),
  },
  /** The same bundle saved as a file IT can collect; answers its path. */
  'diagnostics:save': {
    method: 'saveDiagnostics',
    request: z.undefined(),
    response: z.object({ path: z.string().max(4096) }),
  },
  /** How the shared caller directory is doing (also pushed as `directory:status`). */
  'directory:get-status': { method: 'getDirectoryStatus', request: z.undefined(), response: directoryStatusSchema },
});

/** One row of the event table: the payload main sends and the renderer's `on…` function for it. */
export interface EventEntry {
  /** The renderer's subscribe function: it takes a listener and returns the unsubscribe function. */
  readonly method: `on${string}`;
  readonly payload: z.ZodType;
}

/**
 * Main→renderer events: channel → the renderer's subscribe method and the payload
 * schema. Each `on…` method calls its listener with every payload main sends and
 * returns the unsubscribe function. Adding an event is one entry here.
 */
export const events = {
  /** Every new phone state (registration and calls), whole. */
  'phone:state': { method: 'onPhoneState', payload: phoneStateSchema },
  /** Every change of a note's save status. */
  'notes:status': { method: 'onNotesStatus', payload: noteSaveStatusSchema },
  /** Every file kept aside because it could not be read. */
  'storage:notice': { method: 'onStorageNotice', payload: storageNoticeSchema },
  /** Every new workspace state. */
  'workspace:state': { method: 'onWorkspaceState', payload: workspaceViewSchema },
  /** Main asks the renderer's media engine to do one step of a call's audio; answered by `media:response`. */
  'media:request': {
    method: 'onMediaRequest',
    payload: z.object({ requestId: z.string().min(1).max(64), request: mediaRequestSchema }),
  },
  /** The agent's audio devices changed (saved from another window or by IT). */
  'settings:audio-devices': { method: 'onAudioDevices', payload: audioDevicesSchema },
  /** The language setting changed. */
  'settings:language': { method: 'onLanguage', payload: languageSettingSchema },
  /**
   * The directory's record of a caller whose call just started ringing, pushed so the
   * caller card can show the flags without asking (null: a first call).
   */
  'callers:prefetched': {
    method: 'onCallerPrefetched',
    payload: z.object({ callId, number: callerNumber, record: callerRecordSchema.nullable() }),
  },
  /** The desk settings changed. */
  'settings:desk': { method: 'onDeskSettings', payload: deskSettingsSchema },
  /** What the host set up of the desk changed (a shortcut registered or refused). */
  'desk:status': { method: 'onDeskStatus', payload: deskStatusSchema },
  /** A click-to-dial link arrived: the window asks the agent to confirm it, or says why it was refused. */
  'desk:dial-link': { method: 'onDialLink', payload: dialLinkSchema },
  /** The shared caller directory's state changed (reachable or not, changes queued). */
  'directory:status': { method: 'onDirectoryStatus', payload: directoryStatusSchema },
} as const satisfies Record<string, EventEntry>;

export type CommandChannel = keyof typeof commands;
export type EventChannel = keyof typeof events;
export type CommandRequest<C extends CommandChannel> = z.infer<(typeof commands)[C]['request']>;
export type CommandResponse<C extends CommandChannel> = z.infer<(typeof commands)[C]['response']>;
export type EventPayload<E extends EventChannel> = z.infer<(typeof events)[E]['payload']>;
/** The renderer's name for a command, e.g. `hold` for `call:hold`. */
export type CommandMethod = (typeof commands)[CommandChannel]['method'];
/** The renderer's name for an event's subscribe function, e.g. `onPhoneState`. */
export type EventMethod = (typeof events)[EventChannel]['method'];

/** The positional arguments for `fields` of `Req`; an optional field stays optional when all after it are. */
type PositionalArgs<Req, Fields> = Fields extends readonly [infer F extends keyof Req, ...infer Rest]
  ? [] extends PositionalArgs<Req, Rest>
    ? Partial<Pick<Req, F>> extends Pick<Req, F>
      ? [Exclude<Req[F], undefined>?, ...PositionalArgs<Req, Rest>]
      : [Req[F], ...PositionalArgs<Req, Rest>]
    : [Req[F], ...PositionalArgs<Req, Rest>]
  : [];

/** The renderer method's parameters for a command, as its entry's `args` maps them. */
export type CommandArgs<C extends CommandChannel> = (typeof commands)[C] extends { readonly args: 'request' }
  ? [request: z.input<(typeof commands)[C]['request']>]
  : (typeof commands)[C] extends { readonly args: infer Fields }
    ? PositionalArgs<z.input<(typeof commands)[C]['request']>, Fields>
    : [];

/** Every command channel, in the table's order. */
export const commandChannels = Object.keys(commands) as CommandChannel[];
/** Every event channel, in the table's order. */
export const eventChannels = Object.keys(events) as EventChannel[];

/** True when `channel` names a command of the contract (and not, say, `__proto__`). */
export function isCommandChannel(channel: unknown): channel is CommandChannel {
  return typeof channel === 'string' && Object.hasOwn(commands, channel);
}
