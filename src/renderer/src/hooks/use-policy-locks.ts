import { useEffect, useState } from 'react';
import type { CalmlineApi } from '../../../shared/api';

/**
 * The policy keys IT locked (src/shared/policy.ts), e.g. `account.wsUrl`, or an
 * empty set until main has answered. Only for showing the lock: main refuses a
 * change to a locked key whatever the form sends.
 */
export function usePolicyLocks(api: Pick<CalmlineApi, 'getPolicyLocks'>): ReadonlySet<string> {
  const [locked, setLocked] = useState<ReadonlySet<string>>(() => new Set());
  useEffect(() => {
    let current = true;
    api.getPolicyLocks().then(
      (result) => {
        if (current && result.ok) setLocked(new Set(result.value.locked));
      },
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [api]);
  return locked;
}
