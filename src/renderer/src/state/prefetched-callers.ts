/**
 * The caller records main pushes as calls start ringing (`callers:prefetched`), kept
 * by call, so the caller card of that call can show the flags without asking main
 * first (and a later call from the same number never gets an older record). One cache
 * per API object (one per window), subscribed from the start (App) so no push is
 * missed before the card mounts.
 */
import type { CalmlineApi } from '../../../shared/api';
import type { CallerRecord } from '../../../shared/caller-record';
import { callerRecordSchema } from '../../../shared/caller-record';
import { z } from 'zod';

const messageSchema = z.object({ callId: z.string(), number: z.string(), record: callerRecordSchema.nullable() });

type Listener = (record: CallerRecord | null) => void;

export interface PrefetchedCallers {
  /** The record pushed for call `callId` if it is about `number` (null: a first call), else undefined. */
  get(callId: string, number: string): CallerRecord | null | undefined;
  /** Calls `listener` when the record for call `callId` is pushed; returns the unsubscribe function. */
  subscribe(callId: string, listener: Listener): () => void;
}

const caches = new WeakMap<object, PrefetchedCallers>();

/** The window's cache for `api`, created (and subscribed) on first use. */
export function prefetchedCallersFor(api: Pick<CalmlineApi, 'onCallerPrefetched'>): PrefetchedCallers {
  const existing = caches.get(api);
  if (existing) return existing;
  const entries = new Map<string, { number: string; record: CallerRecord | null }>();
  const listeners = new Map<string, Set<Listener>>();
  api.onCallerPrefetched((raw) => {
    const parsed = messageSchema.safeParse(raw);
    if (!parsed.success) return;
    const { callId, number, record } = parsed.data;
    entries.set(callId, { number, record });
    // Only the latest few matter: a desk takes one call at a time.
    if (entries.size > 20) entries.delete(entries.keys().next().value as string);
    for (const listener of [...(listeners.get(callId) ?? [])]) listener(record);
  });
  const cache: PrefetchedCallers = {
    get(callId, number) {
      const entry = entries.get(callId);
      return entry?.number === number ? entry.record : undefined;
    },
    subscribe(callId, listener) {
      const set = listeners.get(callId) ?? new Set<Listener>();
      set.add(listener);
      listeners.set(callId, set);
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(callId);
      };
    },
  };
  caches.set(api, cache);
  return cache;
}
