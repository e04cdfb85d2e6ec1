/**
 * The renderer's store of the agent's workspace (availability, wrap-up, break,
 * reminders, checklist runs). Main is the authority; like the phone store, this
 * only keeps the latest view it pushed or answered, parsed from `unknown`.
 *
 *   getWorkspaceState() ──┐
 *                         ├──▶ parse ──▶ snapshot ──▶ components (useSyncExternalStore)
 *   onWorkspaceState ─────┘
 */
import type { CalmlineApi } from '../../../shared/api';
import type { CommandErrorCode } from '../../../shared/result';
import { workspaceViewSchema, type WorkspaceView } from '../../../shared/workspace/workspace-view';
import { createMainPushedStore, type MainPushedStore } from './main-pushed-store';

/** What components read. A new object on every change. */
export interface WorkspaceSnapshot {
  /** The latest workspace view, or null until the first one arrives. */
  view: WorkspaceView | null;
  /** Set when the last load failed or an update could not be read; cleared by the next good one. */
  problem: CommandErrorCode | 'invalid-update' | null;
}

/** A subscribable store in the shape `useSyncExternalStore` expects. */
export type WorkspaceStore = MainPushedStore<WorkspaceSnapshot>;

/** The part of the API the store needs. */
export type WorkspaceStateSource = Pick<CalmlineApi, 'getWorkspaceState' | 'onWorkspaceState'>;

const initialSnapshot: WorkspaceSnapshot = { view: null, problem: null };

/**
 * Creates a store over `source`. It listens to main only while someone listens to
 * it, and loads the current view each time it starts listening; a slow answer never
 * overwrites a newer pushed view.
 */
export function createWorkspaceStore(source: WorkspaceStateSource): WorkspaceStore {
  return createMainPushedStore<WorkspaceSnapshot>({
    initial: initialSnapshot,
    listen: (onValue) => source.onWorkspaceState(onValue),
    load: () => source.getWorkspaceState(),
    accept: (snapshot, raw) => {
      const parsed = workspaceViewSchema.safeParse(raw);
      return parsed.success ? { view: parsed.data, problem: null } : { ...snapshot, problem: 'invalid-update' };
    },
    loadFailed: (snapshot, code) => ({ ...snapshot, problem: code }),
  });
}
