/**
 * The agent's workspace: the per-call checklist and its Take-action commitment, the
 * wrap-up, breaks and reminders. Every refusal is the workspace's own WorkspaceError.
 */
import type { ChecklistRun } from '../../shared/workspace/checklists';
import type { CommandHandler, CommandHandlers } from '../command-router';
import type { Workspace } from '../workspace/workspace';

/** The channels these handlers answer. */
export type WorkspaceCommand =
  | 'workspace:get-state'
  | 'checklists:list'
  | 'checklist:set-step'
  | 'checklist:record-commitment'
  | 'wrap-up:complete'
  | 'break:start'
  | 'break:end'
  | 'break:decline-offer'
  | 'reminder:snooze';

/** What the workspace handlers need. */
export interface WorkspaceHandlerDeps {
  workspace: Pick<
    Workspace,
    | 'view'
    | 'checklists'
    | 'setStep'
    | 'recordCommitment'
    | 'completeWrapUp'
    | 'startBreak'
    | 'endBreak'
    | 'declineBreakOffer'
    | 'snoozeReminder'
  >;
  /** The checklist the workspace policy starts each call with. */
  defaultChecklistId: string;
  /** Keeps a recorded commitment beyond the checklist (see CrossFeatureRules); the run shows it only once kept. */
  keepCommitment(run: ChecklistRun): Promise<void>;
}

/** Builds the handlers of the workspace commands. */
export function createWorkspaceHandlers({
  workspace,
  defaultChecklistId,
  keepCommitment,
}: WorkspaceHandlerDeps): Pick<CommandHandlers, WorkspaceCommand> {
  const handleGetState: CommandHandler<'workspace:get-state'> = () => workspace.view();
  const handleListChecklists: CommandHandler<'checklists:list'> = () => ({
    checklists: [...workspace.checklists],
    defaultId: defaultChecklistId,
  });
  const handleSetStep: CommandHandler<'checklist:set-step'> = ({ callId, stepId, checked }) =>
    workspace.setStep(callId, stepId, checked);
  const handleRecordCommitment: CommandHandler<'checklist:record-commitment'> = ({ callId, commitment }) =>
    workspace.recordCommitment(callId, commitment, keepCommitment);
  const handleCompleteWrapUp: CommandHandler<'wrap-up:complete'> = ({ outcome, note }) =>
    workspace.completeWrapUp({ outcome, ...(note ? { note } : {}) });
  const handleStartBreak: CommandHandler<'break:start'> = ({ kind }) => workspace.startBreak(kind);
  const handleEndBreak: CommandHandler<'break:end'> = () => workspace.endBreak();
  const handleDeclineBreakOffer: CommandHandler<'break:decline-offer'> = () => workspace.declineBreakOffer();
  const handleSnoozeReminder: CommandHandler<'reminder:snooze'> = ({ kind }) => workspace.snoozeReminder(kind);
  return {
    'workspace:get-state': handleGetState,
    'checklists:list': handleListChecklists,
    'checklist:set-step': handleSetStep,
    'checklist:record-commitment': handleRecordCommitment,
    'wrap-up:complete': handleCompleteWrapUp,
    'break:start': handleStartBreak,
    'break:end': handleEndBreak,
    'break:decline-offer': handleDeclineBreakOffer,
    'reminder:snooze': handleSnoozeReminder,
  };
}
