/**
 * A call as the history keeps it, with the agent's note. The schemas validate every
 * record read from disk (and every record a command hands in), so a hand-edited or
 * damaged partition cannot put malformed data in front of the agent.
 */
import { z } from 'zod';

/** Longest note kept, in UTF-16 code units (a long call's notes are a few thousand). */
export const MAX_NOTE_LENGTH = 20_000;

/** Who started the call. */
export const callDirections = ['inbound', 'outbound'] as const;

const callIdSchema = z.string().min(1).max(128);

/**
 * Why a call ended. The last four are the network's doing, each with its own cause
 * (docs/sipjs-pitfalls.md#s28): the media could not be negotiated, the connection to
 * the PBX was lost, the session timer ran out with no refresh (RFC 4028), or the
 * other side sent an answer that could not be read.
 */
export const callEndReasons = [
  'local-hangup',
  'remote-hangup',
  'declined',
  'caller-cancelled',
  'transferred',
  'rejected',
  'failed',
  'media-failed',
  'connection-lost',
  'session-expired',
  'protocol-error',
] as const;

/** The agent's note on a call; replaced as a whole on each save. */
export const callNoteSchema = z.object({
  text: z.string().max(MAX_NOTE_LENGTH),
  /** Epoch ms of the save that wrote this text. */
  updatedAt: z.number().int().nonnegative(),
  /** The agent who typed it. */
  author: z.string().max(128),
});

/** A stored note. */
export type CallNote = z.infer<typeof callNoteSchema>;

/** What is known about a call when it is recorded (at start, and again at its end). */
export const callRecordInputSchema = z.object({
  callId: callIdSchema,
  /** The caller's number as the phone layer normalised it (E.164 where possible). */
  number: z.string().max(64),
  /** The sanitised display name. */
  name: z.string().max(256),
  direction: z.enum(callDirections),
  /** Epoch ms; decides the partition the call is filed in. */
  startedAt: z.number().int().nonnegative(),
  endedAt: z.number().int().nonnegative().optional(),
  /** Why it ended (with `endedAt`); records written before this field have none. */
  endReason: z.enum(callEndReasons).optional(),
  /** What the network said about the end: a status code, a Reason header, a timer. */
  endDetail: z.string().max(200).optional(),
  /** The agent who took the call. */
  agent: z.string().max(128),
  /** How the call went, once it ended: answered, or missed / declined / not answered by the far end. */
  outcome: z.enum(['answered', 'missed', 'declined', 'unanswered']).optional(),
});

/** Input of `CallHistory.recordCall`. */
export type CallRecordInput = z.infer<typeof callRecordInputSchema>;

/** A stored call. */
export const callRecordSchema = callRecordInputSchema.extend({ note: callNoteSchema.optional() });

/** A stored call with its note. */
export type CallRecord = z.infer<typeof callRecordSchema>;

// C0 controls except tab and newline, DEL, and the NUL that a broken clipboard brings.
// eslint-disable-next-line no-control-regex -- removing control characters is the point
const NOTE_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/** A note as stored: NFC, CRLF folded, control characters removed. */
export function cleanNoteText(text: string): string {
  return text.normalize('NFC').replace(/\r\n?/g, '\n').replace(NOTE_CONTROLS, '');
}
