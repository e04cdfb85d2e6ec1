/**
 * The agent's settings with IT's policy laid over them. A `PolicyStore` is a
 * KeyValueStore, so every existing setting (the account, call policy, language,
 * media and workspace policy, retention) takes policy without knowing about it:
 *
 * - `get` answers built-in default < recommended policy < the agent's value < locked
 *   policy, field by field;
 * - `set` refuses, with a {@link PolicyLockedError}, any value that differs from a
 *   locked key, so neither the UI nor a command can change it;
 * - `callPolicy.consentTtlSeconds` is always a ceiling: policy can make the consent
 *   gate stricter, never weaker (docs/practice.md#p4).
 */
import { isDeepStrictEqual } from 'node:util';
import { policyKeys, type PolicyKey, type PolicyKeyDefinition } from '../../shared/policy';
import type { KeyValueStore } from '../settings';
import type { EffectivePolicy, PolicyValue } from './policy';

/** A save that would change a setting IT locked. */
export class PolicyLockedError extends Error {
  readonly code = 'locked-by-policy' as const;
  constructor(readonly key: PolicyKey) {
    super(`"${key}" is set by your organisation and cannot be changed here.`);
    this.name = 'PolicyLockedError';
  }
}

/** The value a stored setting starts from when policy fills only some of its fields. */
export type SettingBases = Record<string, Record<string, unknown>>;

/** The consent time-to-live policy caps, whatever level it is set at. */
const CONSENT_TTL_KEY: PolicyKey = 'callPolicy.consentTtlSeconds';

function targetOf(key: PolicyKey): PolicyKeyDefinition['target'] {
  return (policyKeys[key] as PolicyKeyDefinition).target;
}

/** The retention keys, where a policy's 0 means "keep everything". */
const RETENTION_KEYS: ReadonlySet<PolicyKey> = new Set([
  'retentionDays',
  'directoryRetentionDays',
  'incidentRetentionDays',
  'exportRetentionDays',
]);

/** The stored form of a policy value: retention 0 means "keep everything" (null). */
function storedValue(key: PolicyKey, value: unknown): unknown {
  return RETENTION_KEYS.has(key) && value === 0 ? null : value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The settings store with policy applied. */
export class PolicyStore implements KeyValueStore {
  private readonly bySetting = new Map<string, PolicyValue[]>();

  constructor(
    private readonly inner: KeyValueStore,
    readonly policy: EffectivePolicy,
    private readonly bases: SettingBases = {},
  ) {
    for (const value of policy.values.values()) {
      const { setting } = targetOf(value.key);
      const list = this.bySetting.get(setting) ?? [];
      list.push(value);
      this.bySetting.set(setting, list);
    }
  }

  get(setting: string): unknown {
    const user = this.inner.get(setting);
    const applied = this.bySetting.get(setting);
    if (!applied) return user;
    const scalar = applied.find((value) => targetOf(value.key).field === undefined);
    if (scalar) {
      if (scalar.level === 'locked') return storedValue(scalar.key, scalar.value);
      return user !== undefined ? user : storedValue(scalar.key, scalar.value);
    }
    const merged: Record<string, unknown> = { ...(this.bases[setting] ?? {}) };
    for (const value of applied) {
      if (value.level === 'recommended' && value.key !== CONSENT_TTL_KEY)
        merged[targetOf(value.key).field!] = value.value;
    }
    if (isRecord(user)) Object.assign(merged, user);
    for (const value of applied) {
      if (value.level === 'locked' && value.key !== CONSENT_TTL_KEY) merged[targetOf(value.key).field!] = value.value;
    }
    const ceiling = applied.find((value) => value.key === CONSENT_TTL_KEY);
    if (ceiling && typeof ceiling.value === 'number') {
      const current = typeof merged.consentTtlSeconds === 'number' ? merged.consentTtlSeconds : ceiling.value;
      merged.consentTtlSeconds = Math.min(current, ceiling.value);
    }
    if (setting === 'account' && user === undefined && !(merged.wsUrl && merged.sipUri)) {
      // Half an account (say, only the server) is not one: the form asks for the rest.
      return undefined;
    }
    return merged;
  }

  set(setting: string, value: unknown): void {
    for (const applied of this.bySetting.get(setting) ?? []) {
      // The consent lifetime is a ceiling, not a value: a shorter one may always be saved.
      if (applied.level !== 'locked' || applied.key === CONSENT_TTL_KEY) continue;
      const field = targetOf(applied.key).field;
      const given = field === undefined ? value : isRecord(value) ? value[field] : undefined;
      if (!isDeepStrictEqual(given, storedValue(applied.key, applied.value))) throw new PolicyLockedError(applied.key);
    }
    this.inner.set(setting, value);
  }

  /** What the agent (or the app) stored for `setting` itself, without policy. */
  ownValue(setting: string): unknown {
    return this.inner.get(setting);
  }

  /** Where a key's value comes from now: policy (with its source) or the agent / the default. */
  origin(key: PolicyKey): PolicyValue | undefined {
    return this.policy.values.get(key);
  }
}
