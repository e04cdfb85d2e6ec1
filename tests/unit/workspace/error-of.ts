import { WorkspaceError } from '../../../src/shared/workspace/workspace-error';

/** The WorkspaceError `fn` throws; fails the test when it throws nothing or something else. */
export function errorOf(fn: () => unknown): WorkspaceError {
  try {
    fn();
  } catch (error) {
    if (error instanceof WorkspaceError) return error;
    throw error;
  }
  throw new Error('expected a WorkspaceError');
}
