import { describe, expect, it, vi } from 'vitest';
import { AppCore } from '../../../src/core/app-core';
import { INTERNAL_ERROR_MESSAGE, toCommandError } from '../../../src/core/command-error';
import { silentLogger } from '../../../src/core/logger';
import { CallTransitionError } from '../../../src/core/phone/call-state';
import { PhoneError } from '../../../src/core/phone/phone-error';
import { createMemorySecretStore, createMemoryStore } from '../../../src/core/settings';
import { StorageError } from '../../../src/core/storage/files/storage-error';
import { en } from '../../../src/renderer/src/i18n/en';
import { commandErrorCodes, coreErrorCodes, phoneErrorCodes, storageErrorCodes } from '../../../src/shared/result';
import {
  WorkspaceError,
  WorkspaceSetupError,
  workspaceErrorCodes,
  workspaceSetupErrorCodes,
} from '../../../src/shared/workspace/workspace-error';
import { createFakeClock } from '../../support/fake-clock';

describe('command error codes', () => {
  it('list every phone, storage, workspace and core code once', () => {
    const listed = new Set<string>(commandErrorCodes);
    for (const code of [...coreErrorCodes, ...phoneErrorCodes, ...storageErrorCodes, ...workspaceErrorCodes]) {
      expect(listed, code).toContain(code);
    }
    expect(commandErrorCodes).toHaveLength(listed.size);
  });

  it('leave out the startup problems of IT files', () => {
    for (const code of workspaceSetupErrorCodes) expect(commandErrorCodes).not.toContain(code);
  });

  it('each have an English sentence for the agent', () => {
    for (const code of commandErrorCodes) expect(en.errors[code], code).toMatch(/\S/);
  });
});

describe('toCommandError', () => {
  it('keeps the code and message of every workspace, storage and phone refusal', () => {
    const refusals = [
      ...workspaceErrorCodes.map((code) => new WorkspaceError(code, `workspace ${code}`)),
      ...storageErrorCodes.map((code) => new StorageError(code, `storage ${code}`, 'history/x.json')),
      ...[...phoneErrorCodes, ...coreErrorCodes].map((code) => new PhoneError(code, `phone ${code}`)),
    ];
    for (const error of refusals) {
      const answer = toCommandError(error);
      expect(answer).toEqual({ code: error.code, message: error.message });
      expect(commandErrorCodes).toContain(answer.code);
    }
  });

  it('keeps the code of a call-state refusal that was not wrapped', () => {
    const error = new CallTransitionError('ended', 'answer');
    expect(toCommandError(error)).toEqual({ code: 'invalid-transition', message: error.message });
  });

  it('turns a startup problem into internal: a bad IT file is not a refusal of the command', () => {
    const onUnexpected = vi.fn();
    const error = new WorkspaceSetupError('invalid-policy', 'it/workspace.json: wrapUpLimitSeconds: too small');
    expect(toCommandError(error, onUnexpected)).toEqual({ code: 'internal', message: INTERNAL_ERROR_MESSAGE });
    expect(onUnexpected).toHaveBeenCalledWith(error);
  });

  it('turns an unknown exception into internal without its message or stack', () => {
    const onUnexpected = vi.fn();
    const error = new TypeError('Cannot read properties of undefined at /home/agent/calmline/core.js:12');
    const answer = toCommandError(error, onUnexpected);
    expect(answer).toEqual({ code: 'internal', message: INTERNAL_ERROR_MESSAGE });
    expect(answer.message).not.toContain('/home/agent');
    expect(answer.message).not.toContain(error.stack?.split('\n')[1]?.trim() ?? 'never');
    expect(onUnexpected).toHaveBeenCalledWith(error);
    for (const thrown of ['a string', undefined, { code: 'disk-full', message: 'not an error class' }]) {
      expect(toCommandError(thrown)).toEqual({ code: 'internal', message: INTERNAL_ERROR_MESSAGE });
    }
  });
});

describe('AppCore refusals', () => {
  async function withCore(run: (core: AppCore) => Promise<void>): Promise<void> {
    const core = new AppCore({
      store: createMemoryStore(),
      secrets: createMemorySecretStore(),
      clock: createFakeClock(),
      logger: silentLogger,
    });
    try {
      await run(core);
    } finally {
      await core.stop();
    }
  }

  it('answers a reminder snooze without a reminder showing with no-reminder', async () => {
    await withCore(async (core) => {
      await expect(core.router('reminder:snooze', { kind: 'eye-rest' })).resolves.toMatchObject({
        ok: false,
        error: { code: 'no-reminder' },
      });
    });
  });

  it('answers workspace, phone and data refusals with their codes', async () => {
    await withCore(async (core) => {
      await expect(core.router('wrap-up:complete', { outcome: 'resolved' })).resolves.toMatchObject({
        error: { code: 'invalid-transition' },
      });
      await expect(core.router('break:decline-offer', undefined)).resolves.toMatchObject({
        error: { code: 'no-break-offer' },
      });
      await expect(core.router('call:answer', { callId: 'c1' })).resolves.toMatchObject({
        error: { code: 'not-configured' },
      });
      await expect(core.router('notes:get', { callId: 'c1' })).resolves.toMatchObject({
        error: { code: 'storage-unavailable' },
      });
    });
  });
});
