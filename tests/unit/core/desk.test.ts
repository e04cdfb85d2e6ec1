/**
 * The desk in the core (src/core/desk/desk.ts): its settings through the real router
 * (validation included), the host's status, and global shortcuts running the same
 * commands as the buttons.
 */
import { describe, expect, it } from 'vitest';
import { AppCore } from '../../../src/core/app-core';
import type { CoreEventArgs } from '../../../src/core/core-events';
import { silentLogger } from '../../../src/core/logger';
import { createMemorySecretStore, createMemoryStore } from '../../../src/core/settings';
import { DEFAULT_DESK_SETTINGS } from '../../../src/shared/desk';
import { systemClock } from '../../../src/core/clock';

function core(store = createMemoryStore()) {
  const app = new AppCore({ store, secrets: createMemorySecretStore(), clock: systemClock, logger: silentLogger });
  const events: CoreEventArgs[] = [];
  app.onEvent((...args) => events.push(args));
  return { app, events, store };
}

describe('desk settings and status', () => {
  it('answers the defaults, saves a change, remembers it and tells the host', async () => {
    const { app, events, store } = core();
    expect(await app.router('settings:get-desk', undefined)).toEqual({ ok: true, value: DEFAULT_DESK_SETTINGS });
    const next = {
      ...DEFAULT_DESK_SETTINGS,
      headset: { vendorId: 0x0b0e, productId: 0x24a3, name: 'Jabra Evolve2 65' },
      startAtLogin: true,
    };
    expect(await app.router('settings:save-desk', next)).toEqual({ ok: true, value: next });
    expect(events).toContainEqual(['settings:desk', next]);
    expect(await core(store).app.router('settings:get-desk', undefined)).toEqual({ ok: true, value: next });
  });

  it('refuses the same shortcut twice, a bare letter, and a headset id out of range', async () => {
    const { app } = core();
    for (const bad of [
      { ...DEFAULT_DESK_SETTINGS, shortcuts: { answer: 'Ctrl+Shift+A', hangUp: 'control+shift+a' } },
      { ...DEFAULT_DESK_SETTINGS, shortcuts: { answer: 'A', hangUp: '' } },
      { ...DEFAULT_DESK_SETTINGS, headset: { vendorId: 70_000, productId: 1, name: 'x' } },
    ]) {
      expect(await app.router('settings:save-desk', bad)).toMatchObject({
        ok: false,
        error: { code: 'invalid-payload' },
      });
    }
  });

  it('falls back to the defaults for an unreadable stored value', async () => {
    const { app } = core(createMemoryStore({ desk: { closeToTray: 'yes' } }));
    expect(await app.router('settings:get-desk', undefined)).toEqual({ ok: true, value: DEFAULT_DESK_SETTINGS });
  });

  it('reports what the host set up, and a shortcut with no call to act on does nothing', async () => {
    const { app, events } = core();
    expect(await app.router('desk:get-status', undefined)).toEqual({
      ok: true,
      value: { native: false, shortcuts: [] },
    });
    const status = { native: true, shortcuts: [{ action: 'answer' as const, accelerator: 'F9', refused: null }] };
    app.desk.reportStatus(status);
    expect(await app.router('desk:get-status', undefined)).toEqual({ ok: true, value: status });
    expect(events).toContainEqual(['desk:status', status]);
    await app.runShortcut('answer');
    await app.runShortcut('hangUp');
    expect(events.filter(([channel]) => channel === 'phone:state')).toEqual([]);
  });

  it('hands a link to the window with the call policy region', async () => {
    const { app, events } = core();
    await app.router('settings:save-call-policy', {
      defaultRegion: 'NO',
      escalationTarget: '',
      escalationMode: 'blind',
      consentTtlSeconds: 120,
    });
    expect(app.desk.openLink('tel:22 12 34 56')).toMatchObject({ outcome: 'confirm', target: '+4722123456' });
    expect(events.at(-1)?.[0]).toBe('desk:dial-link');
  });
});
