import { describe, expect, it, vi } from 'vitest';
import { AppCore, type CoreEventArgs } from '../../../src/core/app-core';
import { createCallHandlers } from '../../../src/core/handlers/call-handlers';
import { createCallerHandlers, type CallerHandlerDeps } from '../../../src/core/handlers/caller-handlers';
import { createMediaHandlers } from '../../../src/core/handlers/media-handlers';
import { createDeskHandlers } from '../../../src/core/handlers/desk-handlers';
import { createSettingsHandlers } from '../../../src/core/handlers/settings-handlers';
import { createPolicyHandlers } from '../../../src/core/handlers/policy-handlers';
import { createDiagnosticsHandlers } from '../../../src/core/handlers/diagnostics-handlers';
import { createWorkspaceHandlers } from '../../../src/core/handlers/workspace-handlers';
import { silentLogger } from '../../../src/core/logger';
import { createMemorySecretStore, createMemoryStore } from '../../../src/core/settings';
import { openAgentData } from '../../../src/core/storage/agent-data';
import { createDirectoryHandlers } from '../../../src/core/handlers/directory-handlers';
import { commands, type StorageNoticeView } from '../../../src/shared/contract';
import { createFakeClock } from '../../support/fake-clock';
import { tempDir } from '../storage/storage-test-kit';

describe('handlers by feature', () => {
  it('answer every command of the contract, each in exactly one feature', () => {
    // Building a feature's handlers reads none of its dependencies; only a command does.
    const features = [
      createCallHandlers({} as never),
      createCallerHandlers({} as never),
      createWorkspaceHandlers({} as never),
      createSettingsHandlers({} as never),
      createMediaHandlers({} as never),
      createDeskHandlers({} as never),
      createPolicyHandlers({} as never),
      createDiagnosticsHandlers({} as never),
      createDirectoryHandlers({} as never),
    ].map((handlers) => Object.keys(handlers));
    const all = features.flat();
    expect(new Set(all).size).toBe(all.length);
    expect([...all].sort()).toEqual(Object.keys(commands).sort());
  });

  it('notes:edit waits until the call is on disk before saving its note', async () => {
    const order: string[] = [];
    let recorded: () => void = () => undefined;
    const deps = {
      requireData: () => ({
        notes: {
          edit: (callId: string) => {
            order.push('edit');
            return { callId, state: 'saving' };
          },
        },
      }),
      callRecorded: () =>
        new Promise<void>((resolve) => {
          recorded = () => {
            order.push('recorded');
            resolve();
          };
        }),
    } as unknown as CallerHandlerDeps;
    const saving = createCallerHandlers(deps)['notes:edit']({ callId: 'c1', text: 'Wants a refund' });
    await Promise.resolve();
    expect(order).toEqual([]);
    recorded();
    await saving;
    expect(order).toEqual(['recorded', 'edit']);
  });

  it('an export without an export folder answers storage-unavailable', async () => {
    const deps = { requireData: () => ({}), exportDir: undefined } as unknown as CallerHandlerDeps;
    await expect(createCallerHandlers(deps)['callers:export-record']({ number: '+491' })).rejects.toMatchObject({
      code: 'storage-unavailable',
    });
  });
});

describe('AppCore assembly', () => {
  async function openTestCore() {
    const clock = createFakeClock();
    const store = createMemoryStore({
      account: { wsUrl: 'ws://pbx.test', sipUri: 'sip:1001@pbx.test', displayName: 'Anna' },
    });
    const agentData = await openAgentData({
      dir: tempDir(),
      clock,
      logger: silentLogger,
      agentName: () => 'Anna',
      retentionDays: () => 365,
    });
    const notice: StorageNoticeView = {
      code: 'file-kept-aside',
      file: 'settings.conf',
      reason: 'unreadable',
      recovered: 0,
      message: 'Kept aside.',
      at: clock.now(),
    };
    const core = new AppCore({
      store,
      secrets: createMemorySecretStore(),
      clock,
      logger: silentLogger,
      agentData,
      startupNotices: [notice],
    });
    const events: CoreEventArgs[] = [];
    core.onEvent((...event) => events.push(event));
    return { core, events, notice };
  }

  it('a flag with a call goes to the W1 rule; the author is the configured agent', async () => {
    const { core } = await openTestCore();
    try {
      const mark = vi.spyOn(core.workspace, 'markCallFlagged');
      const withCall = await core.router('callers:add-flag', {
        number: '+491',
        kind: 'insults',
        reason: 'Shouted',
        callId: 'c1',
      });
      expect(withCall).toMatchObject({ ok: true, value: { author: 'Anna', callId: 'c1' } });
      expect(mark).toHaveBeenCalledWith('c1');
      await core.router('callers:add-flag', { number: '+491', kind: 'insults', reason: 'Shouted again' });
      expect(mark).toHaveBeenCalledTimes(1);
    } finally {
      await core.stop();
    }
  });

  it('shows the startup notices first, and tells every window of a saved language', async () => {
    const { core, events, notice } = await openTestCore();
    try {
      await expect(core.router('storage:get-notices', undefined)).resolves.toEqual({ ok: true, value: [notice] });
      const saved = await core.router('settings:save-language', { language: 'de' });
      expect(saved).toEqual({ ok: true, value: { language: 'de' } });
      expect(events).toContainEqual(['settings:language', { language: 'de' }]);
    } finally {
      await core.stop();
    }
  });
});
