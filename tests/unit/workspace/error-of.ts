import { WorkspaceError, WorkspaceSetupError } from '../../../src/shared/workspace/workspace-error';

/** The WorkspaceError (or, for IT files, WorkspaceSetupError) `fn` throws; fails the test when it throws nothing or something else. */
export function errorOf(fn: () => unknown): WorkspaceError | WorkspaceSetupError {
  try {
    fn();
  } catch (error) {
    if (error instanceof WorkspaceError || error instanceof WorkspaceSetupError) return error;
    throw error;
  }
  throw new Error('expected a WorkspaceError');
}
