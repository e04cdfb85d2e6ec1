/**
 * What the renderer may know of IT's managed policy: which keys are locked, so the
 * settings forms show "Set by your organisation" and disable those controls. The
 * refusal itself is the core's (src/core/policy/policy-store.ts), not the form's.
 */
import type { CommandHandler, CommandHandlers } from '../command-router';
import { lockedKeys, type EffectivePolicy } from '../policy/policy';

/** The channels these handlers answer. */
export type PolicyCommand = 'policy:get-locks';

/** What the policy handlers need. */
export interface PolicyHandlerDeps {
  policy: EffectivePolicy;
}

/** Builds the handlers of the policy commands. */
export function createPolicyHandlers(deps: PolicyHandlerDeps): Pick<CommandHandlers, PolicyCommand> {
  const handleGetLocks: CommandHandler<'policy:get-locks'> = () => ({
    managed: deps.policy.values.size > 0,
    locked: lockedKeys(deps.policy),
  });
  return { 'policy:get-locks': handleGetLocks };
}
