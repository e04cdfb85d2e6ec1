/**
 * The caller records main pushes as calls start ringing (`callers:prefetched`), kept
 * briefly so the caller card can show the flags without asking main first. One cache
 * per API object (one per window), subscribed from the start (App) so no push is
 * missed before the card mounts.
 */
import type { CalmlineApi } from '../../../shared/api';
import type { CallerRecord } from '../../../shared/caller-record';
import { callerRecordSchema } from '../../../shared/caller-record';
import { z } from 'zod';

/** How long a pushed record is trusted; the card asks main itself after that. */
const FRESH_MS = 10_000;

const messageSchema = z.object({ number: z.string(), record: callerRecordSchema.nullable() });

type Listener = (record: CallerRecord | null) => void;

export interface PrefetchedCallers {
  /** The record pushed for `number` in the last few seconds (null: a first call), else undefined. */
  get(number: string): CallerRecord | null | undefined;
  /** Calls `listener` when a record for `number` is pushed; returns the unsubscribe function. */
  subscribe(number: string, listener: Listener): () => void;
}

const caches = new WeakMap<object, PrefetchedCallers>();

/** The window's cache for `api`, created (and subscribed) on first use. */
export function prefetchedCallersFor(api: Pick<CalmlineApi, 'onCallerPrefetched'>): PrefetchedCallers {
  const existing = caches.get(api);
  if (existing) return existing;
  const entries = new Map<string, { record: CallerRecord | null; at: number }>();
  const listeners = new Map<string, Set<Listener>>();
  api.onCallerPrefetched((raw) => {
    const parsed = messageSchema.safeParse(raw);
    if (!parsed.success) return;
    const { number, record } = parsed.data;
    entries.set(number, { record, at: Date.now() });
    // Only the latest few matter: a desk takes one call at a time.
    if (entries.size > 20) entries.delete(entries.keys().next().value as string);
    for (const listener of [...(listeners.get(number) ?? [])]) listener(record);
  });
  const cache: PrefetchedCallers = {
    get(number) {
      const entry = entries.get(number);
      return entry && Date.now() - entry.at < FRESH_MS ? entry.record : undefined;
    },
    subscribe(number, listener) {
      const set = listeners.get(number) ?? new Set<Listener>();
      set.add(listener);
      listeners.set(number, set);
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(number);
      };
    },
  };
  caches.set(api, cache);
  return cache;
}
