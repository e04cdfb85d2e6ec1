/**
 * The de-escalation break offer (W1): whether a call that just ended earns one.
 *
 * Its own module because both sides need it: AgentAvailability decides the offer
 * when a call ends and carries it into wrap-up, and BreakPolicy announces it and
 * shows it. Kept apart, neither of those two imports the other's types back.
 */
import type { WorkspacePolicy } from '../../shared/workspace/workspace-policy';

/** The call a wrap-up is about. */
export interface EndedCallSummary {
  callId: string;
  direction: 'incoming' | 'outgoing';
  answeredAt: number;
  endedAt: number;
  /** From answer to end, hold included: the time spent with this customer (D2). */
  talkMs: number;
  /** A flag was raised on the caller during the call or its wrap-up (D3–D5). */
  flagged: boolean;
}

/** A de-escalation break offered after a hard call (W1); the agent takes it or declines it. */
export interface BreakOffer {
  kind: 'de-escalation';
  /** The caller was flagged, or the talk time was over `longCallMinutes`. */
  reason: 'flagged-call' | 'long-call';
  callId: string;
  /** Countdown length if taken. */
  minutes: number;
  offeredAt: number;
}

/**
 * Decides whether a call that just ended earns a de-escalation break offer: it was
 * flagged, or its talk time was over the policy's `longCallMinutes`. A flag wins
 * over length as the reason, because it is the one the agent will remember.
 */
export function decideDeEscalationOffer(
  call: EndedCallSummary,
  policy: Pick<WorkspacePolicy, 'longCallMinutes' | 'deEscalationBreakMinutes'>,
  now: number,
): BreakOffer | null {
  const long = call.talkMs > policy.longCallMinutes * 60_000;
  if (!call.flagged && !long) return null;
  return {
    kind: 'de-escalation',
    reason: call.flagged ? 'flagged-call' : 'long-call',
    callId: call.callId,
    minutes: policy.deEscalationBreakMinutes,
    offeredAt: now,
  };
}
