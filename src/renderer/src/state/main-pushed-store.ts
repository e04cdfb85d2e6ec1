/**
 * The one mechanism behind the renderer's stores of state main pushes (phone,
 * workspace): listen to main only while a component listens, load the current
 * value each time listening starts, and never let a slow load answer overwrite a
 * newer pushed value. Each store only says how a value or a failure changes its
 * snapshot.
 */
import type { CommandErrorCode, Result } from '../../../shared/result';

/** How one store turns main's values into snapshots. */
export interface MainPushedStoreOptions<S> {
  initial: S;
  /** Subscribes to pushes from main; returns the unsubscribe function. */
  listen(onValue: (raw: unknown) => void): () => void;
  /** Asks main for the current value. */
  load(): Promise<Result<unknown>>;
  /** The snapshot after a value from main (parse it here: it is untrusted). */
  accept(snapshot: S, raw: unknown): S;
  /** The snapshot after loading failed. */
  loadFailed(snapshot: S, code: CommandErrorCode): S;
}

/** A subscribable store in the shape `useSyncExternalStore` expects. */
export interface MainPushedStore<S> {
  subscribe(listener: () => void): () => void;
  getSnapshot(): S;
}

/** Creates a store over main's pushes and loads. */
export function createMainPushedStore<S>(options: MainPushedStoreOptions<S>): MainPushedStore<S> {
  const listeners = new Set<() => void>();
  let snapshot = options.initial;
  let stopListening: (() => void) | null = null;
  // Bumped by every push and every (re)connection, so a slow load answer never
  // overwrites a newer pushed value.
  let generation = 0;

  const publish = (next: S): void => {
    snapshot = next;
    for (const listener of listeners) listener();
  };

  const connect = (): void => {
    generation += 1;
    const loadGeneration = generation;
    const isCurrent = () => stopListening !== null && generation === loadGeneration;
    stopListening = options.listen((raw) => {
      generation += 1;
      publish(options.accept(snapshot, raw));
    });
    options.load().then(
      (result) => {
        if (!isCurrent()) return;
        publish(result.ok ? options.accept(snapshot, result.value) : options.loadFailed(snapshot, result.error.code));
      },
      () => {
        if (isCurrent()) publish(options.loadFailed(snapshot, 'internal'));
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
