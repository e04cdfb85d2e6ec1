import { describe, expect, it, vi } from 'vitest';
import { createCommandRouter, type CommandHandlers } from '../../../src/main/core/command-router';
import { silentLogger } from '../../../src/main/core/logger';
import { PhoneError } from '../../../src/main/core/phone/phone-error';
import type { PhoneState } from '../../../src/shared/contract';

const state: PhoneState = { registration: { status: 'connecting' }, calls: [] };

function handlers(overrides: Partial<CommandHandlers> = {}): CommandHandlers {
  return {
    'phone:get-state': () => state,
    'call:answer': () => undefined,
    'call:decline': () => undefined,
    'call:hang-up': () => undefined,
    'call:dial': () => ({ callId: 'c' }),
    'call:record-consent': () => ({ id: 'x', action: 'hold', answer: 'agreed', recordedAt: 0, expiresAt: 1, usedAt: null }),
    'call:hold': () => undefined,
    'call:resume': () => undefined,
    'call:transfer': () => undefined,
    'call:complete-transfer': () => undefined,
    'call:cancel-transfer': () => undefined,
    'call:escalate': () => undefined,
    'call:send-dtmf': () => undefined,
    'call:set-mute': () => undefined,
    'settings:get-call-policy': () => ({ defaultRegion: 'DE', escalationTarget: '', escalationMode: 'attended', consentTtlSeconds: 120 }),
    'settings:save-call-policy': (policy) => policy,
    'settings:get-account': () => ({ wsUrl: '', sipUri: '', displayName: '', hasPassword: false }),
    'settings:save-account': () => ({ wsUrl: 'ws://x', sipUri: 'sip:a@b', displayName: '', hasPassword: false }),
    ...overrides,
  };
}

describe('command router', () => {
  it('answers a valid command with ok and the value', async () => {
    const router = createCommandRouter(handlers(), silentLogger);
    await expect(router('phone:get-state', undefined)).resolves.toEqual({ ok: true, value: state });
  });

  it('refuses unknown channels, including prototype names', async () => {
    const router = createCommandRouter(handlers(), silentLogger);
    for (const channel of ['call:teleport', '__proto__', 'constructor', 42, null]) {
      const result = await router(channel, undefined);
      expect(result).toMatchObject({ ok: false, error: { code: 'unknown-channel' } });
    }
  });

  it('refuses a payload that fails the schema and names the bad path', async () => {
    const answer = vi.fn();
    const router = createCommandRouter(handlers({ 'call:answer': answer }), silentLogger);
    const result = await router('call:answer', { callId: 7 });
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-payload' } });
    expect(!result.ok && result.error.message).toMatch(/callId/);
    expect(answer).not.toHaveBeenCalled();
  });

  it('rejects a settings payload with a non-WebSocket URL or a bad SIP URI', async () => {
    const save = vi.fn();
    const router = createCommandRouter(handlers({ 'settings:save-account': save }), silentLogger);
    const bad = await router('settings:save-account', {
      wsUrl: 'http://pbx.example.com',
      sipUri: 'not a uri',
      displayName: 'Agent',
    });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-payload' } });
    expect(!bad.ok && bad.error.message).toMatch(/wsUrl/);
    expect(!bad.ok && bad.error.message).toMatch(/sipUri/);
    expect(save).not.toHaveBeenCalled();
  });

  it('passes a PhoneError code through and hides other errors behind "internal"', async () => {
    const router = createCommandRouter(
      handlers({
        'call:answer': () => {
          throw new PhoneError('call-not-found', 'No call with id x.');
        },
        'call:decline': () => {
          throw new Error('secret internals at /home/agent');
        },
      }),
      silentLogger,
    );
    await expect(router('call:answer', { callId: 'x' })).resolves.toEqual({
      ok: false,
      error: { code: 'call-not-found', message: 'No call with id x.' },
    });
    const hidden = await router('call:decline', { callId: 'x' });
    expect(hidden).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(JSON.stringify(hidden)).not.toContain('/home/agent');
  });

  it('strips fields a handler returns beyond the contract (a password never leaks)', async () => {
    const router = createCommandRouter(
      handlers({
        'settings:get-account': () =>
          ({ wsUrl: 'ws://x', sipUri: 'sip:a@b', displayName: '', hasPassword: true, password: 'hunter2' }) as never,
      }),
      silentLogger,
    );
    const result = await router('settings:get-account', undefined);
    expect(result.ok).toBe(true);
    expect(JSON.stringify(result)).not.toContain('hunter2');
  });
});
