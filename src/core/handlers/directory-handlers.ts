/**
 * The shared caller directory's status for the caller card: online, or unreachable with
 * the changes queued (README "Caller directory service").
 */
import type { DirectoryStatusView } from '../../shared/contract';
import type { CommandHandlers } from '../command-router';

/** What the directory handlers need. */
export interface DirectoryHandlerDeps {
  /** The status now ('off' when no shared directory is configured). */
  status(): DirectoryStatusView;
}

/** Builds the handlers of the directory commands. */
export function createDirectoryHandlers(deps: DirectoryHandlerDeps): Pick<CommandHandlers, 'directory:get-status'> {
  return { 'directory:get-status': () => deps.status() };
}
