/**
 * Global shortcuts run the same commands as the window's buttons (AppCore.runShortcut,
 * src/core/desk/desk.ts), with real parts: SIPp callers through Kamailio to the core.
 * Answer takes the longest-ringing call; Hang up ends the active one (SIPp gets BYE).
 * Electron's globalShortcut itself is unit-tested with an injected registry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type TestAgent } from '../support/agent';
import { startKamailio, type Kamailio } from '../support/kamailio';
import { formatSippResult, parseSippTrace, runSipp } from '../support/sipp';

let kamailio: Kamailio;
let agent: TestAgent;

beforeAll(async () => {
  kamailio = await startKamailio();
  agent = await startAgent(kamailio, { user: '1001' });
});

afterAll(async () => {
  await agent?.stop();
  await kamailio?.stop();
});

describe('global shortcuts on real calls', () => {
  it('Answer takes the call that rang first, Hang up ends it, and the caller gets BYE', async () => {
    const first = runSipp({
      scenario: 'caller-answered-agent-hangs-up.xml',
      kamailio,
      service: '1001',
      caller: '+4930111111',
      recvTimeoutMs: 30_000,
    });
    await agent.waitForCall((call) => call.state === 'ringing' && call.remoteNumber === '+4930111111');
    // The second caller keeps ringing until the test is done with the first.
    const second = runSipp({
      scenario: 'caller-cancels.xml',
      kamailio,
      service: '1001',
      caller: '+4930222222',
      pauseMs: 30_000,
    });
    await agent.waitForCall((call) => call.state === 'ringing' && call.remoteNumber === '+4930222222');

    await agent.core.runShortcut('answer');
    const answered = await agent.waitForCall((call) => call.state === 'active');
    expect(answered.remoteNumber).toBe('+4930111111');

    await agent.core.runShortcut('hangUp');
    await agent.waitForCall((call) => call.id === answered.id && call.state === 'ended');
    const result = await first.done;
    expect(result.passed, formatSippResult(result)).toBe(true);
    expect(
      parseSippTrace(result.messages).some((m) => m.direction === 'received' && m.firstLine.startsWith('BYE ')),
    ).toBe(true);
    expect(agent.core.phoneState().calls.find((call) => call.remoteNumber === '+4930222222')?.state).toBe('ringing');
    await second.kill();
  });
});
