/**
 * The managed policy IT sets for a whole call centre: one table of every policy key,
 * with its zod schema, how it is written in each OS source, and which stored setting
 * it fills. The core reads and merges it (src/core/policy/), the renderer only learns
 * which keys are locked, and the ADMX/ADML, .mobileconfig and JSON templates are
 * generated from this table.
 *
 * Each key is either *recommended* (a default the agent may change) or *locked* (the
 * agent cannot change it, neither in the UI nor through a command). There is no key
 * for the consent gate: policy can shorten how long a permission stays valid, never
 * switch the prompt off (docs/practice.md#p4).
 */
import { z } from 'zod';
import { languageChoices } from './contract';
import { iceServerSchema } from './media-protocol';
import { localizedTextSchema } from './workspace/localized-text';
import { MAX_PROMPT_LENGTH, unavailableModes, type workspacePolicySchema } from './workspace/workspace-policy';

/**
 * How a key is written where no JSON type exists (the Windows registry): `string` and
 * `enum` as REG_SZ, `integer` as REG_DWORD, `boolean` as REG_DWORD 0/1, `json` as a
 * REG_SZ holding JSON (lists and translated texts).
 */
export type PolicyValueKind = 'string' | 'integer' | 'boolean' | 'enum' | 'json';

/** Where a key lands in the agent's settings (`settings.json`): a top-level setting, or one field of it. */
export interface PolicyTarget {
  setting: string;
  field?: string;
}

/** One policy key. */
export interface PolicyKeyDefinition {
  readonly kind: PolicyValueKind;
  readonly schema: z.ZodType;
  /** One sentence for IT: what the key does (README, ADML, templates). */
  readonly description: string;
  /** Example value for the generated templates. */
  readonly example: unknown;
  readonly target: PolicyTarget;
  /** For `enum`: the values. */
  readonly values?: readonly string[];
  /** For `integer`: the bounds. */
  readonly min?: number;
  readonly max?: number;
}

const httpsUrl = z
  .string()
  .trim()
  .max(2048)
  .refine((value) => URL.canParse(value) && /^https:\/\//i.test(value), 'must be an https:// URL');
const wsUrl = z
  .string()
  .trim()
  .max(2048)
  .refine((value) => URL.canParse(value) && /^wss?:\/\//i.test(value), 'must be a ws:// or wss:// URL');
/** `sip:${username}@pbx.example.com`: a SIP URI where `${username}` stands for the OS user name. */
const sipUriTemplate = z
  .string()
  .trim()
  .max(512)
  .regex(/^sips?:[^@\s<>"]+@[^@\s<>";]+$/i, 'must be a SIP URI such as sip:${username}@pbx.example.com');
const dialTarget = z
  .string()
  .trim()
  .max(256)
  .refine(
    (value) =>
      value === '' || /^\+?[0-9*#][0-9*#\s\-().]*$/.test(value) || /^sips?:[^@\s<>"]+@[^@\s<>"]+$/i.test(value),
    'must be a number or a SIP URI',
  );

function integer(min: number, max: number) {
  return z.number().int(`must be a whole number from ${min} to ${max}`).min(min).max(max);
}

function enumOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `must be one of ${values.join(', ')}` });
}

type Def = Omit<PolicyKeyDefinition, 'schema'> & { schema: z.ZodType };

function def(d: Def): PolicyKeyDefinition {
  return d;
}

function intDef(
  min: number,
  max: number,
  example: number,
  description: string,
  target: PolicyTarget,
): PolicyKeyDefinition {
  return { kind: 'integer', schema: integer(min, max), min, max, example, description, target };
}

function enumDef<const T extends readonly [string, ...string[]]>(
  values: T,
  example: T[number],
  description: string,
  target: PolicyTarget,
): PolicyKeyDefinition {
  return { kind: 'enum', schema: enumOf(values), values, example, description, target };
}

function boolDef(example: boolean, description: string, target: PolicyTarget): PolicyKeyDefinition {
  return { kind: 'boolean', schema: z.boolean({ error: 'must be true or false' }), example, description, target };
}

const ws = (field: keyof typeof workspacePolicySchema.shape): PolicyTarget => ({ setting: 'workspacePolicy', field });

/** The stored settings a policy may fill, by name. */
export const ENCRYPTION_AT_REST = ['when-available', 'required'] as const;
export const UPDATE_CHANNELS = ['stable', 'pilot'] as const;
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** Every policy key, by its name (the same name in the registry, the plist and the JSON file). */
export const policyKeys = {
  'account.wsUrl': def({
    kind: 'string',
    schema: wsUrl,
    example: 'wss://pbx.example.com:8089/ws',
    description: "The PBX's SIP-over-WebSocket address.",
    target: { setting: 'account', field: 'wsUrl' },
  }),
  'account.sipUriTemplate': def({
    kind: 'string',
    schema: sipUriTemplate,
    example: 'sip:${username}@pbx.example.com',
    description:
      "The agent's SIP address; ${username} is replaced by the OS user name, so the agent only types the password.",
    target: { setting: 'account', field: 'sipUri' },
  }),
  'account.displayNameTemplate': def({
    kind: 'string',
    schema: z.string().trim().max(64),
    example: '${username}',
    description: 'The name shown to the people the agent calls; ${username} is replaced by the OS user name.',
    target: { setting: 'account', field: 'displayName' },
  }),
  'callPolicy.defaultRegion': def({
    kind: 'string',
    schema: z.string().regex(/^[A-Z]{2}$/, 'must be a two-letter ISO country code such as DE'),
    example: 'DE',
    description: 'The country used to read national numbers (ISO 3166 code).',
    target: { setting: 'callPolicy', field: 'defaultRegion' },
  }),
  'callPolicy.escalationTarget': def({
    kind: 'string',
    schema: dialTarget,
    example: 'sip:supervisor@pbx.example.com',
    description: 'The supervisor that Escalate transfers to (a number or SIP URI).',
    target: { setting: 'callPolicy', field: 'escalationTarget' },
  }),
  'callPolicy.escalationMode': enumDef(['blind', 'attended'], 'attended', 'How Escalate transfers the caller.', {
    setting: 'callPolicy',
    field: 'escalationMode',
  }),
  'callPolicy.consentTtlSeconds': intDef(
    10,
    600,
    60,
    "The longest a caller's recorded permission (hold, transfer) stays valid; always a maximum, the agent may only shorten it.",
    { setting: 'callPolicy', field: 'consentTtlSeconds' },
  ),
  'mediaPolicy.iceServers': def({
    kind: 'json',
    schema: z.array(iceServerSchema).max(8),
    example: [{ urls: 'turn:turn.example.com:3478', username: 'calmline', credential: 'secret' }],
    description: 'STUN/TURN servers as a JSON list of {urls, username, credential}.',
    target: { setting: 'mediaPolicy', field: 'iceServers' },
  }),
  'mediaPolicy.iceGatheringTimeoutMs': intDef(0, 10_000, 1_000, 'How long ICE gathering may take, in ms.', {
    setting: 'mediaPolicy',
    field: 'iceGatheringTimeoutMs',
  }),
  'mediaPolicy.requestTimeoutMs': intDef(1_000, 60_000, 10_000, 'How long the audio engine may take per step, in ms.', {
    setting: 'mediaPolicy',
    field: 'requestTimeoutMs',
  }),
  'workspacePolicy.wrapUpLimitSeconds': intDef(
    10,
    1_800,
    60,
    'Wrap-up time after a call, in seconds.',
    ws('wrapUpLimitSeconds'),
  ),
  'workspacePolicy.wrapUpHoldsCalls': boolDef(
    true,
    'New calls wait until the wrap-up is finished.',
    ws('wrapUpHoldsCalls'),
  ),
  'workspacePolicy.longCallMinutes': intDef(
    1,
    240,
    20,
    'A call longer than this earns a break offer.',
    ws('longCallMinutes'),
  ),
  'workspacePolicy.callLengthHintMinutes': intDef(
    1,
    240,
    15,
    'When a call passes this, the agent gets a hint.',
    ws('callLengthHintMinutes'),
  ),
  'workspacePolicy.deEscalationBreakMinutes': intDef(
    1,
    30,
    5,
    'Length of a de-escalation break.',
    ws('deEscalationBreakMinutes'),
  ),
  'workspacePolicy.regularBreakEnabled': boolDef(true, 'Suggest regular breaks.', ws('regularBreakEnabled')),
  'workspacePolicy.regularBreakIntervalMinutes': intDef(
    10,
    240,
    50,
    'Minutes between regular breaks.',
    ws('regularBreakIntervalMinutes'),
  ),
  'workspacePolicy.regularBreakMinutes': intDef(1, 60, 5, 'Length of a regular break.', ws('regularBreakMinutes')),
  'workspacePolicy.eyeRestEnabled': boolDef(true, 'Remind the agent to rest the eyes.', ws('eyeRestEnabled')),
  'workspacePolicy.eyeRestIntervalMinutes': intDef(
    5,
    60,
    10,
    'Minutes between eye-rest reminders.',
    ws('eyeRestIntervalMinutes'),
  ),
  'workspacePolicy.eyeRestSeconds': intDef(10, 120, 20, 'Length of an eye rest, in seconds.', ws('eyeRestSeconds')),
  'workspacePolicy.snoozeMinutes': intDef(1, 60, 5, 'How long Snooze puts a reminder off.', ws('snoozeMinutes')),
  'workspacePolicy.unavailableMode': enumDef(
    unavailableModes,
    'busy',
    'While the agent is unavailable: answer calls busy, or unregister.',
    ws('unavailableMode'),
  ),
  'workspacePolicy.defaultChecklistId': def({
    kind: 'string',
    schema: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be a checklist id such as heat'),
    example: 'heat',
    description: 'The checklist each call starts with (built-in: heat, help, four-steps).',
    target: ws('defaultChecklistId'),
  }),
  'workspacePolicy.greeting': def({
    kind: 'json',
    schema: localizedTextSchema(MAX_PROMPT_LENGTH),
    example: { en: 'Hello, thank you for calling.', de: 'Guten Tag, danke für Ihren Anruf.' },
    description: 'The greeting shown when a call is answered, as JSON {"en": …, "de": …}.',
    target: ws('greeting'),
  }),
  'workspacePolicy.thankYou': def({
    kind: 'json',
    schema: localizedTextSchema(MAX_PROMPT_LENGTH),
    example: { en: 'Thank you for calling.' },
    description: 'The thank-you shown at the end of a call, as JSON {"en": …}.',
    target: ws('thankYou'),
  }),
  retentionDays: intDef(0, 3650, 365, 'Days after which call records and notes are deleted; 0 keeps them all.', {
    setting: 'retentionDays',
  }),
  directoryRetentionDays: intDef(
    0,
    3650,
    365,
    'Days after which a caller with no active flag and nothing newer is removed from the local directory; 0 keeps them all (default: as retentionDays).',
    { setting: 'directoryRetentionDays' },
  ),
  incidentRetentionDays: intDef(
    0,
    3650,
    1095,
    'Days after which threat incidents are deleted; 0 keeps them all (default 1095).',
    { setting: 'incidentRetentionDays' },
  ),
  exportRetentionDays: intDef(
    0,
    3650,
    30,
    'Days after which exported caller records are deleted; 0 keeps them all (default 30).',
    { setting: 'exportRetentionDays' },
  ),
  'dataProtection.requireEncryption': boolDef(
    true,
    'Refuse to start when the data cannot be encrypted at rest (no OS keychain and no key file).',
    { setting: 'dataProtection', field: 'requireEncryption' },
  ),
  encryptionAtRest: enumDef(
    ENCRYPTION_AT_REST,
    'required',
    'required: history is only kept when it can be encrypted with the OS keychain.',
    { setting: 'encryptionAtRest' },
  ),
  language: enumDef(languageChoices, 'auto', 'The UI language (auto follows the OS).', {
    setting: 'language',
    field: 'language',
  }),
  'updates.enabled': boolDef(true, 'Check for and install updates.', { setting: 'updates', field: 'enabled' }),
  'updates.channel': enumDef(UPDATE_CHANNELS, 'stable', 'Which update channel this machine follows.', {
    setting: 'updates',
    field: 'channel',
  }),
  'updates.feedUrl': def({
    kind: 'string',
    schema: httpsUrl,
    example: 'https://updates.example.com/calmline/',
    description: 'Where the update feed (latest.yml, pilot.yml) is served.',
    target: { setting: 'updates', field: 'feedUrl' },
  }),
  'updates.checkIntervalHours': intDef(1, 168, 4, 'Hours between update checks.', {
    setting: 'updates',
    field: 'checkIntervalHours',
  }),
  'diagnostics.logLevel': enumDef(LOG_LEVELS, 'info', 'The least severe level written to the log file.', {
    setting: 'diagnostics',
    field: 'logLevel',
  }),
  'diagnostics.maxLogFileMB': intDef(1, 100, 10, 'A log file is rotated when it reaches this size.', {
    setting: 'diagnostics',
    field: 'maxLogFileMB',
  }),
  'diagnostics.keepLogFiles': intDef(1, 60, 14, 'How many rotated log files are kept besides the current one.', {
    setting: 'diagnostics',
    field: 'keepLogFiles',
  }),
  'directory.url': def({
    kind: 'string',
    schema: httpsUrl,
    example: 'https://directory.example.com/calmline',
    description: "The shared caller directory's address (the directory service, see README).",
    target: { setting: 'callerDirectory', field: 'url' },
  }),
} as const satisfies Record<string, PolicyKeyDefinition>;

/** A policy key's name. */
export type PolicyKey = keyof typeof policyKeys;

/** Every policy key, in the table's order. */
export const policyKeyNames = Object.keys(policyKeys) as PolicyKey[];

/** True when `key` names a policy key (and not, say, `__proto__`). */
export function isPolicyKey(key: string): key is PolicyKey {
  return Object.hasOwn(policyKeys, key);
}

/** A key is a default the agent may change, or locked. */
export const policyLevels = ['recommended', 'locked'] as const;
export type PolicyLevel = (typeof policyLevels)[number];

/** The update settings (policy `updates.*`). */
export const updateSettingsSchema = z.object({
  enabled: z.boolean(),
  channel: z.enum(UPDATE_CHANNELS),
  feedUrl: z.string(),
  checkIntervalHours: z.number().int().min(1).max(168),
});
export type UpdateSettings = z.infer<typeof updateSettingsSchema>;
/** Updates are on, stable, checked every 4 hours; with no feed URL nothing is checked. */
export const DEFAULT_UPDATE_SETTINGS: UpdateSettings = {
  enabled: true,
  channel: 'stable',
  feedUrl: '',
  checkIntervalHours: 4,
};

/** The diagnostics settings (policy `diagnostics.*`). */
export const diagnosticsSettingsSchema = z.object({
  logLevel: z.enum(LOG_LEVELS),
  maxLogFileMB: z.number().int().min(1).max(100),
  keepLogFiles: z.number().int().min(1).max(60),
});
export type DiagnosticsSettings = z.infer<typeof diagnosticsSettingsSchema>;
export const DEFAULT_DIAGNOSTICS_SETTINGS: DiagnosticsSettings = {
  logLevel: 'info',
  maxLogFileMB: 10,
  keepLogFiles: 14,
};
