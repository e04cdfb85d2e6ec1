/**
 * The workspace as the renderer sees it: the agent's availability, the break and
 * wrap-up timers as deadlines (the renderer counts down itself; main never pushes
 * once a second), reminders, prompts and each live call's checklist run.
 */
import { z } from 'zod';
import { checklistRunSchema } from './checklists';
import { localizedTextSchema } from './localized-text';

export const workspaceViewSchema = z.object({
  status: z.enum(['available', 'in-call', 'wrap-up', 'on-break', 'ringing', 'on-hold']),
  /** False while on break or in wrap-up: new calls are not offered (486 or unregistered). */
  acceptingCalls: z.boolean(),
  breakOffer: z
    .object({ reason: z.enum(['flagged-call', 'long-call']), callId: z.string(), minutes: z.number() })
    .nullable(),
  activeBreak: z
    .object({
      kind: z.enum(['de-escalation', 'regular']),
      startedAt: z.number(),
      endsAt: z.number(),
      overrun: z.boolean(),
    })
    .nullable(),
  wrapUp: z
    .object({
      callId: z.string(),
      deadline: z.number(),
      outcome: z.enum(['resolved', 'follow-up', 'escalated']).nullable(),
      note: z.string(),
    })
    .nullable(),
  callLengthHint: z.object({ callId: z.string(), minutes: z.number() }).nullable(),
  prompt: z.object({ kind: z.string(), callId: z.string(), text: localizedTextSchema(500) }).nullable(),
  reminders: z.array(
    z.object({
      kind: z.enum(['regular-break', 'eye-rest']),
      status: z.string(),
      dueAt: z.number().nullable(),
      lengthSeconds: z.number(),
      endsAt: z.number().nullable(),
    }),
  ),
  /** The checklist run of each live call, by call id. */
  checklists: z.record(z.string(), checklistRunSchema),
});
export type WorkspaceView = z.infer<typeof workspaceViewSchema>;
