/**
 * Policy laid over the agent's settings: precedence (built-in default < recommended <
 * the agent's own value < locked), locked settings refused through the real command
 * router with a typed error, and the consent gate: no policy key, at any value or
 * level, makes it weaker.
 */
import { describe, expect, it } from 'vitest';
import { AppCore } from '../../../src/core/app-core';
import { silentLogger } from '../../../src/core/logger';
import { DEFAULT_CALL_POLICY } from '../../../src/core/phone/phone';
import { ConsentGate } from '../../../src/core/phone/consent-gate';
import { NO_POLICY, resolvePolicy, type EffectivePolicy } from '../../../src/core/policy/policy';
import { PolicyLockedError, PolicyStore } from '../../../src/core/policy/policy-store';
import { SETTING_BASES } from '../../../src/core/policy/setting-bases';
import {
  AccountSettings,
  callPolicySetting,
  createMemorySecretStore,
  createMemoryStore,
  languageSetting,
  encryptionRequired,
  retentionDaysFrom,
  retentionPeriodsFrom,
  type KeyValueStore,
} from '../../../src/core/settings';
import { policyKeyNames, policyKeys, type PolicyKeyDefinition, type PolicyLevel } from '../../../src/shared/policy';
import { createFakeClock } from '../../support/fake-clock';

function policyOf(locked: Record<string, unknown>, recommended: Record<string, unknown> = {}): EffectivePolicy {
  return resolvePolicy(
    [
      { source: 'test (locked)', level: 'locked', values: locked },
      { source: 'test (recommended)', level: 'recommended', values: recommended },
    ],
    { username: 'anna' },
  );
}

function storeWith(policy: EffectivePolicy, user: Record<string, unknown> = {}): PolicyStore {
  return new PolicyStore(createMemoryStore(user), policy, SETTING_BASES);
}

describe('precedence', () => {
  it('default < recommended < the agent < locked, field by field', () => {
    const policy = policyOf(
      { 'callPolicy.escalationMode': 'blind' },
      { 'callPolicy.escalationTarget': '2000', 'callPolicy.defaultRegion': 'NO' },
    );
    // No value of the agent's: recommended over the built-in default.
    const fresh = callPolicySetting(storeWith(policy), DEFAULT_CALL_POLICY, silentLogger).get();
    expect(fresh).toEqual({
      ...DEFAULT_CALL_POLICY,
      escalationTarget: '2000',
      defaultRegion: 'NO',
      escalationMode: 'blind',
    });
    // The agent's own value over recommended; locked over the agent's.
    const store = storeWith(policy, {
      callPolicy: { ...DEFAULT_CALL_POLICY, escalationTarget: '3000', escalationMode: 'attended' },
    });
    const mine = callPolicySetting(store, DEFAULT_CALL_POLICY, silentLogger).get();
    expect(mine.escalationTarget).toBe('3000');
    expect(mine.escalationMode).toBe('blind');
  });

  it('applies scalar settings: retention 0 keeps everything; recommended gives way to the agent', () => {
    expect(retentionDaysFrom(storeWith(policyOf({ retentionDays: 0 }), { retentionDays: 30 }))).toBeUndefined();
    expect(retentionDaysFrom(storeWith(policyOf({}, { retentionDays: 90 })))).toBe(90);
    expect(retentionDaysFrom(storeWith(policyOf({}, { retentionDays: 90 }), { retentionDays: 30 }))).toBe(30);
  });

  it('sets the directory, incident and export retention and can require encryption at rest', () => {
    const store = storeWith(
      policyOf({ directoryRetentionDays: 0, incidentRetentionDays: 730, 'dataProtection.requireEncryption': true }),
      { directoryRetentionDays: 30, incidentRetentionDays: 10, dataProtection: { requireEncryption: false } },
    );
    const periods = retentionPeriodsFrom(store);
    expect(periods.directoryDays).toBeUndefined();
    expect(periods).toMatchObject({ incidentDays: 730, exportDays: 30 });
    expect(encryptionRequired(store)).toBe(true);
    expect(() => store.set('dataProtection', { requireEncryption: false })).toThrow(PolicyLockedError);
  });

  it('provisions the account from the template: only the password is left to type', () => {
    const policy = policyOf({
      'account.wsUrl': 'wss://pbx.example.com/ws',
      'account.sipUriTemplate': 'sip:${username}@pbx.example.com',
    });
    const account = new AccountSettings(storeWith(policy), createMemorySecretStore(), silentLogger);
    expect(account.view()).toEqual({
      wsUrl: 'wss://pbx.example.com/ws',
      sipUri: 'sip:anna@pbx.example.com',
      displayName: '',
      hasPassword: false,
    });
    // Half an account is none: the form still asks for the SIP address.
    const half = new AccountSettings(
      storeWith(policyOf({ 'account.wsUrl': 'wss://pbx.example.com/ws' })),
      createMemorySecretStore(),
      silentLogger,
    );
    expect(half.get()).toBeUndefined();
  });

  it("saves the agent's changes to unlocked fields and refuses changes to locked ones", () => {
    const inner = createMemoryStore();
    const store = new PolicyStore(inner, policyOf({ language: 'de' }), SETTING_BASES);
    const language = languageSetting(store, silentLogger);
    expect(language.get()).toEqual({ language: 'de' });
    expect(() => language.save({ language: 'fa' })).toThrow(PolicyLockedError);
    expect(inner.get('language')).toBeUndefined();
    // Saving the locked value itself (a whole form sent back unchanged) is fine.
    language.save({ language: 'de' });
  });
});

describe('a locked setting through the command router', () => {
  function core(policy: EffectivePolicy, user: Record<string, unknown> = {}): AppCore {
    return new AppCore({
      store: storeWith(policy, user),
      secrets: createMemorySecretStore(),
      clock: createFakeClock(),
      logger: silentLogger,
      managedPolicy: policy,
    });
  }

  it('refuses each with locked-by-policy, changes nothing, and lists the locks for the UI', async () => {
    const policy = policyOf(
      {
        'account.wsUrl': 'wss://pbx.example.com/ws',
        'account.sipUriTemplate': 'sip:${username}@pbx.example.com',
        language: 'nb',
        'callPolicy.escalationTarget': 'sip:lead@pbx.example.com',
        retentionDays: 30,
      },
      { 'updates.channel': 'pilot' },
    );
    const app = core(policy);
    expect(await app.router('policy:get-locks', undefined)).toEqual({
      ok: true,
      value: {
        managed: true,
        locked: ['account.wsUrl', 'account.sipUriTemplate', 'callPolicy.escalationTarget', 'retentionDays', 'language'],
      },
    });
    const refusals = await Promise.all([
      app.router('settings:save-account', {
        wsUrl: 'wss://elsewhere.example.com/ws',
        sipUri: 'sip:anna@pbx.example.com',
        displayName: 'Anna',
      }),
      app.router('settings:save-language', { language: 'fa' }),
      app.router('settings:save-call-policy', { ...DEFAULT_CALL_POLICY, escalationTarget: '2000' }),
      app.router('settings:save-retention', { retentionDays: null }),
    ]);
    for (const refusal of refusals) {
      expect(refusal).toMatchObject({ ok: false, error: { code: 'locked-by-policy' } });
    }
    expect(refusals[0]).toMatchObject({ error: { message: expect.stringContaining('account.wsUrl') } });
    expect(await app.router('settings:get-language', undefined)).toEqual({ ok: true, value: { language: 'nb' } });
    expect(await app.router('settings:get-retention', undefined)).toEqual({ ok: true, value: { retentionDays: 30 } });
    // What is not locked still saves: the display name, the password.
    const saved = await app.router('settings:save-account', {
      wsUrl: 'wss://pbx.example.com/ws',
      sipUri: 'sip:anna@pbx.example.com',
      displayName: 'Anna',
      password: 'pw',
    });
    expect(saved).toMatchObject({ ok: true, value: { displayName: 'Anna', hasPassword: true } });
    await app.stop();
  });

  it('says an unmanaged machine has no locks', async () => {
    const app = core(NO_POLICY);
    expect(await app.router('policy:get-locks', undefined)).toEqual({
      ok: true,
      value: { managed: false, locked: [] },
    });
    await app.stop();
  });
});

/** Valid values at the edges of each key: every enum value, both booleans, the bounds, the example. */
function edgeValues(definition: PolicyKeyDefinition): unknown[] {
  switch (definition.kind) {
    case 'boolean':
      return [true, false];
    case 'enum':
      return [...(definition.values ?? [])];
    case 'integer':
      return [definition.min, definition.max, definition.example];
    default:
      return [definition.example];
  }
}

describe('the consent gate under every policy key', () => {
  const users: Array<Record<string, unknown>> = [
    {},
    { callPolicy: { ...DEFAULT_CALL_POLICY, consentTtlSeconds: 10 } },
    { callPolicy: { ...DEFAULT_CALL_POLICY, consentTtlSeconds: 600 } },
  ];

  function effectiveTtl(store: KeyValueStore): number {
    return callPolicySetting(store, DEFAULT_CALL_POLICY, silentLogger).get().consentTtlSeconds;
  }

  it('never lengthens the consent lifetime, nor lets an action pass without, against or after a consent', () => {
    let tried = 0;
    for (const key of policyKeyNames) {
      const definition: PolicyKeyDefinition = policyKeys[key];
      for (const value of edgeValues(definition)) {
        for (const level of ['locked', 'recommended'] as PolicyLevel[]) {
          const policy = level === 'locked' ? policyOf({ [key]: value }) : policyOf({}, { [key]: value });
          expect(policy.issues, `${key}=${JSON.stringify(value)}`).toEqual([]);
          for (const user of users) {
            tried++;
            const without = effectiveTtl(createMemoryStore(user));
            const withPolicy = effectiveTtl(storeWith(policy, user));
            expect(withPolicy, `${key}=${JSON.stringify(value)} (${level})`).toBeLessThanOrEqual(without);
            const clock = createFakeClock();
            const gate = new ConsentGate(clock, withPolicy * 1000);
            expect(() => gate.consume('none', 'call-1', 'hold')).toThrow(/Ask the caller first/);
            const declined = gate.record('call-1', 'hold', 'declined');
            expect(() => gate.consume(declined.id, 'call-1', 'hold')).toThrow(/declined/);
            const agreed = gate.record('call-1', 'transfer', 'agreed');
            clock.advance(withPolicy * 1000);
            expect(() => gate.consume(agreed.id, 'call-1', 'transfer')).toThrow(/too old/);
          }
        }
      }
    }
    expect(tried).toBeGreaterThan(policyKeyNames.length * 6);
  });

  it('has no key that names the consent gate or the permission prompt, and ignores one that tries', () => {
    for (const key of policyKeyNames) expect(key).not.toMatch(/consent(?!Ttl)|permission|prompt|gate/i);
    const policy = policyOf({
      'consent.enabled': false,
      'callPolicy.consentRequired': false,
      'callPolicy.consentTtlSeconds': 86_400,
    });
    expect(policy.values.size).toBe(0);
    expect(policy.issues.map((issue) => issue.key).sort()).toEqual(
      ['callPolicy.consentRequired', 'callPolicy.consentTtlSeconds', 'consent.enabled'].sort(),
    );
  });
});
