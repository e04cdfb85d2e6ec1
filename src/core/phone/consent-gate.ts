/**
 * The consent gate (rule P4 of docs/practice.md: always ask the customer before holding or
 * transferring). Hold, transfer and escalate are refused unless they carry the id
 * of an "agreed" answer recorded for that very call and action, not used before and
 * not expired. Both answers are kept for the call's audit trail.
 *
 * There is deliberately no way to switch the gate off: no option, policy or command
 * bypasses `consume`. Only the time-to-live is configurable, within bounds.
 */
import { randomUUID } from 'node:crypto';
import type { ConsentAction, ConsentEntry } from '../../shared/contract';
import type { Clock } from '../clock';
import { PhoneError } from './phone-error';

/** Bounds on the consent lifetime: long enough to click, short enough to stay true. */
export const CONSENT_TTL_BOUNDS_MS = { min: 10_000, max: 600_000 } as const;
export const DEFAULT_CONSENT_TTL_MS = 120_000;

interface StoredConsent extends ConsentEntry {
  callId: string;
}

/** Records consent answers and hands out single-use permissions. */
export class ConsentGate {
  private readonly consents = new Map<string, StoredConsent>();

  constructor(
    private readonly clock: Clock,
    private ttlMs: number = DEFAULT_CONSENT_TTL_MS,
  ) {
    this.setTtl(ttlMs);
  }

  /** Changes how long new consents stay valid, clamped to CONSENT_TTL_BOUNDS_MS. */
  setTtl(ttlMs: number): void {
    this.ttlMs = Math.min(CONSENT_TTL_BOUNDS_MS.max, Math.max(CONSENT_TTL_BOUNDS_MS.min, ttlMs));
  }

  /** Records the caller's answer. Declined answers are recorded too, and can never be used. */
  record(callId: string, action: ConsentAction, answer: 'agreed' | 'declined'): ConsentEntry {
    const now = this.clock.now();
    const entry: StoredConsent = {
      id: randomUUID(),
      callId,
      action,
      answer,
      recordedAt: now,
      expiresAt: now + this.ttlMs,
      usedAt: null,
    };
    this.consents.set(entry.id, entry);
    return toEntry(entry);
  }

  /**
   * Checks a consent for `callId` and `action` and marks it used. Throws a
   * PhoneError with a consent-* code, before anything is sent, when it does not fit.
   */
  consume(consentId: string, callId: string, action: ConsentAction): ConsentEntry {
    const consent = this.consents.get(consentId);
    if (!consent) {
      throw new PhoneError('consent-required', `Ask the caller first: ${action} needs their recorded agreement.`);
    }
    if (consent.callId !== callId || consent.action !== action) {
      throw new PhoneError(
        'consent-mismatch',
        `That consent was given for ${consent.action} on another call or action; ask the caller about ${action} on this call.`,
      );
    }
    if (consent.answer !== 'agreed') {
      throw new PhoneError('consent-declined', `The caller declined to ${action}; it was not done.`);
    }
    if (consent.usedAt !== null) {
      throw new PhoneError('consent-used', 'That consent was already used; ask the caller again.');
    }
    const now = this.clock.now();
    if (now >= consent.expiresAt) {
      throw new PhoneError('consent-expired', 'That consent is too old; ask the caller again.');
    }
    consent.usedAt = now;
    return toEntry(consent);
  }

  /** Every answer recorded for a call, oldest first. */
  forCall(callId: string): ConsentEntry[] {
    return [...this.consents.values()].filter((c) => c.callId === callId).map(toEntry);
  }

  /** Forgets a call's consents once the call's record has taken them. */
  forget(callId: string): void {
    for (const [id, consent] of this.consents) if (consent.callId === callId) this.consents.delete(id);
  }
}

function toEntry({ callId: _callId, ...entry }: StoredConsent): ConsentEntry {
  return { ...entry };
}
