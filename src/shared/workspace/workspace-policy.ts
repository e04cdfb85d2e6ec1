/**
 * The settings of the agent's workspace: wrap-up, breaks and reminders (W1, W2),
 * the call-length hint (D2), the phone's behaviour while the agent is unavailable,
 * the default checklist, and the greeting (P2) and thank-you (P5) texts.
 *
 * IT deploys these as a file; every field has a default and bounds, so a partial
 * file fills in the rest and a bad value is refused with its path rather than
 * clamped silently. Unknown keys are refused too: a typo (`snoozeMinute`) must not
 * quietly fall back to the default.
 *
 * Rule codes (W1, D2 …) are defined in docs/practice.md.
 */
import { z } from 'zod';
import { checklistIdSchema, DEFAULT_CHECKLIST_ID } from './checklists';
import { formatIssues, objectError } from './issue-format';
import { localizedTextSchema } from './localized-text';
import { WorkspaceSetupError } from './workspace-error';

/** Longest greeting or thank-you text per language. */
export const MAX_PROMPT_LENGTH = 300;

/**
 * What the phone does while the agent is unavailable: answer new calls with
 * 486 Busy Here, or unregister so the PBX routes them elsewhere.
 */
export const unavailableModes = ['busy', 'unregister'] as const;

/** One of `unavailableModes`. */
export type UnavailableMode = (typeof unavailableModes)[number];

function whole(min: number, max: number, unit: string, fallback: number) {
  const range = `a whole number of ${unit} from ${min} to ${max}`;
  return z
    .number({ error: `must be ${range}` })
    .int(`must be ${range}`)
    .min(min, `must be ${range}`)
    .max(max, `must be ${range}`)
    .default(fallback);
}

function flag(fallback: boolean) {
  return z.boolean({ error: 'must be true or false' }).default(fallback);
}

/** The workspace settings, with defaults for every field. */
export const workspacePolicySchema = z.strictObject(
  {
    /** Wrap-up time after a call before the agent is available again. */
    wrapUpLimitSeconds: whole(10, 1_800, 'seconds', 60),
    /** New calls wait (486 or unregistered) until the agent finishes the wrap-up or its time runs out. */
    wrapUpHoldsCalls: flag(true),
    /** A call whose talk time is over this is followed by a de-escalation break offer (W1). */
    longCallMinutes: whole(1, 240, 'minutes', 20),
    /** When an active call passes this, the agent gets the call-length hint (D2). */
    callLengthHintMinutes: whole(1, 240, 'minutes', 15),
    /** Countdown length of a de-escalation break. */
    deEscalationBreakMinutes: whole(1, 30, 'minutes', 5),
    regularBreakEnabled: flag(true),
    /** A regular break is suggested this long after the last one (W2). */
    regularBreakIntervalMinutes: whole(10, 240, 'minutes', 50),
    /** Countdown length of a regular break. */
    regularBreakMinutes: whole(1, 60, 'minutes', 5),
    eyeRestEnabled: flag(true),
    /** W2: rest the eyes every 5 to 10 minutes; allowed up to an hour for those who find it too often. */
    eyeRestIntervalMinutes: whole(5, 60, 'minutes', 10),
    /** How long to look away from the screen. */
    eyeRestSeconds: whole(10, 120, 'seconds', 20),
    /** How long "snooze" puts a reminder off. */
    snoozeMinutes: whole(1, 60, 'minutes', 5),
    unavailableMode: z.enum(unavailableModes, { error: 'must be "busy" or "unregister"' }).default('busy'),
    /** The checklist each call starts with. */
    defaultChecklistId: checklistIdSchema.default(DEFAULT_CHECKLIST_ID),
    /** Shown when a call is answered (P2). */
    greeting: localizedTextSchema(MAX_PROMPT_LENGTH).default({
      en: 'Hello, thank you for calling. How can I help you?',
      de: 'Guten Tag, vielen Dank für Ihren Anruf. Wie kann ich Ihnen helfen?',
      nb: 'Hei, takk for at du ringer. Hva kan jeg hjelpe deg med?',
      fa: 'سلام، از تماس شما سپاسگزاریم. چطور می‌توانم کمکتان کنم؟',
    }),
    /** Shown at the end of a call and in wrap-up (P5). */
    thankYou: localizedTextSchema(MAX_PROMPT_LENGTH).default({
      en: 'Thank you for calling, and for giving us the chance to help.',
      de: 'Vielen Dank für Ihren Anruf und dafür, dass Sie uns die Gelegenheit gegeben haben, Ihnen zu helfen.',
      nb: 'Takk for at du ringte, og for at vi fikk muligheten til å hjelpe.',
      fa: 'از تماس شما و اینکه به ما فرصت کمک دادید سپاسگزاریم.',
    }),
  },
  { error: objectError('must be an object of workspace settings') },
);

/** Validated workspace settings. */
export type WorkspacePolicy = z.infer<typeof workspacePolicySchema>;

/** Every default, as an IT file with no fields gets them. */
export const DEFAULT_WORKSPACE_POLICY: WorkspacePolicy = workspacePolicySchema.parse({});

/**
 * Parses an IT-provided (or stored) policy from `unknown`. Missing fields take their
 * defaults; anything malformed throws WorkspaceSetupError('invalid-policy') naming
 * `source` and the path of every problem.
 */
export function parseWorkspacePolicy(raw: unknown, source = 'workspace policy'): WorkspacePolicy {
  const parsed = workspacePolicySchema.safeParse(raw ?? {});
  if (!parsed.success) throw new WorkspaceSetupError('invalid-policy', `${source}: ${formatIssues(parsed.error)}`);
  return parsed.data;
}

/**
 * Like `parseWorkspacePolicy`, but never throws: a bad file gives the defaults and
 * the error to show IT, so a typo in one setting does not stop agents from working.
 */
export function loadWorkspacePolicy(
  raw: unknown,
  source = 'workspace policy',
): { policy: WorkspacePolicy; error: string | null } {
  try {
    return { policy: parseWorkspacePolicy(raw, source), error: null };
  } catch (error) {
    if (error instanceof WorkspaceSetupError) return { policy: DEFAULT_WORKSPACE_POLICY, error: error.message };
    throw error;
  }
}
