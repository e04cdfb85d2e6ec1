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

/** What components read. A new object on every change. */
export interface WorkspaceSnapshot {
  /** The latest workspace view, or null until the first one arrives. */
  view: WorkspaceView | null;
  /** Set when the last load failed or an update could not be read; cleared by the next good one. */
  problem: CommandErrorCode | 'invalid-update' | null;
}

/** A subscribable store in the shape `useSyncExternalStore` expects. */
export interface WorkspaceStore {
  subscribe(listener: () => void): () => void;
  getSnapshot(): WorkspaceSnapshot;
}

/** The part of the API the store needs. */
export type WorkspaceStateSource = Pick<CalmlineApi, 'getWorkspaceState' | 'onWorkspaceState'>;

const initialSnapshot: WorkspaceSnapshot = { view: null, problem: null };

/**
 * Creates a store over `source`. It listens to main only while someone listens to
 * it, and loads the current view each time it starts listening; a slow answer never
 * overwrites a newer pushed view.
 */
export function createWorkspaceStore(source: WorkspaceStateSource): WorkspaceStore {
  const listeners = new Set<() => void>();
  let snapshot = initialSnapshot;
  let stopListening: (() => void) | null = null;
  let generation = 0;

  const publish = (next: WorkspaceSnapshot): void => {
    snapshot = next;
    for (const listener of listeners) listener();
  };

  const accept = (raw: unknown): void => {
    const parsed = workspaceViewSchema.safeParse(raw);
    publish(parsed.success ? { view: parsed.data, problem: null } : { ...snapshot, problem: 'invalid-update' });
  };

  const connect = (): void => {
    generation += 1;
    const loadGeneration = generation;
    const isCurrent = () => stopListening !== null && generation === loadGeneration;
    stopListening = source.onWorkspaceState((view) => {
      generation += 1;
      accept(view);
    });
    source.getWorkspaceState().then(
      (result) => {
        if (!isCurrent()) return;
        if (result.ok) accept(result.value);
        else publish({ ...snapshot, problem: result.error.code });
      },
      () => {
        if (isCurrent()) publish({ ...snapshot, problem: 'internal' });
      },
    );
  };

  return {
    subscribe(listener) {
      listeners.add(listener);
      if (listeners.size === 1) connect();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) {
          stopListening?.();
          stopListening = null;
        }
      };
    },
    getSnapshot: () => snapshot,
  };
}
