/**
 * Registration in the real world: digest challenges from Kamailio on REGISTER and
 * on the agent's INVITE, refreshing before expiry, and recovery when the server
 * restarts under the phone.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startAgent, type TestAgent } from '../support/agent';
import { startKamailio, type Kamailio } from '../support/kamailio';
import { formatSippResult, runSipp, startRegisteredUas } from '../support/sipp';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function kamailioWith(options: Parameters<typeof startKamailio>[0] = {}): Promise<Kamailio> {
  const kamailio = await startKamailio(options);
  cleanups.push(() => kamailio.stop());
  return kamailio;
}

async function agentOn(kamailio: Kamailio, options: Parameters<typeof startAgent>[1] = {}): Promise<TestAgent> {
  const agent = await startAgent(kamailio, options);
  cleanups.push(() => agent.stop());
  return agent;
}

describe('registration', () => {
  it('answers the 401 on REGISTER and the 407 on its own INVITE with digest credentials', async () => {
    const kamailio = await kamailioWith({ auth: { users: { '1001': 's3cret', '2000': 'pw-2000' } } });
    const agent = await agentOn(kamailio, { password: 's3cret' });
    expect(agent.core.phoneState().registration.status).toBe('registered');
    expect(await kamailio.contacts('1001')).toHaveLength(1);

    const callee = await startRegisteredUas({ kamailio, service: '2000', authUser: '2000', authPassword: 'pw-2000' });
    const { callId } = await agent.must<{ callId: string }>('call:dial', { target: '2000' });
    await agent.waitForCall((c) => c.id === callId && c.state === 'active');
    await agent.must('call:hang-up', { callId });
    const result = await callee.done;
    expect(result.passed, formatSippResult(result)).toBe(true);
  });

  it('shows a refused registration with its status when the password is wrong', async () => {
    const kamailio = await kamailioWith({ auth: { users: { '1001': 's3cret' } } });
    const agent = await agentOn(kamailio, { password: 'wrong', waitForRegistration: false });
    const state = await agent.waitForState((s) => s.registration.status === 'failed');
    expect(state.registration).toMatchObject({ status: 'failed', reason: expect.stringMatching(/401|403/) });
    expect(await kamailio.contacts('1001')).toHaveLength(0);
  });

  it('refreshes the registration before it expires', async () => {
    const kamailio = await kamailioWith();
    const agent = await agentOn(kamailio, { phone: { registerExpiresSeconds: 3 } });
    await new Promise((resolve) => setTimeout(resolve, 7_000));
    expect(agent.core.phoneState().registration.status).toBe('registered');
    expect(await kamailio.contacts('1001')).toHaveLength(1);
  });

  it('re-registers by itself after the server restarts, and the next call reaches the agent', async () => {
    const kamailio = await kamailioWith();
    const agent = await agentOn(kamailio);
    const before = agent.states.length;
    await kamailio.restart();
    // The restarted server forgot the contact; the phone noticed the dropped socket and came back.
    await agent.waitForState(
      () =>
        agent.states.slice(before).some((s) => s.registration.status === 'failed') &&
        agent.core.phoneState().registration.status === 'registered',
      15_000,
    );
    expect(await kamailio.contacts('1001')).toHaveLength(1);

    const sipp = runSipp({ scenario: 'caller-declined.xml', kamailio, service: '1001', caller: '+4930555111' });
    const call = await agent.waitForCall((c) => c.state === 'ringing' && c.remoteNumber === '+4930555111');
    await agent.must('call:decline', { callId: call.id });
    const result = await sipp.done;
    expect(result.passed, formatSippResult(result)).toBe(true);
  });
});

describe('stopping the app', () => {
  it('declines a ringing call (486), ends an active one (BYE) and un-registers, without errors', async () => {
    const kamailio = await kamailioWith();
    const errors: string[] = [];
    const logger = {
      debug: () => undefined,
      info: () => undefined,
      warn: () => undefined,
      error: (m: string) => errors.push(m),
    };
    const agent = await startAgent(kamailio, { logger });
    const talking = runSipp({
      scenario: 'caller-answered-agent-hangs-up.xml',
      kamailio,
      service: '1001',
      caller: '+4930555201',
      recvTimeoutMs: 20_000,
    });
    const active = await agent.waitForCall((c) => c.state === 'ringing' && c.remoteNumber === '+4930555201');
    await agent.must('call:answer', { callId: active.id });
    await agent.waitForCall((c) => c.id === active.id && c.state === 'active');
    const ringing = runSipp({ scenario: 'caller-declined.xml', kamailio, service: '1001', caller: '+4930555202' });
    await agent.waitForCall((c) => c.state === 'ringing' && c.remoteNumber === '+4930555202');

    await agent.stop();
    for (const sipp of [talking, ringing]) {
      const result = await sipp.done;
      expect(result.passed, formatSippResult(result)).toBe(true);
    }
    const ended = agent.states.at(-1)!.calls;
    expect(ended.find((c) => c.remoteNumber === '+4930555202')).toMatchObject({ endReason: 'declined' });
    expect(ended.find((c) => c.remoteNumber === '+4930555201')).toMatchObject({ endReason: 'local-hangup' });
    expect(await kamailio.contacts('1001')).toHaveLength(0);
    expect(errors).toEqual([]);
  });
});
