import { useCallback, useEffect, useRef, useState } from 'react';
import type { CalmlineApi } from '../../../shared/api';
import type { CallRecord } from '../../../shared/call-record';
import type { CallerRecord } from '../../../shared/caller-record';
import type { CommandErrorCode } from '../../../shared/result';
import { prefetchedCallersFor } from '../state/prefetched-callers';

/** What the caller card knows about a number. */
export interface CallerKnowledge {
  /** True until the directory has answered (flags, address, follow-ups). */
  loading: boolean;
  /** True until the history has answered (earlier calls); may come after the flags. */
  callsLoading: boolean;
  /** The directory entry; null when the caller has none (first call) or it failed to load. */
  record: CallerRecord | null;
  /** Earlier calls with their notes, newest first. */
  calls: readonly CallRecord[];
  /** Why a lookup failed, if one did. */
  error: CommandErrorCode | null;
  /** Looks the caller up again (after a flag or address was changed). */
  reload(): void;
}

/** The part of the API the card reads with. */
export type CallerLookupApi = Pick<CalmlineApi, 'lookupCaller' | 'callsForCaller' | 'onCallerPrefetched'>;

interface Answer<T> {
  number: string | null;
  value: T;
  error: CommandErrorCode | null;
}

const failed = { ok: false as const, error: { code: 'internal' as const, message: 'the host failed' } };

/**
 * Looks `number` up in the caller directory and the call history, each shown as soon
 * as it answers: the flags (what the agent must see first) never wait for the history.
 * A newer number (or reload) makes answers to older requests count for nothing.
 */
export function useCallerRecord(api: CallerLookupApi, number: string, callId?: string): CallerKnowledge {
  const [serial, setSerial] = useState(0);
  // Main pushes the record of a caller whose call starts ringing: a card mounting for
  // that call starts with it and does not ask.
  const [record, setRecord] = useState<Answer<CallerRecord | null>>(() => {
    const pushed = number === '' || callId === undefined ? undefined : prefetchedCallersFor(api).get(callId, number);
    return pushed === undefined ? { number: null, value: null, error: null } : { number, value: pushed, error: null };
  });
  const startedWith = useRef(record.number);
  const [calls, setCalls] = useState<Answer<readonly CallRecord[]>>({ number: null, value: [], error: null });

  useEffect(() => {
    if (number === '') return;
    let current = true;
    let stopListening = () => {};
    // A reload must see the change just made: it always asks main.
    if (serial > 0 || startedWith.current !== number) {
      // The push may still be on its way: whichever answers first is shown.
      if (serial === 0 && callId !== undefined) {
        stopListening = prefetchedCallersFor(api).subscribe(callId, (pushed) => {
          if (current) setRecord({ number, value: pushed, error: null });
        });
      }
      void api
        .lookupCaller(number)
        .catch(() => failed)
        .then((result) => {
          if (current)
            setRecord({ number, value: result.ok ? result.value : null, error: result.ok ? null : result.error.code });
        });
    }
    void api
      .callsForCaller(number, 5)
      .catch(() => failed)
      .then((result) => {
        if (current)
          setCalls({ number, value: result.ok ? result.value : [], error: result.ok ? null : result.error.code });
      });
    return () => {
      current = false;
      stopListening();
    };
  }, [api, number, callId, serial]);

  // Later pushes for this call are changes made meanwhile (by another agent, through the
  // shared directory): the open card shows them at once.
  useEffect(() => {
    if (number === '' || callId === undefined) return;
    return prefetchedCallersFor(api).subscribe(callId, (pushed) => setRecord({ number, value: pushed, error: null }));
  }, [api, number, callId]);

  const reload = useCallback(() => setSerial((value) => value + 1), []);
  // An answer about another number is never shown; a reload keeps the last answer on screen.
  const recordMine = record.number === number;
  const callsMine = calls.number === number;
  return {
    loading: number !== '' && !recordMine,
    callsLoading: number !== '' && !callsMine,
    record: recordMine ? record.value : null,
    calls: callsMine ? calls.value : [],
    error: (recordMine ? record.error : null) ?? (callsMine ? calls.error : null),
    reload,
  };
}
