/**
 * The renderer's one store of phone state. Main is the authority: the store only
 * keeps the latest state it pushed (or answered to `getPhoneState`), plus a short
 * memory of calls that ended, so the agent still sees what just happened after the
 * core drops them.
 *
 *   getPhoneState() ──┐
 *                     ├──▶ parse ──▶ snapshot ──▶ components (useSyncExternalStore)
 *   onPhoneState ─────┘
 */
import type { CalmlineApi } from '../../../shared/api';
import { phoneStateSchema, type CallView, type PhoneState } from '../../../shared/contract';
import type { CommandErrorCode } from '../../../shared/result';

/** How many ended calls the store remembers. */
export const RECENTLY_ENDED_LIMIT = 5;

/** Why the store could not use what main sent. */
export type PhoneProblem =
  { kind: 'load-failed'; code: CommandErrorCode } | { kind: 'invalid-update' };

/** What components read. A new object on every change, so React can compare by identity. */
export interface PhoneSnapshot {
  /** The latest phone state, or null until the first one arrives. */
  phone: PhoneState | null;
  /** Ended calls, most recent first, at most RECENTLY_ENDED_LIMIT. */
  recentlyEnded: readonly CallView[];
  /** Set when the last load or update could not be used; cleared by the next good one. */
  problem: PhoneProblem | null;
}

/** A subscribable store in the shape `useSyncExternalStore` expects. */
export interface PhoneStore {
  subscribe(listener: () => void): () => void;
  getSnapshot(): PhoneSnapshot;
}

/** The part of the API the store needs. */
export type PhoneStateSource = Pick<CalmlineApi, 'getPhoneState' | 'onPhoneState'>;

const initialSnapshot: PhoneSnapshot = { phone: null, recentlyEnded: [], problem: null };

/**
 * Creates a store over `source`. It listens to main only while someone listens to
 * it, and loads the current state each time it starts listening.
 */
export function createPhoneStore(source: PhoneStateSource): PhoneStore {
  const listeners = new Set<() => void>();
  let snapshot = initialSnapshot;
  let stopListening: (() => void) | null = null;
  // Bumped by every push and every (re)connection, so a slow getPhoneState answer
  // never overwrites a newer pushed state.
  let generation = 0;

  const publish = (next: PhoneSnapshot): void => {
    snapshot = next;
    for (const listener of listeners) listener();
  };

  const accept = (raw: unknown): void => {
    const parsed = phoneStateSchema.safeParse(raw);
    if (!parsed.success) {
      publish({ ...snapshot, problem: { kind: 'invalid-update' } });
      return;
    }
    publish({
      phone: parsed.data,
      recentlyEnded: mergeEnded(snapshot.recentlyEnded, parsed.data.calls),
      problem: null,
    });
  };

  const connect = (): void => {
    generation += 1;
    const loadGeneration = generation;
    const isCurrent = () => stopListening !== null && generation === loadGeneration;
    stopListening = source.onPhoneState((state) => {
      generation += 1;
      accept(state);
    });
    source.getPhoneState().then(
      (result) => {
        if (!isCurrent()) return;
        if (result.ok) accept(result.value);
        else publish({ ...snapshot, problem: { kind: 'load-failed', code: result.error.code } });
      },
      () => {
        if (isCurrent())
          publish({ ...snapshot, problem: { kind: 'load-failed', code: 'internal' } });
      },
    );
  };

  const disconnect = (): void => {
    stopListening?.();
    stopListening = null;
  };

  return {
    subscribe(listener) {
      listeners.add(listener);
      if (listeners.size === 1) connect();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) disconnect();
      };
    },
    getSnapshot: () => snapshot,
  };
}

function endedAt(call: CallView): number {
  return call.endedAt ?? call.offeredAt;
}

/** Adds the ended calls of `calls` to `known`, newest first, replacing ones with the same id. */
function mergeEnded(known: readonly CallView[], calls: readonly CallView[]): readonly CallView[] {
  const ended = calls.filter((call) => call.state === 'ended');
  if (ended.length === 0) return known;
  const byId = new Map(known.map((call) => [call.id, call]));
  for (const call of ended) byId.set(call.id, call);
  return [...byId.values()].sort((a, b) => endedAt(b) - endedAt(a)).slice(0, RECENTLY_ENDED_LIMIT);
}
