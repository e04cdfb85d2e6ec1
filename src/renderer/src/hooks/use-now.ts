import { useEffect, useState } from 'react';

/**
 * The current time, updated every `intervalMs` while the component is mounted.
 * Components that show a running clock (the ring timer) mount only while they
 * need it, so nothing ticks when nothing is shown. Tests drive it with fake timers.
 */
export function useNow(intervalMs = 1_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
