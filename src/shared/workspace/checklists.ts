/**
 * Complaint checklists (rules H1–H4 of docs/practice.md, HELP and the four steps)
 * as data: a definition lists steps with short guidance in several languages, and
 * at most one step records the commitment made to the caller (H4: a due date for a
 * simple issue, a promised status update for a complex one).
 *
 * HEAT is the default; HELP and the four-step list ship as alternatives, and IT can
 * deploy its own lists, validated by `loadChecklists` with errors that name the bad
 * path. The built-in lists' content (step ids, titles and guidance in each language,
 * which step records the commitment) lives in checklists/*.json beside this file,
 * in the very format IT deploys, and is validated by the same schema when loaded.
 * A `ChecklistRun` is the per-call state: plain data changed only by the functions
 * below, which return a new run and never mutate the old one.
 */
import { z } from 'zod';
import fourSteps from './checklists/four-steps.json';
import heat from './checklists/heat.json';
import help from './checklists/help.json';
import { formatIssues, objectError } from './issue-format';
import { localizedTextSchema } from './localized-text';
import { WorkspaceError } from './workspace-error';

/** Most steps a checklist may have: a checklist is glanced at during a call, not read. */
export const MAX_CHECKLIST_STEPS = 12;
/** Longest step title and list name, per language: it must fit one line of the checklist. */
export const MAX_TITLE_LENGTH = 80;
/** Longest guidance per step and language: two or three short sentences, readable mid-call. */
export const MAX_GUIDANCE_LENGTH = 400;
/** Longest text of what was promised. */
export const MAX_COMMITMENT_TEXT_LENGTH = 2_000;
/** How far ahead a commitment may lie; a date beyond it is far more likely a typo (2205) than a promise. */
export const MAX_COMMITMENT_AHEAD_MS = 366 * 24 * 60 * 60 * 1000;

/** The id of the list an agent gets unless the workspace policy names another. */
export const DEFAULT_CHECKLIST_ID = 'heat';

const ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** A checklist or step id: lower-case letters, digits and hyphens, at most 64. */
export const checklistIdSchema = z
  .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be text') })
  .regex(ID_PATTERN, 'must be 1–64 lower-case letters, digits or hyphens, starting with a letter or digit');

/** One step of a checklist. */
export const checklistStepSchema = z.strictObject(
  {
    id: checklistIdSchema,
    title: localizedTextSchema(MAX_TITLE_LENGTH),
    guidance: localizedTextSchema(MAX_GUIDANCE_LENGTH),
    /** Marks the step that records the commitment (at most one per list). */
    commitment: z.literal(true, { error: 'must be true, or left out' }).optional(),
  },
  { error: objectError('must be an object with id, title and guidance') },
);

/** A step as loaded. */
export type ChecklistStep = z.infer<typeof checklistStepSchema>;

/**
 * Unique step ids and at most one commitment step. Runs even when other parts of the
 * list are malformed (hence defensive about shapes), so IT sees every error at once.
 */
function checkSteps(value: unknown, ctx: z.RefinementCtx): void {
  if (typeof value !== 'object' || value === null) return;
  const steps: unknown = (value as { steps?: unknown }).steps;
  if (!Array.isArray(steps)) return;
  const seen = new Map<string, number>();
  let commitmentAt: number | undefined;
  steps.forEach((step: unknown, index) => {
    if (typeof step !== 'object' || step === null) return;
    const { id, commitment } = step as { id?: unknown; commitment?: unknown };
    if (typeof id === 'string') {
      const first = seen.get(id);
      if (first === undefined) seen.set(id, index);
      else {
        ctx.addIssue({
          code: 'custom',
          path: ['steps', index, 'id'],
          message: `duplicate step id "${id}" (already used by steps[${first}]); step ids must be unique`,
        });
      }
    }
    if (commitment === true) {
      if (commitmentAt === undefined) commitmentAt = index;
      else {
        ctx.addIssue({
          code: 'custom',
          path: ['steps', index, 'commitment'],
          message: `only one step may record the commitment, and steps[${commitmentAt}] already does`,
        });
      }
    }
  });
}

/** A checklist as IT deploys it (one JSON object per list). */
export const checklistDefinitionSchema = z
  .strictObject(
    {
      id: checklistIdSchema,
      /** Bumped by IT on every change, so a stored run says which wording it followed. */
      version: z
        .number({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a number') })
        .int('must be a whole number')
        .min(1, 'must be 1 or more'),
      name: localizedTextSchema(MAX_TITLE_LENGTH),
      steps: z
        .array(checklistStepSchema, {
          error: (issue) => (issue.input === undefined ? 'is required' : 'must be a list of steps'),
        })
        .min(1, 'a checklist needs at least one step')
        .max(MAX_CHECKLIST_STEPS, `a checklist may have at most ${MAX_CHECKLIST_STEPS} steps`),
    },
    { error: objectError('must be an object with id, version, name and steps') },
  )
  .superRefine(checkSteps, { when: () => true });

/** A validated checklist. */
export type ChecklistDefinition = z.infer<typeof checklistDefinitionSchema>;

/**
 * A built-in list from its data file, validated like an IT-deployed one, so a slip
 * in the shipped JSON fails at start-up (and in the unit tests) naming the bad path.
 */
function builtInChecklist(raw: unknown, file: string): ChecklistDefinition {
  const parsed = checklistDefinitionSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`The built-in checklist ${file} is not valid: ${formatIssues(parsed.error)}`);
  return parsed.data;
}

/** HEAT (H1–H4), from the heat-principle articles. The default list. */
export const HEAT_CHECKLIST: ChecklistDefinition = builtInChecklist(heat, 'checklists/heat.json');

/** HELP, the variant of the Norwegian article. */
export const HELP_CHECKLIST: ChecklistDefinition = builtInChecklist(help, 'checklists/help.json');

/** The German customer-service guide's four complaint steps. */
export const FOUR_STEP_CHECKLIST: ChecklistDefinition = builtInChecklist(fourSteps, 'checklists/four-steps.json');

/** The lists shipped with the app, the default first. */
export const BUILT_IN_CHECKLISTS: readonly ChecklistDefinition[] = [
  HEAT_CHECKLIST,
  HELP_CHECKLIST,
  FOUR_STEP_CHECKLIST,
];

/** One IT-provided list that was not loaded, and why. */
export interface ChecklistLoadError {
  /** The file (or `checklist #n` when no name was given), with the list's id when readable. */
  source: string;
  /** Every problem as `path: message`, joined with "; ". */
  message: string;
}

/** What `loadChecklists` returns: the usable lists and the refused ones. */
export interface ChecklistCatalogue {
  /** The built-ins (an IT list with the same id replaces one in place), then IT's own lists in order. */
  checklists: ChecklistDefinition[];
  errors: ChecklistLoadError[];
}

/** Options of `loadChecklists`. */
export interface LoadChecklistsOptions {
  /** A name for each raw entry (its file path), used in errors. */
  sources?: readonly string[];
  /** The lists IT lists are added to (default BUILT_IN_CHECKLISTS). */
  builtIns?: readonly ChecklistDefinition[];
}

/**
 * Validates IT-provided lists. A bad list is left out and reported with the path of
 * every problem; the good ones load, so one broken file does not take the others
 * (or the built-ins) away. An IT list with a built-in's id replaces it, so IT can
 * deploy its own wording of HEAT; two IT lists with one id are an error (the first wins).
 */
export function loadChecklists(raw: readonly unknown[], options: LoadChecklistsOptions = {}): ChecklistCatalogue {
  const builtIns = options.builtIns ?? BUILT_IN_CHECKLISTS;
  const checklists = [...builtIns];
  const builtInIds = new Set(builtIns.map((list) => list.id));
  const loadedFrom = new Map<string, string>();
  const errors: ChecklistLoadError[] = [];

  raw.forEach((entry, index) => {
    const name = options.sources?.[index] ?? `checklist #${index + 1}`;
    const readableId = readId(entry);
    const source = readableId === undefined ? name : `${name} ("${readableId}")`;
    const parsed = checklistDefinitionSchema.safeParse(entry);
    if (!parsed.success) {
      errors.push({ source, message: formatIssues(parsed.error) });
      return;
    }
    const list = parsed.data;
    const earlier = loadedFrom.get(list.id);
    if (earlier !== undefined) {
      errors.push({
        source,
        message: `id: checklist id "${list.id}" is already used by ${earlier}; checklist ids must be unique`,
      });
      return;
    }
    loadedFrom.set(list.id, name);
    if (builtInIds.has(list.id)) checklists[checklists.findIndex((builtIn) => builtIn.id === list.id)] = list;
    else checklists.push(list);
  });
  return { checklists, errors };
}

function readId(entry: unknown): string | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined;
  const id: unknown = (entry as { id?: unknown }).id;
  return typeof id === 'string' && ID_PATTERN.test(id) ? id : undefined;
}

/** The list with `id`, or a WorkspaceError('unknown-checklist') naming the ones there are. */
export function findChecklist(checklists: readonly ChecklistDefinition[], id: string): ChecklistDefinition {
  const found = checklists.find((list) => list.id === id);
  if (found === undefined) {
    const known = checklists.map((list) => `"${list.id}"`).join(', ');
    throw new WorkspaceError('unknown-checklist', `There is no checklist "${id}"; choose one of ${known}.`);
  }
  return found;
}

/**
 * The list each call starts with: the one the policy names, or, when that list did
 * not load (a bad IT file, a typo in the policy), the built-in default and the error
 * to show IT. Agents keep a checklist either way.
 */
export function resolveDefaultChecklist(
  checklists: readonly ChecklistDefinition[],
  id: string,
): { checklist: ChecklistDefinition; error: string | null } {
  try {
    return { checklist: findChecklist(checklists, id), error: null };
  } catch (error) {
    if (!(error instanceof WorkspaceError)) throw error;
    const fallback = checklists.find((list) => list.id === DEFAULT_CHECKLIST_ID) ?? HEAT_CHECKLIST;
    return { checklist: fallback, error: `${error.message} Using "${fallback.id}" instead.` };
  }
}

/** The step that records the commitment, if the list has one. */
export function commitmentStep(definition: ChecklistDefinition): ChecklistStep | undefined {
  return definition.steps.find((step) => step.commitment === true);
}

// ---------------------------------------------------------------------------------
// The per-call run

/** What the agent promised the caller (H4). */
export const commitmentKinds = ['due-date', 'status-update'] as const;

/** One of `commitmentKinds`. */
export type CommitmentKind = (typeof commitmentKinds)[number];

const epochMs = z.number().int().nonnegative();

/**
 * The commitment as the agent enters it. `due-date`: the date the issue will be
 * solved (simple issue). `status-update`: when the caller will hear how it stands
 * (complex issue; never a promise of when it is solved).
 */
export const commitmentInputSchema = z.object({
  kind: z.enum(commitmentKinds),
  /** Epoch ms. */
  due: epochMs,
  /** What was promised, in the agent's words; becomes the follow-up's text. */
  text: z.string().trim().max(MAX_COMMITMENT_TEXT_LENGTH).optional(),
});

/** Input of `recordCommitment`. */
export type CommitmentInput = z.infer<typeof commitmentInputSchema>;

/** A commitment as recorded on the run. */
export const recordedCommitmentSchema = z.object({
  kind: z.enum(commitmentKinds),
  due: epochMs,
  text: z.string(),
  /** The commitment step it was recorded on. */
  stepId: z.string(),
  recordedAt: epochMs,
});

/** A recorded commitment. */
export type RecordedCommitment = z.infer<typeof recordedCommitmentSchema>;

/** The per-call checklist state, as it is stored with the call and shown in wrap-up. */
export const checklistRunSchema = z.object({
  callId: z.string().min(1).max(128),
  checklistId: z.string(),
  /** The list's version, so a stored run says which wording the agent followed. */
  checklistVersion: z.number().int(),
  startedAt: epochMs,
  /** Every step of the list in order; `checkedAt` is null while unchecked. */
  steps: z.array(z.object({ stepId: z.string(), checkedAt: epochMs.nullable() })),
  /** The step that records the commitment, or null when the list has none. */
  commitmentStepId: z.string().nullable(),
  commitment: recordedCommitmentSchema.nullable(),
});

/** One call's checklist state. */
export type ChecklistRun = z.infer<typeof checklistRunSchema>;

/** A fresh run of `definition` for `callId`, nothing checked. */
export function startChecklistRun(definition: ChecklistDefinition, callId: string, now: number): ChecklistRun {
  return {
    callId,
    checklistId: definition.id,
    checklistVersion: definition.version,
    startedAt: now,
    steps: definition.steps.map((step) => ({ stepId: step.id, checkedAt: null })),
    commitmentStepId: commitmentStep(definition)?.id ?? null,
    commitment: null,
  };
}

function requireStep(run: ChecklistRun, stepId: string): void {
  if (!run.steps.some((step) => step.stepId === stepId)) {
    const known = run.steps.map((step) => `"${step.stepId}"`).join(', ');
    throw new WorkspaceError(
      'unknown-step',
      `The checklist "${run.checklistId}" has no step "${stepId}"; its steps are ${known}.`,
    );
  }
}

/**
 * Checks or unchecks a step (by click or keyboard). Checking keeps the first time
 * it was checked. Unchecking the commitment step withdraws the commitment too, so
 * the list never shows an unchecked step that still carries a promise.
 */
export function setStepChecked(run: ChecklistRun, stepId: string, checked: boolean, now: number): ChecklistRun {
  requireStep(run, stepId);
  const steps = run.steps.map((step) =>
    step.stepId !== stepId ? step : { stepId, checkedAt: checked ? (step.checkedAt ?? now) : null },
  );
  const withdraws = !checked && stepId === run.commitmentStepId;
  return { ...run, steps, commitment: withdraws ? null : run.commitment };
}

/** Flips a step, for a single click or key press. */
export function toggleStep(run: ChecklistRun, stepId: string, now: number): ChecklistRun {
  requireStep(run, stepId);
  const checked = run.steps.find((step) => step.stepId === stepId)?.checkedAt !== null;
  return setStepChecked(run, stepId, !checked, now);
}

/**
 * Records the commitment on the commitment step and checks that step. Refuses a due
 * time that is not after `now` ('commitment-in-past'), one more than
 * MAX_COMMITMENT_AHEAD_MS ahead ('commitment-too-far'), and lists without a
 * commitment step ('no-commitment-step'). Recording again replaces the commitment.
 */
export function recordCommitment(run: ChecklistRun, input: CommitmentInput, now: number): ChecklistRun {
  const stepId = run.commitmentStepId;
  if (stepId === null) {
    throw new WorkspaceError(
      'no-commitment-step',
      `The checklist "${run.checklistId}" has no step that records a commitment; note the promise in the call notes instead.`,
    );
  }
  const parsed = commitmentInputSchema.safeParse(input);
  if (!parsed.success)
    throw new WorkspaceError('invalid-commitment', `The commitment is not valid: ${formatIssues(parsed.error)}.`);
  const { kind, due, text: promised } = parsed.data;
  if (due <= now) {
    const what = kind === 'due-date' ? 'due date' : 'time of the status update';
    throw new WorkspaceError('commitment-in-past', `The ${what} has already passed; choose a time after now.`);
  }
  if (due - now > MAX_COMMITMENT_AHEAD_MS) {
    throw new WorkspaceError(
      'commitment-too-far',
      'That is more than a year ahead; check the date (a complex issue gets a status update, not a far date).',
    );
  }
  const checkedRun = setStepChecked(run, stepId, true, now);
  return { ...checkedRun, commitment: { kind, due, text: promised ?? '', stepId, recordedAt: now } };
}

/** Withdraws the commitment; the step stays checked (the agent may have resolved it on the call). */
export function clearCommitment(run: ChecklistRun): ChecklistRun {
  return { ...run, commitment: null };
}

/** How far the agent is, for the checklist header and the wrap-up summary. */
export interface ChecklistProgress {
  checked: number;
  total: number;
  complete: boolean;
  /** The commitment step is checked but no commitment is recorded (resolved on the call, or forgotten). */
  commitmentMissing: boolean;
}

/** Counts checked steps. */
export function checklistProgress(run: ChecklistRun): ChecklistProgress {
  const checked = run.steps.filter((step) => step.checkedAt !== null).length;
  const commitmentChecked = run.steps.some((step) => step.stepId === run.commitmentStepId && step.checkedAt !== null);
  return {
    checked,
    total: run.steps.length,
    complete: checked === run.steps.length,
    commitmentMissing: commitmentChecked && run.commitment === null,
  };
}

/**
 * The follow-up reminder the commitment becomes on the caller's record, in the shape
 * the caller directory's `addFollowUp` takes (minus the author, which the host knows).
 */
export function followUpFromRun(
  run: ChecklistRun,
): { callId: string; kind: CommitmentKind; due: number; text: string } | null {
  if (run.commitment === null) return null;
  const { kind, due, text: promised } = run.commitment;
  return { callId: run.callId, kind, due, text: promised };
}
