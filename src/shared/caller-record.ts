/**
 * A caller's entry in the directory: flags that warn the next agent (rules D3, D5
 * of docs/practice.md), the preferred form of address (P6), follow-ups promised in the HEAT
 * "take action" step (H4) and threat incidents for the report. Shared by the
 * storage (which validates every file with these schemas) and the IPC contract.
 */
import { z } from 'zod';

/** Why a caller is flagged. Threat kinds come with an incident record. */
export const flagKinds = [
  'abusive-language',
  'insults',
  'legal-threat',
  'physical-threat',
  'repeat-unresolved',
  'other',
] as const;

/** One of `flagKinds`. */
export type FlagKind = (typeof flagKinds)[number];

/** The threats D5 asks to report. */
export const threatKinds = ['legal-threat', 'physical-threat'] as const;

/** One of `threatKinds`. */
export type ThreatKind = (typeof threatKinds)[number];

/** The H4 commitment: a due date (simple complaint) or a promised status update (complex one). */
export const followUpKinds = ['due-date', 'status-update'] as const;

/** One of `followUpKinds`. */
export type FollowUpKind = (typeof followUpKinds)[number];

/** Longest free text of a flag reason, follow-up or address. */
export const MAX_REASON_LENGTH = 2_000;
/** Longest "what was said" of an incident. */
export const MAX_STATEMENT_LENGTH = 5_000;

const id = z.string().min(1).max(64);
const agentName = z.string().max(128);
const time = z.number().int().nonnegative();
const callId = z.string().min(1).max(128);

/** A warning for whoever takes the caller's next call; kept until cleared, then kept as cleared. */
export const callerFlagSchema = z.object({
  id,
  kind: z.enum(flagKinds),
  reason: z.string().max(MAX_REASON_LENGTH),
  /** The agent who raised it. */
  author: agentName,
  createdAt: time,
  /** The call during which it was raised, when known. */
  callId: callId.optional(),
  clearedAt: time.optional(),
  clearedBy: agentName.optional(),
});

/** A stored flag. */
export type CallerFlag = z.infer<typeof callerFlagSchema>;

/** A promise made to the caller. */
export const followUpSchema = z.object({
  id,
  callId,
  kind: z.enum(followUpKinds),
  /** Epoch ms: the promised date, or when the status update is due. */
  due: time,
  text: z.string().max(MAX_REASON_LENGTH),
  done: z.boolean(),
  author: agentName,
  createdAt: time,
  doneAt: time.optional(),
});

/** A stored follow-up. */
export type FollowUp = z.infer<typeof followUpSchema>;

/** A legal or physical threat, as D5 asks to report it: what was said, when, by whom, in which call. */
export const threatIncidentSchema = z.object({
  id,
  callId,
  kind: z.enum(threatKinds),
  whatWasSaid: z.string().min(1).max(MAX_STATEMENT_LENGTH),
  /** When it was said (epoch ms). */
  occurredAt: time,
  /** Who said it ("the caller", or a name). */
  saidBy: z.string().min(1).max(256),
  /** The agent who recorded it. */
  recordedBy: agentName,
  recordedAt: time,
  /** The threat flag raised with it. */
  flagId: id.optional(),
});

/** A stored incident. */
export type ThreatIncident = z.infer<typeof threatIncidentSchema>;

/** How the caller wishes to be addressed (P6), e.g. "Frau Dr. Schmidt". */
export const preferredAddressSchema = z.object({
  text: z.string().min(1).max(128),
  author: agentName,
  updatedAt: time,
});

/** Everything the directory holds about one caller. */
export const callerRecordSchema = z.object({
  /** The caller key (see caller-key.ts). */
  number: z.string().min(1).max(64),
  preferredAddress: preferredAddressSchema.optional(),
  /** All flags, cleared ones included (with `clearedAt`), oldest first. */
  flags: z.array(callerFlagSchema),
  followUps: z.array(followUpSchema),
  incidents: z.array(threatIncidentSchema),
});

/** A caller's entry. */
export type CallerRecord = z.infer<typeof callerRecordSchema>;
