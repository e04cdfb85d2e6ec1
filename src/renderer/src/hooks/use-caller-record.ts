import { useCallback, useEffect, useState } from 'react';
import type { CalmlineApi } from '../../../shared/api';
import type { CallRecord } from '../../../shared/call-record';
import type { CallerRecord } from '../../../shared/caller-record';
import type { CommandErrorCode } from '../../../shared/result';

/** What the caller card knows about a number. */
export interface CallerKnowledge {
  /** True until the first answers arrive. */
  loading: boolean;
  /** The directory entry; null when the caller has none (first call) or it failed to load. */
  record: CallerRecord | null;
  /** Earlier calls with their notes, newest first. */
  calls: readonly CallRecord[];
  /** Why the lookup failed, if it did. */
  error: CommandErrorCode | null;
  /** Looks the caller up again (after a flag or address was changed). */
  reload(): void;
}

/** The part of the API the card reads with. */
export type CallerLookupApi = Pick<CalmlineApi, 'lookupCaller' | 'callsForCaller'>;

/**
 * Looks `number` up in the caller directory and the call history. A newer number
 * (or reload) makes answers to older requests count for nothing.
 */
export function useCallerRecord(api: CallerLookupApi, number: string): CallerKnowledge {
  const [serial, setSerial] = useState(0);
  const [answer, setAnswer] = useState<{
    number: string | null;
    record: CallerRecord | null;
    calls: readonly CallRecord[];
    error: CommandErrorCode | null;
  }>({ number: null, record: null, calls: [], error: null });

  useEffect(() => {
    if (number === '') return;
    let current = true;
    const failed = { ok: false as const, error: { code: 'internal' as const, message: 'the host failed' } };
    void Promise.all([
      api.lookupCaller(number).catch(() => failed),
      api.callsForCaller(number, 5).catch(() => failed),
    ]).then(([record, calls]) => {
      if (!current) return;
      setAnswer({
        number,
        record: record.ok ? record.value : null,
        calls: calls.ok ? calls.value : [],
        error: !record.ok ? record.error.code : !calls.ok ? calls.error.code : null,
      });
    });
    return () => {
      current = false;
    };
  }, [api, number, serial]);

  const reload = useCallback(() => setSerial((value) => value + 1), []);
  // An answer about another number is never shown; a reload keeps the last answer on screen.
  const mine = answer.number === number;
  return {
    loading: number !== '' && !mine,
    record: mine ? answer.record : null,
    calls: mine ? answer.calls : [],
    error: mine ? answer.error : null,
    reload,
  };
}
