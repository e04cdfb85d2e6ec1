/**
 * The caller directory service's wire format, version 1 (`/v1/...`): the request bodies
 * the service validates and the answers the app validates, in the same zod style as the
 * app's own contract. Shared by server/ (the service) and src/core (its client), so the
 * two cannot drift. The records reuse the caller-record schemas the local directory
 * stores (rules D3, D5, P6 and H4 of docs/practice.md).
 */
import { z } from 'zod';
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

/** The API version in every path. */
export const DIRECTORY_API_VERSION = 'v1';

/** An E.164 number: `+`, a non-zero country digit, at most 15 digits in all. */
export const e164Schema = z.string().regex(/^\+[1-9][0-9]{1,14}$/, 'must be an E.164 number such as +4930123456');

/** True for an E.164 number the directory files callers under. */
export function isE164(value: string): boolean {
  return e164Schema.safeParse(value).success;
}

// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Text the directory stores: well-formed Unicode (no lone surrogates, which would be
 * silently replaced on the way to UTF-8) and no control characters other than tab and
 * line breaks (PostgreSQL refuses NUL; the rest is never meant).
 */
function text(max: number, min = 0) {
  return z
    .string()
    .min(min)
    .max(max)
    .refine((value) => !LONE_SURROGATE.test(value), 'must be well-formed Unicode (no lone surrogates)')
    .refine((value) => !CONTROL.test(value), 'must not contain control characters');
}

const callId = text(128, 1);
const time = z.number().int().nonnegative().max(8_640_000_000_000_000);

/** POST /v1/callers/:number/flags */
export const addFlagBodySchema = z.strictObject({
  /** The client's own id for the flag (so a queued write and its answer agree); default: a new one. */
  id: z.uuid().optional(),
  kind: z.enum(flagKinds),
  reason: text(MAX_REASON_LENGTH),
  callId: callId.optional(),
});
export type AddFlagBody = z.infer<typeof addFlagBodySchema>;

/** POST /v1/callers/:number/flags/:flagId/clear */
export const clearFlagBodySchema = z.strictObject({});

/** PUT /v1/callers/:number/preferred-address: `null` or an empty text removes it. */
export const preferredAddressBodySchema = z.strictObject({ text: text(128).nullable() });
export type PreferredAddressBody = z.infer<typeof preferredAddressBodySchema>;

/** POST /v1/callers/:number/follow-ups */
export const addFollowUpBodySchema = z.strictObject({
  id: z.uuid().optional(),
  callId,
  kind: z.enum(followUpKinds),
  due: time,
  text: text(MAX_REASON_LENGTH),
});
export type AddFollowUpBody = z.infer<typeof addFollowUpBodySchema>;

/** POST /v1/callers/:number/follow-ups/:followUpId/complete */
export const completeFollowUpBodySchema = z.strictObject({});

/** POST /v1/callers/:number/incidents: a D5 threat; raises the matching flag unless one is active. */
export const recordIncidentBodySchema = z.strictObject({
  id: z.uuid().optional(),
  /** The id of the flag raised with it, when one is raised. */
  flagId: z.uuid().optional(),
  callId,
  kind: z.enum(threatKinds),
  whatWasSaid: text(MAX_STATEMENT_LENGTH, 1),
  occurredAt: time,
  saidBy: text(256, 1).optional(),
});
export type RecordIncidentBody = z.infer<typeof recordIncidentBodySchema>;

/** How a call ended (the wrap-up outcome). */
export const callOutcomes = ['resolved', 'follow-up', 'escalated'] as const;

/** POST /v1/callers/:number/calls: a call's outcome and commitment after wrap-up. */
export const recordCallBodySchema = z.strictObject({
  callId,
  outcome: z.enum(callOutcomes),
  commitment: text(MAX_REASON_LENGTH).optional(),
  /** Free text: stored only where the centre's policy shares note text (default: dropped). */
  note: text(MAX_REASON_LENGTH).optional(),
  endedAt: time,
});
export type RecordCallBody = z.infer<typeof recordCallBodySchema>;

/** One of the caller's last calls, as the next agent sees it. */
export const callSummarySchema = z.object({
  callId,
  agent: z.string().max(128),
  endedAt: time,
  outcome: z.enum(callOutcomes),
  commitment: z.string().max(MAX_REASON_LENGTH).optional(),
  /** Only where the centre's policy shares note text. */
  note: z.string().max(MAX_REASON_LENGTH).optional(),
});
export type CallSummary = z.infer<typeof callSummarySchema>;

/** GET /v1/callers/:number: the record (same shape as the local directory's) and the last calls. */
export const callerViewSchema = callerRecordSchema.extend({ calls: z.array(callSummarySchema) });
export type CallerView = z.infer<typeof callerViewSchema>;

/** One row of the append-only audit trail. */
export const auditEntrySchema = z.object({
  id: z.number().int().positive(),
  at: time,
  agent: z.string(),
  action: z.string(),
  number: z.string().nullable(),
  subjectId: z.string().nullable(),
  detail: z.unknown(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** GET /v1/callers/:number/export (supervisors): everything, audit trail included. */
export const callerExportSchema = z.object({
  exportedAt: time,
  exportedBy: z.string(),
  caller: callerViewSchema,
  audit: z.array(auditEntrySchema),
});
export type CallerExportV1 = z.infer<typeof callerExportSchema>;

/** Answers of the write endpoints. */
export const flagAnswerSchema = z.object({ flag: callerFlagSchema });
export const followUpAnswerSchema = z.object({ followUp: followUpSchema });
export const incidentAnswerSchema = z.object({ incident: threatIncidentSchema, flag: callerFlagSchema });
export const callerAnswerSchema = z.object({ caller: callerViewSchema });

/** A live update on GET /v1/events (server-sent events, `event: caller-changed`). */
export const callerChangedEventSchema = z.object({
  /** The audit row's id (also the SSE `id:`, for `Last-Event-ID`). */
  id: z.number().int().positive(),
  number: e164Schema,
  action: z.string(),
  agent: z.string(),
  at: time,
});
export type CallerChangedEvent = z.infer<typeof callerChangedEventSchema>;

/** Every refusal: a stable code, a message for people, and the bad paths of a refused body. */
export const directoryErrorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
export type DirectoryError = z.infer<typeof directoryErrorSchema>;

/** The header every write carries so that a retried write takes effect once. */
export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** A key: 8 to 128 characters of letters, digits and `-_.:`. */
export const idempotencyKeySchema = z.string().regex(/^[A-Za-z0-9_.:-]{8,128}$/);
