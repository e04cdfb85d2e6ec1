import { useEffect, useState } from 'react';
import type { CalmlineApi } from '../../../shared/api';
import type { CallPolicy } from '../../../shared/contract';

/**
 * The call policy main holds (escalation target and mode), or null until it has
 * answered or when it could not be loaded; the consent dialog names the target from
 * it. (Whether Escalate is offered comes with each call, in `call.allowed`.)
 * `reloadKey` asks for a fresh copy, e.g. whenever another call comes in, since
 * the policy has no change event.
 */
export function useCallPolicy(api: Pick<CalmlineApi, 'getCallPolicy'>, reloadKey: string): CallPolicy | null {
  const [policy, setPolicy] = useState<CallPolicy | null>(null);
  useEffect(() => {
    let current = true;
    api.getCallPolicy().then(
      (result) => {
        if (current && result.ok) setPolicy(result.value);
      },
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [api, reloadKey]);
  return policy;
}
