import { useMemo, useSyncExternalStore } from 'react';
import { createPhoneStore, type PhoneSnapshot, type PhoneStateSource } from '../state/phone-store';

/**
 * The phone state main pushes, read through one store per API object. Components
 * re-render when main sends a new state; they never change it themselves.
 */
export function usePhoneState(source: PhoneStateSource): PhoneSnapshot {
  const store = useMemo(() => createPhoneStore(source), [source]);
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
}
