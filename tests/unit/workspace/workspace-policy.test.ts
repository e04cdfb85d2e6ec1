import { describe, expect, it } from 'vitest';
import {
  DEFAULT_WORKSPACE_POLICY,
  loadWorkspacePolicy,
  parseWorkspacePolicy,
} from '../../../src/shared/workspace/workspace-policy';
import { errorOf } from './error-of';

describe('workspace policy', () => {
  it('has defaults for everything, including the greeting and thank-you in four languages', () => {
    expect(DEFAULT_WORKSPACE_POLICY).toMatchObject({
      wrapUpLimitSeconds: 60,
      longCallMinutes: 20,
      callLengthHintMinutes: 15,
      deEscalationBreakMinutes: 5,
      regularBreakEnabled: true,
      regularBreakIntervalMinutes: 50,
      regularBreakMinutes: 5,
      eyeRestEnabled: true,
      eyeRestIntervalMinutes: 10,
      eyeRestSeconds: 20,
      snoozeMinutes: 5,
      unavailableMode: 'busy',
      defaultChecklistId: 'heat',
    });
    for (const text of [DEFAULT_WORKSPACE_POLICY.greeting, DEFAULT_WORKSPACE_POLICY.thankYou]) {
      expect(Object.keys(text).sort()).toEqual(['de', 'en', 'fa', 'nb']);
    }
    expect(parseWorkspacePolicy(undefined)).toEqual(DEFAULT_WORKSPACE_POLICY);
  });

  it('fills what an IT file leaves out', () => {
    const policy = parseWorkspacePolicy({
      unavailableMode: 'unregister',
      longCallMinutes: 30,
      greeting: { en: 'Acme, hello!' },
    });
    expect(policy.unavailableMode).toBe('unregister');
    expect(policy.longCallMinutes).toBe(30);
    expect(policy.greeting).toEqual({ en: 'Acme, hello!' });
    expect(policy.wrapUpLimitSeconds).toBe(60);
  });

  it('refuses values out of bounds, naming the file, the field and the range', () => {
    const error = errorOf(() =>
      parseWorkspacePolicy(
        { regularBreakIntervalMinutes: 500, eyeRestSeconds: 2.5, wrapUpLimitSeconds: 0 },
        'it/workspace.json',
      ),
    );
    expect(error.code).toBe('invalid-policy');
    expect(error.message).toMatch(/^it\/workspace\.json: /);
    expect(error.message).toContain('regularBreakIntervalMinutes: must be a whole number of minutes from 10 to 240');
    expect(error.message).toContain('eyeRestSeconds: must be a whole number of seconds from 10 to 120');
    expect(error.message).toContain('wrapUpLimitSeconds: must be a whole number of seconds from 10 to 1800');
  });

  it('refuses a typo, a bad mode, a greeting without English and garbage', () => {
    expect(errorOf(() => parseWorkspacePolicy({ snoozeMinute: 5 })).message).toContain('unknown field "snoozeMinute"');
    expect(errorOf(() => parseWorkspacePolicy({ unavailableMode: 'dnd' })).message).toContain(
      'unavailableMode: must be "busy" or "unregister"',
    );
    expect(errorOf(() => parseWorkspacePolicy({ greeting: { de: 'Hallo' } })).message).toContain(
      'greeting.en: English text',
    );
    expect(errorOf(() => parseWorkspacePolicy({ defaultChecklistId: 'My List' })).message).toContain(
      'defaultChecklistId',
    );
    expect(errorOf(() => parseWorkspacePolicy('garbage')).message).toContain('must be an object of workspace settings');
    expect(errorOf(() => parseWorkspacePolicy({ longCallMinutes: '20' })).message).toContain('longCallMinutes');
  });

  it('loads the defaults and reports the error when the file is bad, so agents can still work', () => {
    const { policy, error } = loadWorkspacePolicy({ snoozeMinutes: -1 }, 'it/workspace.json');
    expect(policy).toEqual(DEFAULT_WORKSPACE_POLICY);
    expect(error).toContain('it/workspace.json: snoozeMinutes');
    expect(loadWorkspacePolicy({ snoozeMinutes: 10 }).error).toBeNull();
  });
});
