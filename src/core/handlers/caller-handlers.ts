/**
 * The agent's data about callers and calls: the note pad, the call history, the
 * caller directory (flags, address, follow-ups, incidents), the caller export and
 * the storage notices. The author of every write is the configured agent, never a
 * name the renderer sends.
 */
import type { DataProtectionView, StorageNoticeView } from '../../shared/contract';
import type { CommandHandler, CommandHandlers } from '../command-router';
import { PhoneError } from '../phone/phone-error';
import type { AgentData } from '../storage/agent-data';
import type { CallerDirectory } from '../storage/callers/caller-directory';
import type { CallHistory } from '../storage/history/call-history';
import type { NotesAutosaver } from '../storage/history/notes-autosaver';

/** The channels these handlers answer. */
export type CallerCommand =
  | 'notes:edit'
  | 'notes:get'
  | 'history:search'
  | 'history:calls-for-caller'
  | 'callers:lookup'
  | 'callers:add-flag'
  | 'callers:clear-flag'
  | 'callers:set-preferred-address'
  | 'callers:add-follow-up'
  | 'callers:complete-follow-up'
  | 'callers:record-incident'
  | 'callers:export-record'
  | 'storage:get-notices'
  | 'storage:get-protection';

/** The part of the agent's data these commands read and write. */
export interface CallerData {
  notes: Pick<NotesAutosaver, 'edit' | 'text' | 'status'>;
  history: Pick<CallHistory, 'getCall' | 'search' | 'callsFor'>;
  directory: Pick<
    CallerDirectory,
    'lookup' | 'addFlag' | 'clearFlag' | 'setPreferredAddress' | 'addFollowUp' | 'completeFollowUp' | 'recordIncident'
  >;
  writeExport: AgentData['writeExport'];
}

/** What the caller handlers need. */
export interface CallerHandlerDeps {
  /** The agent's data; throws PhoneError('storage-unavailable') in an app without it. */
  requireData(): CallerData;
  /** Resolves once the call's record is on disk, so its note can be saved. */
  callRecorded(callId: string): Promise<void> | undefined;
  /** The name written as author of flags, follow-ups and incidents. */
  agentName(): string;
  /** Where exports are written; without one, an export answers `storage-unavailable`. */
  exportDir: string | undefined;
  /** Every storage problem to show the agent: the startup ones, then the data's. */
  notices(): StorageNoticeView[];
  /** How the data is protected at rest. */
  dataProtection(): DataProtectionView;
  /** A flag was added, naming the call it was added during (if any); see CrossFeatureRules. */
  flagAdded(callId: string | undefined): void;
}

/** Builds the handlers of the caller, history and notes commands. */
export function createCallerHandlers(deps: CallerHandlerDeps): Pick<CommandHandlers, CallerCommand> {
  const { requireData, agentName } = deps;

  const handleEditNote: CommandHandler<'notes:edit'> = async ({ callId, text }) => {
    const data = requireData();
    // The call's record must be on disk before its note can be saved.
    await deps.callRecorded(callId);
    return data.notes.edit(callId, text);
  };
  const handleGetNote: CommandHandler<'notes:get'> = async ({ callId }) => {
    const data = requireData();
    const pending = data.notes.text(callId);
    const status = data.notes.status(callId);
    if (pending !== undefined && status) return { text: pending, status };
    const record = await data.history.getCall(callId);
    if (!record) return null;
    return { text: record.note?.text ?? '', status: { callId, state: 'saved', savedAt: record.note?.updatedAt } };
  };
  const handleSearchHistory: CommandHandler<'history:search'> = ({ text, limit }) =>
    requireData().history.search({ text, ...(limit ? { limit } : {}) });
  const handleCallsForCaller: CommandHandler<'history:calls-for-caller'> = ({ number, limit }) =>
    requireData().history.callsFor(number, limit);
  const handleLookUpCaller: CommandHandler<'callers:lookup'> = async ({ number }) =>
    (await requireData().directory.lookup(number)) ?? null;
  const handleAddFlag: CommandHandler<'callers:add-flag'> = async ({ number, kind, reason, callId }) => {
    const flag = await requireData().directory.addFlag(number, {
      kind,
      reason,
      author: agentName(),
      ...(callId ? { callId } : {}),
    });
    deps.flagAdded(callId);
    return flag;
  };
  const handleClearFlag: CommandHandler<'callers:clear-flag'> = ({ number, flagId }) =>
    requireData().directory.clearFlag(number, flagId, agentName());
  const handleSetPreferredAddress: CommandHandler<'callers:set-preferred-address'> = async ({ number, text }) =>
    (await requireData().directory.setPreferredAddress(number, text || undefined, agentName())) ?? null;
  const handleAddFollowUp: CommandHandler<'callers:add-follow-up'> = ({ number, callId, kind, due, text }) =>
    requireData().directory.addFollowUp(number, { callId, kind, due, text, author: agentName() });
  const handleCompleteFollowUp: CommandHandler<'callers:complete-follow-up'> = ({ number, followUpId }) =>
    requireData().directory.completeFollowUp(number, followUpId);
  const handleRecordIncident: CommandHandler<'callers:record-incident'> = ({
    number,
    callId,
    kind,
    whatWasSaid,
    occurredAt,
  }) =>
    requireData().directory.recordIncident(number, { callId, kind, whatWasSaid, occurredAt, recordedBy: agentName() });
  const handleExportRecord: CommandHandler<'callers:export-record'> = async ({ number }) => {
    const data = requireData();
    if (!deps.exportDir) throw new PhoneError('storage-unavailable', 'No export folder is configured.');
    return data.writeExport(number, deps.exportDir);
  };
  const handleGetNotices: CommandHandler<'storage:get-notices'> = () => deps.notices();
  const handleGetProtection: CommandHandler<'storage:get-protection'> = () => deps.dataProtection();

  return {
    'notes:edit': handleEditNote,
    'notes:get': handleGetNote,
    'history:search': handleSearchHistory,
    'history:calls-for-caller': handleCallsForCaller,
    'callers:lookup': handleLookUpCaller,
    'callers:add-flag': handleAddFlag,
    'callers:clear-flag': handleClearFlag,
    'callers:set-preferred-address': handleSetPreferredAddress,
    'callers:add-follow-up': handleAddFollowUp,
    'callers:complete-follow-up': handleCompleteFollowUp,
    'callers:record-incident': handleRecordIncident,
    'callers:export-record': handleExportRecord,
    'storage:get-notices': handleGetNotices,
    'storage:get-protection': handleGetProtection,
  };
}
