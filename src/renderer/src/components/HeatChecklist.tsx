import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CalmlineApi } from '../../../shared/api';
import type { CommandErrorCode } from '../../../shared/result';
import { checklistProgress, type ChecklistDefinition, type ChecklistRun } from '../../../shared/workspace/checklists';
import { localize } from '../../../shared/workspace/localized-text';
import { CommandErrorAlert } from './CommandErrorAlert';
import { CommitmentForm } from './CommitmentForm';

/** The commands the checklist reads and sends. */
export type HeatChecklistApi = Pick<CalmlineApi, 'listChecklists' | 'setChecklistStep' | 'recordCommitment'>;

/** Props of {@link HeatChecklist}. */
export interface HeatChecklistProps {
  /** The call's run, from the workspace state main pushes. */
  run: ChecklistRun;
  api: HeatChecklistApi;
}

/** The checklist definitions main deployed; loaded once per API object. */
function useChecklistDefinitions(api: Pick<CalmlineApi, 'listChecklists'>) {
  const [state, setState] = useState<{ lists: readonly ChecklistDefinition[]; error: CommandErrorCode | null } | null>(
    null,
  );
  useEffect(() => {
    let current = true;
    api.listChecklists().then(
      (result) => {
        if (!current) return;
        setState(result.ok ? { lists: result.value.checklists, error: null } : { lists: [], error: result.error.code });
      },
      () => current && setState({ lists: [], error: 'internal' }),
    );
    return () => {
      current = false;
    };
  }, [api]);
  return state;
}

/**
 * The call's complaint checklist (HEAT by default; H1–H4 in docs/practice.md): each step a checkbox
 * (Space toggles it) with its title and guidance in the agent's language, and on
 * the Take-action step the commitment made to the caller (H4).
 */
export function HeatChecklist({ run, api }: HeatChecklistProps) {
  const { t, i18n } = useTranslation();
  const language = i18n.resolvedLanguage ?? i18n.language;
  const headingId = useId();
  const definitions = useChecklistDefinitions(api);
  // Steps whose change is on its way to main: shown as the agent set them meanwhile.
  const [pending, setPending] = useState<Readonly<Record<string, boolean>>>({});
  const [error, setError] = useState<CommandErrorCode | null>(null);
  const [allGuidance, setAllGuidance] = useState(false);
  const definition = definitions?.lists.find((list) => list.id === run.checklistId);

  if (definitions === null) {
    return (
      <section className="card checklist" aria-labelledby={headingId}>
        <h2 id={headingId} className="section-heading">
          {t('checklist.heading')}
        </h2>
        <p className="muted">{t('checklist.loading')}</p>
      </section>
    );
  }
  if (!definition) {
    return (
      <section className="card checklist" aria-labelledby={headingId}>
        <h2 id={headingId} className="section-heading">
          {t('checklist.heading')}
        </h2>
        <CommandErrorAlert code={definitions.error ?? 'unknown-checklist'} lead={t('checklist.loadFailed')} />
      </section>
    );
  }

  const toggle = (stepId: string, checked: boolean) => {
    setPending((previous) => ({ ...previous, [stepId]: checked }));
    setError(null);
    const done = (code: CommandErrorCode | null) => {
      setPending(({ [stepId]: _done, ...others }) => others);
      setError(code);
    };
    api.setChecklistStep(run.callId, stepId, checked).then(
      (result) => done(result.ok ? null : result.error.code),
      () => done('internal'),
    );
  };

  const progress = checklistProgress(run);
  // The step to do next keeps its guidance open; the others fold away (on a small
  // screen) unless the agent opens them all or moves into the step.
  const currentStep = definition.steps.find((step) => {
    const state = run.steps.find((candidate) => candidate.stepId === step.id);
    return !(pending[step.id] ?? (state !== undefined && state.checkedAt !== null));
  })?.id;
  return (
    <section
      className="card checklist"
      aria-labelledby={headingId}
      data-testid="checklist"
      data-checklist-id={run.checklistId}
    >
      <div className="card-header">
        <h2 id={headingId} className="section-heading">
          {localize(definition.name, language)}
        </h2>
        <p className="checklist-progress" data-testid="checklist-progress">
          {t('checklist.progress', {
            checked: new Intl.NumberFormat(language).format(progress.checked),
            total: new Intl.NumberFormat(language).format(progress.total),
          })}
        </p>
      </div>
      <ol className="checklist-steps">
        {definition.steps.map((step) => {
          const state = run.steps.find((candidate) => candidate.stepId === step.id);
          const checked = pending[step.id] ?? (state !== undefined && state.checkedAt !== null);
          const inputId = `${headingId}-${step.id}`;
          return (
            <li
              key={step.id}
              className="checklist-step"
              data-step-id={step.id}
              data-checked={checked || undefined}
              data-current={step.id === currentStep || undefined}
            >
              <div className="checklist-row">
                <input
                  id={inputId}
                  type="checkbox"
                  className="checklist-box"
                  checked={checked}
                  aria-describedby={`${inputId}-guidance`}
                  onChange={(event) => toggle(step.id, event.target.checked)}
                />
                <label htmlFor={inputId} className="checklist-title" dir="auto">
                  {localize(step.title, language)}
                </label>
              </div>
              <p
                id={`${inputId}-guidance`}
                className={
                  allGuidance || step.id === currentStep
                    ? 'checklist-guidance'
                    : 'checklist-guidance checklist-guidance-folded'
                }
                dir="auto"
              >
                {localize(step.guidance, language)}
              </p>
              {step.id === run.commitmentStepId && (
                <CommitmentForm callId={run.callId} commitment={run.commitment} api={api} />
              )}
            </li>
          );
        })}
      </ol>
      <button
        type="button"
        className="button button-quiet button-small checklist-guidance-toggle"
        aria-expanded={allGuidance}
        onClick={() => setAllGuidance((open) => !open)}
      >
        {t(allGuidance ? 'checklist.hideGuidance' : 'checklist.showGuidance')}
      </button>
      {error !== null && <CommandErrorAlert code={error} />}
    </section>
  );
}
