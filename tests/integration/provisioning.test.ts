/**
 * Provisioning on a managed machine: IT's policy gives the server and the account
 * template `sip:${username}@…`; on the first start nothing is stored, the phone
 * waits (the settings form opens) and the agent types only the password. The
 * account cannot be changed to another one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePolicy } from '../../src/core/policy/policy';
import { startAgent, type TestAgent } from '../support/agent';
import { startKamailio, type Kamailio } from '../support/kamailio';

let kamailio: Kamailio;
let agent: TestAgent;

beforeAll(async () => {
  kamailio = await startKamailio({ auth: { users: { 'anna.berg': 'pa55-word' } } });
});

afterAll(async () => {
  await agent?.stop();
  await kamailio?.stop();
});

describe('a provisioned first start', () => {
  it('needs only the password: the account comes from the template and the OS user', async () => {
    const policy = resolvePolicy(
      [
        {
          source: 'HKLM\\Software\\Policies\\Calmline',
          level: 'locked',
          values: {
            'account.wsUrl': kamailio.wsUrl,
            'account.sipUriTemplate': `sip:\${username}@${kamailio.domain}`,
            'account.displayNameTemplate': '${username}',
          },
        },
      ],
      { username: 'CALLCENTRE\\Anna.Berg' },
    );
    expect(policy.issues).toEqual([]);
    agent = await startAgent(kamailio, { policy, password: null, storeAccount: false, waitForRegistration: false });
    expect(agent.core.phoneState().registration).toEqual({ status: 'unconfigured' });
    const view = await agent.must<{ sipUri: string; wsUrl: string; hasPassword: boolean }>('settings:get-account');
    expect(view).toMatchObject({
      sipUri: `sip:anna.berg@${kamailio.domain}`,
      wsUrl: kamailio.wsUrl,
      hasPassword: false,
    });

    // The agent types the password and saves the form as it shows (locked fields unchanged).
    await agent.must('settings:save-account', {
      wsUrl: view.wsUrl,
      sipUri: view.sipUri,
      displayName: 'CALLCENTRE\\Anna.Berg',
      password: 'pa55-word',
    });
    await agent.waitForState((state) => state.registration.status === 'registered');
    expect(agent.core.phoneState().registration).toEqual({
      status: 'registered',
      aor: `sip:anna.berg@${kamailio.domain}`,
    });
    expect(await kamailio.contacts('anna.berg')).toHaveLength(1);

    const other = await agent.command('settings:save-account', {
      wsUrl: view.wsUrl,
      sipUri: `sip:1001@${kamailio.domain}`,
      displayName: 'CALLCENTRE\\Anna.Berg',
    });
    expect(other).toMatchObject({ ok: false, error: { code: 'locked-by-policy' } });
  });

  it('starts the phone once the agent saved the form, even with "No password"', async () => {
    const open = await startKamailio();
    try {
      const policy = resolvePolicy(
        [
          {
            source: '/etc/calmline/policy.json',
            level: 'locked',
            values: { 'account.wsUrl': open.wsUrl, 'account.sipUriTemplate': `sip:\${username}@${open.domain}` },
          },
        ],
        { username: 'anna' },
      );
      const noAuth = await startAgent(open, {
        policy,
        password: null,
        storeAccount: false,
        waitForRegistration: false,
      });
      try {
        expect(noAuth.core.phoneState().registration.status).toBe('unconfigured');
        const view = await noAuth.must<{ sipUri: string; wsUrl: string }>('settings:get-account');
        await noAuth.must('settings:save-account', {
          wsUrl: view.wsUrl,
          sipUri: view.sipUri,
          displayName: '',
          password: '',
        });
        await noAuth.waitForState((state) => state.registration.status === 'registered');
      } finally {
        await noAuth.stop();
      }
    } finally {
      await open.stop();
    }
  });
});
