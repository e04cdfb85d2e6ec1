import { useMemo, useSyncExternalStore } from 'react';
import { createWorkspaceStore, type WorkspaceSnapshot, type WorkspaceStateSource } from '../state/workspace-store';

/**
 * The workspace view main pushes, read through one store per API object.
 * Components re-render when main sends a new view; they never change it themselves.
 */
export function useWorkspaceState(source: WorkspaceStateSource): WorkspaceSnapshot {
  const store = useMemo(() => createWorkspaceStore(source), [source]);
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
}
