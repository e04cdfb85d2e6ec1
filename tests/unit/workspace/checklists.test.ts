import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BUILT_IN_CHECKLISTS,
  DEFAULT_CHECKLIST_ID,
  HEAT_CHECKLIST,
  MAX_COMMITMENT_AHEAD_MS,
  checklistDefinitionSchema,
  checklistProgress,
  checklistRunSchema,
  findChecklist,
  followUpFromRun,
  loadChecklists,
  recordCommitment,
  resolveDefaultChecklist,
  setStepChecked,
  startChecklistRun,
  toggleStep,
  type ChecklistDefinition,
} from '../../../src/shared/workspace/checklists';
import { localize } from '../../../src/shared/workspace/localized-text';
import { WorkspaceError } from '../../../src/shared/workspace/workspace-error';

const NOW = Date.UTC(2025, 2, 14, 9, 0);
const DAY = 24 * 60 * 60 * 1000;
const LANGUAGES = ['en', 'de', 'nb', 'fa'] as const;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof WorkspaceError ? error.code : `not a WorkspaceError: ${String(error)}`;
  }
  return undefined;
}

/** A valid IT list to break in the tests. */
function itList(): Record<string, unknown> {
  return {
    id: 'billing',
    version: 3,
    name: { en: 'Billing complaints', de: 'Rechnungsbeschwerden' },
    steps: [
      { id: 'listen', title: { en: 'Listen' }, guidance: { en: 'Let them finish.' } },
      { id: 'check-invoice', title: { en: 'Check the invoice' }, guidance: { en: 'Open the invoice with them.' } },
      {
        id: 'promise',
        title: { en: 'Promise' },
        guidance: { en: 'Commit to a date or a status update.' },
        commitment: true,
      },
    ],
  };
}

function messageFor(raw: unknown): string {
  const { errors } = loadChecklists([raw], { sources: ['it/billing.json'] });
  expect(errors).toHaveLength(1);
  return errors[0]?.message ?? '';
}

describe('built-in checklists', () => {
  it('ship HEAT (the default), HELP and the four German steps, all valid', () => {
    expect(BUILT_IN_CHECKLISTS.map((list) => list.id)).toEqual(['heat', 'help', 'four-steps']);
    expect(DEFAULT_CHECKLIST_ID).toBe('heat');
    for (const list of BUILT_IN_CHECKLISTS) {
      const parsed = checklistDefinitionSchema.safeParse(list);
      expect(parsed.success, `${list.id}: ${parsed.error?.message}`).toBe(true);
    }
  });

  it('are the data files beside the code, one per list named by its id, each loadable as IT deploys a list', () => {
    const dir = join(import.meta.dirname, '../../../src/shared/workspace/checklists');
    const files = readdirSync(dir)
      .filter((file) => file.endsWith('.json'))
      .sort();
    expect(files).toEqual(['four-steps.json', 'heat.json', 'help.json']);
    const raw: unknown[] = files.map((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')));
    const catalogue = loadChecklists(raw, { sources: files, builtIns: [] });
    expect(catalogue.errors).toEqual([]);
    expect(catalogue.checklists.map((list) => `${list.id}.json`)).toEqual(files);
    for (const list of catalogue.checklists) expect(findChecklist(BUILT_IN_CHECKLISTS, list.id)).toEqual(list);
  });

  it.each(BUILT_IN_CHECKLISTS.map((list) => [list.id, list] as const))(
    '%s has its name, titles and guidance in en, de, nb and fa, actually translated',
    (_id, list) => {
      const texts = [list.name, ...list.steps.flatMap((step) => [step.title, step.guidance])];
      for (const text of texts) {
        for (const language of LANGUAGES) expect(text[language]?.trim(), `${language} of ${text.en}`).toBeTruthy();
        expect(text.fa).toMatch(/[\u0600-\u06FF]/);
      }
      for (const step of list.steps) {
        expect(step.guidance.de).not.toBe(step.guidance.en);
        expect(step.guidance.nb).not.toBe(step.guidance.en);
      }
    },
  );

  it('each records the commitment on exactly one step: HEAT on Take action, whose guidance tells date from status update', () => {
    for (const list of BUILT_IN_CHECKLISTS) expect(list.steps.filter((step) => step.commitment).length).toBe(1);
    expect(HEAT_CHECKLIST.steps.map((step) => step.id)).toEqual(['hear', 'empathize', 'apologize', 'take-action']);
    const takeAction = HEAT_CHECKLIST.steps[3];
    expect(takeAction?.commitment).toBe(true);
    expect(takeAction?.guidance.en).toMatch(/date/);
    expect(takeAction?.guidance.en).toMatch(/never promise a timeframe/);
    expect(takeAction?.guidance.en).toMatch(/status update/);
  });

  it('has the four steps of the German guide in order', () => {
    const fourSteps = findChecklist(BUILT_IN_CHECKLISTS, 'four-steps');
    expect(fourSteps.steps.map((step) => step.title.de)).toEqual([
      'Das Problem verstehen',
      'Wiederholen, was Sie verstanden haben',
      'Das Problem lösen',
      'Dem Kunden danken',
    ]);
  });
});

describe('loadChecklists', () => {
  it('adds a valid IT list after the built-ins', () => {
    const { checklists, errors } = loadChecklists([itList()]);
    expect(errors).toEqual([]);
    expect(checklists.map((list) => list.id)).toEqual(['heat', 'help', 'four-steps', 'billing']);
    expect(findChecklist(checklists, 'billing').name.de).toBe('Rechnungsbeschwerden');
  });

  it('refuses a list without English text and names the path', () => {
    const raw = itList();
    raw.steps = [{ id: 'listen', title: { de: 'Zuhören' }, guidance: { en: 'Let them finish.' } }];
    const message = messageFor(raw);
    expect(message).toContain('steps[0].title.en');
    expect(message).toContain('English');
  });

  it('refuses duplicate step ids, naming the second one and the first', () => {
    const raw = itList();
    raw.steps = [
      { id: 'listen', title: { en: 'Listen' }, guidance: { en: 'Let them finish.' } },
      { id: 'listen', title: { en: 'Listen again' }, guidance: { en: 'Really.' } },
    ];
    const message = messageFor(raw);
    expect(message).toContain('steps[1].id');
    expect(message).toContain('duplicate step id "listen"');
    expect(message).toContain('steps[0]');
  });

  it('refuses two commitment steps', () => {
    const raw = itList();
    (raw.steps as Array<Record<string, unknown>>)[1]!.commitment = true;
    const message = messageFor(raw);
    expect(message).toContain('steps[2].commitment');
    expect(message).toContain('only one step may record the commitment');
  });

  it('refuses a list without steps, a typo in a key, a bad language code and a bad id, all at once', () => {
    expect(messageFor({ ...itList(), steps: [] })).toContain('steps: a checklist needs at least one step');
    const raw = itList();
    raw.versoin = 4;
    raw.name = { en: 'Billing', EN: 'Billing' };
    raw.id = 'Billing Complaints';
    const message = messageFor(raw);
    expect(message).toContain('versoin');
    expect(message).toContain('name.EN');
    expect(message).toContain('id: must be 1–64 lower-case letters');
  });

  it('reports structural and cross-step problems together', () => {
    const raw = itList();
    raw.steps = [
      { id: 'a', title: { en: 'A' }, guidance: { en: '' } },
      { id: 'a', title: { en: 'B' }, guidance: { en: 'b' } },
    ];
    const message = messageFor(raw);
    expect(message).toContain('steps[0].guidance.en: must not be empty');
    expect(message).toContain('steps[1].id: duplicate step id');
  });

  it('refuses garbage with an error per entry and keeps the good lists and the built-ins', () => {
    const { checklists, errors } = loadChecklists([null, 42, 'heat', [], {}, itList()], {
      sources: ['a.json', 'b.json', 'c.json', 'd.json', 'e.json', 'f.json'],
    });
    expect(errors.map((error) => error.source)).toEqual(['a.json', 'b.json', 'c.json', 'd.json', 'e.json']);
    for (const error of errors) expect(error.message).not.toBe('');
    expect(errors[0]?.message).toContain('(top level): must be an object');
    expect(errors[4]?.message).toContain('id: is required');
    expect(checklists.map((list) => list.id)).toEqual(['heat', 'help', 'four-steps', 'billing']);
  });

  it('names an entry without a source by its position, with its id when readable', () => {
    const { errors } = loadChecklists([itList(), { ...itList(), version: 0 }]);
    expect(errors).toEqual([
      { source: 'checklist #2 ("billing")', message: expect.stringContaining('version: must be 1 or more') },
    ]);
  });

  it('refuses a second IT list with the same id, and lets an IT list replace a built-in in place', () => {
    const ownHeat = { ...itList(), id: 'heat', version: 7 };
    const { checklists, errors } = loadChecklists([itList(), ownHeat, { ...itList(), version: 9 }], {
      sources: ['one.json', 'heat.json', 'two.json'],
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]?.source).toBe('two.json ("billing")');
    expect(errors[0]?.message).toContain('already used by one.json');
    expect(checklists.map((list) => `${list.id}@${list.version}`)).toEqual([
      'heat@7',
      'help@1',
      'four-steps@1',
      'billing@3',
    ]);
  });

  it('accepts a list without a commitment step', () => {
    const raw = itList();
    delete (raw.steps as Array<Record<string, unknown>>)[2]!.commitment;
    expect(loadChecklists([raw]).errors).toEqual([]);
  });
});

describe('findChecklist and localize', () => {
  it('refuses an unknown id with the ids there are', () => {
    expect(codeOf(() => findChecklist(BUILT_IN_CHECKLISTS, 'hot'))).toBe('unknown-checklist');
    expect(() => findChecklist(BUILT_IN_CHECKLISTS, 'hot')).toThrow(/"heat", "help", "four-steps"/);
  });

  it('falls back to the built-in default when the policy names a list that did not load', () => {
    const { checklists } = loadChecklists([itList()]);
    expect(resolveDefaultChecklist(checklists, 'billing')).toEqual({
      checklist: findChecklist(checklists, 'billing'),
      error: null,
    });
    const missing = resolveDefaultChecklist(checklists, 'retention');
    expect(missing.checklist.id).toBe('heat');
    expect(missing.error).toContain('"retention"');
  });

  it('falls back from a regional tag to its language, then to English', () => {
    const text = { en: 'Hello', de: 'Hallo' };
    expect(localize(text, 'de-AT')).toBe('Hallo');
    expect(localize(text, 'fa')).toBe('Hello');
    expect(localize(text, 'constructor')).toBe('Hello');
  });
});

describe('a checklist run', () => {
  const heat: ChecklistDefinition = HEAT_CHECKLIST;

  it('starts unchecked, checks by toggle and keeps the first time a step was checked', () => {
    let run = startChecklistRun(heat, 'call-1', NOW);
    expect(checklistProgress(run)).toEqual({ checked: 0, total: 4, complete: false, commitmentMissing: false });
    run = toggleStep(run, 'hear', NOW + 1_000);
    run = setStepChecked(run, 'hear', true, NOW + 5_000);
    expect(run.steps[0]).toEqual({ stepId: 'hear', checkedAt: NOW + 1_000 });
    const before = run;
    run = toggleStep(run, 'hear', NOW + 6_000);
    expect(run.steps[0]?.checkedAt).toBeNull();
    expect(before.steps[0]?.checkedAt).toBe(NOW + 1_000);
    expect(codeOf(() => toggleStep(run, 'smile', NOW))).toBe('unknown-step');
  });

  it('records a due date on Take action, checks it, and turns it into a follow-up', () => {
    let run = startChecklistRun(heat, 'call-1', NOW);
    for (const step of ['hear', 'empathize', 'apologize']) run = toggleStep(run, step, NOW);
    run = recordCommitment(run, { kind: 'due-date', due: NOW + 2 * DAY, text: 'Refund by Monday' }, NOW + 60_000);
    expect(run.commitment).toEqual({
      kind: 'due-date',
      due: NOW + 2 * DAY,
      text: 'Refund by Monday',
      stepId: 'take-action',
      recordedAt: NOW + 60_000,
    });
    expect(run.steps[3]).toEqual({ stepId: 'take-action', checkedAt: NOW + 60_000 });
    expect(checklistProgress(run)).toEqual({ checked: 4, total: 4, complete: true, commitmentMissing: false });
    expect(followUpFromRun(run)).toEqual({
      callId: 'call-1',
      kind: 'due-date',
      due: NOW + 2 * DAY,
      text: 'Refund by Monday',
    });
    expect(checklistRunSchema.parse(run)).toEqual(run);
  });

  it('records a promised status update for a complex issue, with the due time of the update', () => {
    const run = recordCommitment(
      startChecklistRun(heat, 'call-2', NOW),
      { kind: 'status-update', due: NOW + DAY },
      NOW,
    );
    expect(run.commitment?.kind).toBe('status-update');
    expect(followUpFromRun(run)).toEqual({ callId: 'call-2', kind: 'status-update', due: NOW + DAY, text: '' });
  });

  it('refuses a due in the past (or now) and one over a year ahead, leaving the run as it was', () => {
    const run = startChecklistRun(heat, 'call-1', NOW);
    expect(codeOf(() => recordCommitment(run, { kind: 'due-date', due: NOW - DAY }, NOW))).toBe('commitment-in-past');
    expect(codeOf(() => recordCommitment(run, { kind: 'status-update', due: NOW }, NOW))).toBe('commitment-in-past');
    expect(codeOf(() => recordCommitment(run, { kind: 'due-date', due: NOW + MAX_COMMITMENT_AHEAD_MS + 1 }, NOW))).toBe(
      'commitment-too-far',
    );
    expect(codeOf(() => recordCommitment(run, { kind: 'due-date', due: Number.NaN }, NOW))).toBe('invalid-commitment');
    expect(run.commitment).toBeNull();
    expect(run.steps.every((step) => step.checkedAt === null)).toBe(true);
  });

  it('withdraws the commitment when its step is unchecked, and notices a checked step without one', () => {
    let run = recordCommitment(startChecklistRun(heat, 'call-1', NOW), { kind: 'due-date', due: NOW + DAY }, NOW);
    run = toggleStep(run, 'take-action', NOW);
    expect(run.commitment).toBeNull();
    expect(followUpFromRun(run)).toBeNull();
    run = toggleStep(run, 'take-action', NOW);
    expect(checklistProgress(run).commitmentMissing).toBe(true);
  });

  it('refuses a commitment on a list without a commitment step', () => {
    const raw = itList();
    delete (raw.steps as Array<Record<string, unknown>>)[2]!.commitment;
    const list = checklistDefinitionSchema.parse(raw);
    const run = startChecklistRun(list, 'call-1', NOW);
    expect(codeOf(() => recordCommitment(run, { kind: 'due-date', due: NOW + DAY }, NOW))).toBe('no-commitment-step');
  });
});
