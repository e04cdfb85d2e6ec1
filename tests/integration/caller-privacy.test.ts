/**
 * Who the network says is calling, and how far it is believed
 * (docs/sipjs-pitfalls.md#s30): P-Asserted-Identity trusted by default and not when
 * the policy says so; `Privacy: id` and an anonymous From shown as a withheld number
 * that nobody looks up. SIPp callers through a real Kamailio.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallPolicy, CallView } from '../../src/shared/contract';
import { startAgent, type TestAgent } from '../support/agent';
import { startKamailio, type Kamailio } from '../support/kamailio';
import { formatSippResult, runSipp } from '../support/sipp';

let kamailio: Kamailio;
let agent: TestAgent;

beforeAll(async () => {
  kamailio = await startKamailio();
  agent = await startAgent(kamailio, {
    user: '1001',
    dataDir: mkdtempSync(join(tmpdir(), 'calmline-caller-privacy-')),
  });
  // A flagged caller in the directory: a withheld call from this number must not reveal it.
  await agent.must('callers:add-flag', { number: '+4930999888', kind: 'abusive-language', reason: 'Shouted' });
});

afterAll(async () => {
  await agent?.stop();
  await kamailio?.stop();
});

/** One call that rings and is declined; returns it as it rang. */
async function ringAndDecline(caller: string, displayName: string, extraHeaders: string[]): Promise<CallView> {
  const sipp = runSipp({
    scenario: 'caller-declined.xml',
    kamailio,
    service: '1001',
    caller,
    displayName,
    extraHeaders,
  });
  const call = await agent.waitForCall((c) => c.state === 'ringing');
  await agent.must('call:decline', { callId: call.id });
  const result = await sipp.done;
  expect(result.passed, formatSippResult(result)).toBe(true);
  await agent.waitForCall((c) => c.id === call.id && c.state === 'ended');
  return call;
}

const prefetchedFor = (callId: string) =>
  agent.events.filter(([channel, payload]) => channel === 'callers:prefetched' && payload.callId === callId);

const PAI = 'P-Asserted-Identity: "Verified Customer" <sip:+4930999888@pbx.example.com>';

describe('caller identity and privacy', () => {
  it('trusts P-Asserted-Identity by default: the asserted number is shown and looked up', async () => {
    const call = await ringAndDecline('+4940777001', 'Claimed Name', [PAI]);
    expect(call).toMatchObject({ remoteNumber: '+4930999888', remoteName: 'Verified Customer' });
    expect(call.withheld ?? false).toBe(false);
    expect(prefetchedFor(call.id)[0]?.[1]).toMatchObject({ number: '+4930999888', record: { flags: [{}] } });
  });

  it('ignores P-Asserted-Identity when the policy does not trust it, and shows From', async () => {
    const policy = await agent.must<CallPolicy>('settings:get-call-policy');
    await agent.must('settings:save-call-policy', { ...policy, trustAssertedIdentity: false });
    try {
      const call = await ringAndDecline('+4940777002', 'Claimed Name', [PAI]);
      expect(call).toMatchObject({ remoteNumber: '+4940777002', remoteName: 'Claimed Name' });
    } finally {
      await agent.must('settings:save-call-policy', { ...policy, trustAssertedIdentity: true });
    }
  });

  it('shows a caller with Privacy: id as withheld, even with a trusted asserted identity, and looks nobody up', async () => {
    const call = await ringAndDecline('+4930999888', 'Verified Customer', [PAI, 'Privacy: id']);
    expect(call).toMatchObject({ remoteNumber: '', remoteName: '', withheld: true });
    expect(prefetchedFor(call.id)).toEqual([]);
    expect(JSON.stringify(agent.states.flatMap((s) => s.calls).filter((c) => c.id === call.id))).not.toContain(
      '4930999888',
    );
  });

  it('shows an anonymous From without an asserted identity as withheld', async () => {
    const call = await ringAndDecline('anonymous', 'Anonymous', ['X-Note: anonymous caller']);
    expect(call).toMatchObject({ remoteNumber: '', remoteName: '', withheld: true });
  });
});
