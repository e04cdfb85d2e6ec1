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
import { createMainPushedStore, type MainPushedStore } from './main-pushed-store';

/** How many ended calls the store remembers. */
export const RECENTLY_ENDED_LIMIT = 5;

/** Why the store could not use what main sent. */
export type PhoneProblem = { kind: 'load-failed'; code: CommandErrorCode } | { kind: 'invalid-update' };

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
export type PhoneStore = MainPushedStore<PhoneSnapshot>;

/** The part of the API the store needs. */
export type PhoneStateSource = Pick<CalmlineApi, 'getPhoneState' | 'onPhoneState'>;

const initialSnapshot: PhoneSnapshot = { phone: null, recentlyEnded: [], problem: null };

/**
 * Creates a store over `source`. It listens to main only while someone listens to
 * it, and loads the current state each time it starts listening.
 */
export function createPhoneStore(source: PhoneStateSource): PhoneStore {
  return createMainPushedStore<PhoneSnapshot>({
    initial: initialSnapshot,
    listen: (onValue) => source.onPhoneState(onValue),
    load: () => source.getPhoneState(),
    accept: (snapshot, raw) => {
      const parsed = phoneStateSchema.safeParse(raw);
      if (!parsed.success) return { ...snapshot, problem: { kind: 'invalid-update' } };
      return {
        phone: parsed.data,
        recentlyEnded: mergeEnded(snapshot.recentlyEnded, parsed.data.calls),
        problem: null,
      };
    },
    loadFailed: (snapshot, code) => ({ ...snapshot, problem: { kind: 'load-failed', code } }),
  });
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
