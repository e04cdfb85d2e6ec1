import { describe, expect, it, vi } from 'vitest';
import { createCommandRouter, type CommandHandlers } from '../../../src/core/command-router';
import { silentLogger } from '../../../src/core/logger';
import { PhoneError } from '../../../src/core/phone/phone-error';
import { StorageError } from '../../../src/core/storage/files/storage-error';
import { WorkspaceError } from '../../../src/shared/workspace/workspace-error';
import { commands, type PhoneState } from '../../../src/shared/contract';

const state: PhoneState = { registration: { status: 'connecting' }, calls: [] };

/** Every command answers with a value its response schema accepts, unless overridden. */
function handlers(overrides: Partial<CommandHandlers> = {}): CommandHandlers {
  const defaults: Partial<Record<keyof CommandHandlers, () => unknown>> = {
    'phone:get-state': () => state,
    'settings:get-account': () => ({ wsUrl: '', sipUri: '', displayName: '', hasPassword: false }),
    'settings:save-account': () => ({ wsUrl: 'ws://x', sipUri: 'sip:a@b', displayName: '', hasPassword: false }),
  };
  const all = Object.fromEntries(
    (Object.keys(commands) as Array<keyof CommandHandlers>).map((channel) => [
      channel,
      defaults[channel] ?? (() => undefined),
    ]),
  );
  return { ...all, ...overrides } as CommandHandlers;
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

  it('answers workspace and storage refusals with their codes, and logs only what nobody named', async () => {
    const logger = { ...silentLogger, error: vi.fn() };
    const router = createCommandRouter(
      handlers({
        'reminder:snooze': () => {
          throw new WorkspaceError('no-reminder', 'No eye-rest reminder is showing.');
        },
        'notes:get': () => {
          throw new StorageError('disk-full', 'Could not save: the disk is full.');
        },
        'break:end': () => {
          throw new RangeError('boom');
        },
      }),
      logger,
    );
    await expect(router('reminder:snooze', { kind: 'eye-rest' })).resolves.toEqual({
      ok: false,
      error: { code: 'no-reminder', message: 'No eye-rest reminder is showing.' },
    });
    await expect(router('notes:get', { callId: 'c1' })).resolves.toMatchObject({
      ok: false,
      error: { code: 'disk-full' },
    });
    expect(logger.error).not.toHaveBeenCalled();
    const hidden = await router('break:end', undefined);
    expect(hidden).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(JSON.stringify(hidden)).not.toContain('boom');
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringMatching(/^Command break:end failed: RangeError: boom\n\s+at /),
    );
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
