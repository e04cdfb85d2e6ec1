/**
 * Managed policy, resolved: every source's raw values decoded and validated key by
 * key, then merged by priority. A bad key never stops the app: it is reported with
 * its source, key and reason, and that key is simply not applied (so the safe default,
 * or the agent's own setting, stays).
 *
 * Precedence per key: a locked value (the first source that locks it wins) >
 * the agent's own setting > a recommended value > the built-in default.
 */
import {
  isPolicyKey,
  policyKeyNames,
  policyKeys,
  type PolicyKey,
  type PolicyKeyDefinition,
  type PolicyLevel,
} from '../../shared/policy';
import { readLinuxPolicy, readSystemPolicy, type PolicySourceRead, type RegistryReader } from './policy-sources';

/** One applied policy value and where it came from. */
export interface PolicyValue {
  key: PolicyKey;
  value: unknown;
  level: PolicyLevel;
  source: string;
}

/** A problem with a policy source: reported to IT, never fatal. */
export interface PolicyIssue {
  source: string;
  /** The key, or `(source)` when the whole source could not be read. */
  key: string;
  reason: string;
}

/** The policy in force. */
export interface EffectivePolicy {
  /** Applied values by key (locked or recommended). */
  readonly values: ReadonlyMap<PolicyKey, PolicyValue>;
  readonly issues: readonly PolicyIssue[];
  /** Every source that was read, in priority order. */
  readonly sources: readonly string[];
}

/** No policy at all: an unmanaged machine. */
export const NO_POLICY: EffectivePolicy = { values: new Map(), issues: [], sources: [] };

/** What template values are replaced with (provisioning). */
export interface PolicyContext {
  /** The OS user name, for `${username}`. */
  username: string;
}

/**
 * The OS user name as it may stand in a SIP URI: a Windows `DOMAIN\user` or a
 * `user@domain` login keeps only the user; anything outside RFC 3261's unreserved
 * user characters makes it unusable (undefined).
 */
export function sipUserFromOsUser(username: string): string | undefined {
  const bare = username.split('\\').pop()!.split('@')[0]!.trim().toLowerCase();
  return /^[a-z0-9._~!$&'()*+,;=-]{1,64}$/.test(bare) ? bare : undefined;
}

/** Decodes a raw source value into the key's type: registry DWORDs to booleans, JSON strings to lists. */
function decode(definition: PolicyKeyDefinition, raw: unknown): unknown {
  switch (definition.kind) {
    case 'boolean':
      if (raw === 0 || raw === 1) return raw === 1;
      if (raw === 'true' || raw === 'false') return raw === 'true';
      return raw;
    case 'integer':
      if (typeof raw === 'string' && /^-?\d+$/.test(raw.trim())) return Number(raw.trim());
      return raw;
    case 'json':
      if (typeof raw === 'string') {
        try {
          return JSON.parse(raw) as unknown;
        } catch {
          throw new Error('must be valid JSON');
        }
      }
      return raw;
    default:
      return raw;
  }
}

/** Replaces `${username}` in a template key; anything else is passed through. */
function expand(key: PolicyKey, value: unknown, context: PolicyContext): unknown {
  if (key !== 'account.sipUriTemplate' && key !== 'account.displayNameTemplate') return value;
  if (typeof value !== 'string' || !value.includes('${username}')) return value;
  const user = key === 'account.sipUriTemplate' ? sipUserFromOsUser(context.username) : context.username;
  if (user === undefined) {
    throw new Error(`the OS user name "${context.username.slice(0, 64)}" cannot stand in a SIP address`);
  }
  return value.replaceAll('${username}', user);
}

function firstIssue(error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> }): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  return issue.path.length ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message;
}

/** Decodes and validates every source, then merges them by priority (`reads` highest first). */
export function resolvePolicy(reads: readonly PolicySourceRead[], context: PolicyContext): EffectivePolicy {
  const issues: PolicyIssue[] = [];
  const locked = new Map<PolicyKey, PolicyValue>();
  const recommended = new Map<PolicyKey, PolicyValue>();
  const sources: string[] = [];
  for (const read of reads) {
    sources.push(read.source);
    if ('error' in read) {
      issues.push({ source: read.source, key: '(source)', reason: read.error });
      continue;
    }
    const into = read.level === 'locked' ? locked : recommended;
    for (const [key, raw] of Object.entries(read.values)) {
      if (!isPolicyKey(key)) {
        issues.push({ source: read.source, key: key.slice(0, 64), reason: 'is not a Calmline policy key' });
        continue;
      }
      if (into.has(key)) continue; // a higher-priority source already set it
      const definition: PolicyKeyDefinition = policyKeys[key];
      try {
        const parsed = definition.schema.safeParse(decode(definition, raw));
        if (!parsed.success) {
          issues.push({ source: read.source, key, reason: firstIssue(parsed.error) });
          continue;
        }
        into.set(key, { key, value: expand(key, parsed.data, context), level: read.level, source: read.source });
      } catch (error) {
        issues.push({ source: read.source, key, reason: error instanceof Error ? error.message : String(error) });
      }
    }
  }
  const values = new Map<PolicyKey, PolicyValue>(recommended);
  for (const [key, value] of locked) values.set(key, value);
  return { values, issues, sources: [...new Set(sources)] };
}

/** The keys the agent cannot change. */
export function lockedKeys(policy: EffectivePolicy): PolicyKey[] {
  return policyKeyNames.filter((key) => policy.values.get(key)?.level === 'locked');
}

/** One line per issue, for the log and the diagnostics bundle. */
export function describePolicyIssue(issue: PolicyIssue): string {
  return `Policy ${issue.source}: ${issue.key} ignored (${issue.reason}); the default applies.`;
}

/** Options of {@link loadManagedPolicy}. */
export interface LoadPolicyOptions {
  platform: NodeJS.Platform;
  /** The OS user name (`os.userInfo().username`). */
  username: string;
  /** A policy file in the Linux format to read instead of the OS source (the web host's `--policy-file`). */
  policyFile?: string;
  registry?: RegistryReader;
}

/** Reads this machine's policy and resolves it; never throws. */
export async function loadManagedPolicy(options: LoadPolicyOptions): Promise<EffectivePolicy> {
  const reads = options.policyFile
    ? await readLinuxPolicy({ path: options.policyFile })
    : await readSystemPolicy({
        platform: options.platform,
        username: options.username,
        ...(options.registry ? { registry: options.registry } : {}),
      });
  return resolvePolicy(reads, { username: options.username });
}
