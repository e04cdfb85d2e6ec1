/**
 * The desk's Electron glue with injected Electron objects: the tray state mapping,
 * icon and menu; global shortcuts refusing conflicts; login item; bring to front on
 * ring; close to tray; asking before quitting during a call; click-to-dial links
 * reaching the running app (src/main/desk-glue.ts, tray-state.ts, tray-icon.ts,
 * global-shortcuts.ts, link-handoff.ts).
 */
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { shortcutCommand } from '../../../src/core/desk/desk';
import type { CoreEventArgs } from '../../../src/core/core-events';
import { installDeskGlue, START_MINIMISED_FLAG, type DeskCore, type DeskMenuItem } from '../../../src/main/desk-glue';
import { applyShortcuts, type ShortcutRegistry } from '../../../src/main/global-shortcuts';
import { installLinkHandoff } from '../../../src/main/link-handoff';
import { applyLoginItem, autostartEntry, autostartPath } from '../../../src/main/login-item';
import { trayIconPng } from '../../../src/main/tray-icon';
import { trayLanguage, trayStateFor, trayView } from '../../../src/main/tray-state';
import { newCallView, type CallView, type PhoneState } from '../../../src/shared/contract';
import { checkAccelerator, DEFAULT_DESK_SETTINGS, type DeskSettings, type DeskStatus } from '../../../src/shared/desk';

const call = (overrides: Partial<CallView>): CallView => ({ ...newCallView('c1', 'incoming', 1_000), ...overrides });
const allowAll = { ...newCallView('x', 'incoming', 0).allowed, answer: true, hangUp: true };

describe('tray state', () => {
  it('maps calls and the workspace to Available / Ringing / In a call / Wrap-up / On break', () => {
    expect(trayStateFor([], 'available')).toBe('available');
    expect(trayStateFor([], null)).toBe('available');
    expect(trayStateFor([call({ state: 'ringing' })], 'available')).toBe('ringing');
    expect(trayStateFor([call({ state: 'active' })], 'in-call')).toBe('in-call');
    expect(trayStateFor([call({ state: 'held' })], 'in-call')).toBe('in-call');
    expect(trayStateFor([call({ state: 'dialing', direction: 'outgoing' })], 'available')).toBe('in-call');
    expect(trayStateFor([call({ state: 'ended' })], 'wrap-up')).toBe('wrap-up');
    expect(trayStateFor([], 'on-break')).toBe('on-break');
    // A second caller ringing during a call: the tray shows the ring.
    expect(trayStateFor([call({ state: 'active' }), call({ id: 'c2', state: 'ringing' })], 'in-call')).toBe('ringing');
    // An outgoing call that rings at the far end is not "Ringing" for the agent.
    expect(trayStateFor([call({ state: 'ringing', direction: 'outgoing' })], 'available')).toBe('available');
  });

  it('gives each state a tooltip and a menu; a break starts only while available', () => {
    expect(trayView('available', 'en')).toEqual({
      tooltip: 'Calmline: Available',
      menu: [
        { id: 'show', label: 'Show Calmline', enabled: true },
        { id: 'start-break', label: 'Take a break', enabled: true },
        { type: 'separator' },
        { id: 'quit', label: 'Quit Calmline', enabled: true },
      ],
    });
    expect(trayView('in-call', 'en').menu[1]).toEqual({ id: 'start-break', label: 'Take a break', enabled: false });
    expect(trayView('on-break', 'de').menu[1]).toEqual({ id: 'end-break', label: 'Pause beenden', enabled: true });
    expect(trayView('ringing', 'nb').tooltip).toBe('Calmline: Det ringer');
    expect(trayView('wrap-up', 'fa').tooltip).toBe('Calmline: جمع‌بندی');
    expect([trayLanguage('auto', 'nb-NO'), trayLanguage('auto', 'fr-FR'), trayLanguage('de', 'en-US')]).toEqual([
      'nb',
      'en',
      'de',
    ]);
  });

  it('draws a valid PNG per state, in its colour', () => {
    const png = trayIconPng('ringing', 16);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.readUInt32BE(16)).toBe(16);
    const idatLength = png.readUInt32BE(33);
    const pixels = inflateSync(png.subarray(41, 41 + idatLength));
    const centre = 8 * (1 + 16 * 4) + 1 + 8 * 4;
    expect([...pixels.subarray(centre, centre + 4)]).toEqual([230, 126, 34, 255]);
    expect(pixels[1 + 3]).toBe(0); // the corner is transparent
    expect(trayIconPng('available').equals(trayIconPng('on-break'))).toBe(false);
  });
});

/** A fake `globalShortcut`: some keys are held by another application. */
function fakeRegistry(takenElsewhere: string[] = []) {
  const registered = new Map<string, () => void>();
  const registry: ShortcutRegistry & { registered: Map<string, () => void> } = {
    registered,
    register: (accelerator, callback) => {
      if (takenElsewhere.includes(accelerator) || registered.has(accelerator)) return false;
      registered.set(accelerator, callback);
      return true;
    },
    unregister: (accelerator) => {
      registered.delete(accelerator);
    },
    isRegistered: (accelerator) => registered.has(accelerator),
  };
  return registry;
}

describe('global shortcuts', () => {
  it('registers both, and a press runs its action', () => {
    const registry = fakeRegistry();
    const ran: string[] = [];
    const applied = applyShortcuts(registry, [], DEFAULT_DESK_SETTINGS.shortcuts, (action) => ran.push(action));
    expect(applied.status).toEqual([
      { action: 'answer', accelerator: 'CommandOrControl+Shift+A', refused: null },
      { action: 'hangUp', accelerator: 'CommandOrControl+Shift+U', refused: null },
    ]);
    registry.registered.get('CommandOrControl+Shift+U')?.();
    expect(ran).toEqual(['hangUp']);
  });

  it('refuses the same keys twice (however spelled), keys another app holds, and invalid ones', () => {
    const registry = fakeRegistry(['Control+Alt+F9']);
    const run = () => undefined;
    expect(applyShortcuts(registry, [], { answer: 'Ctrl+Shift+K', hangUp: 'shift+control+k' }, run).status).toEqual([
      { action: 'answer', accelerator: 'Control+Shift+K', refused: null },
      { action: 'hangUp', accelerator: 'Control+Shift+K', refused: 'conflict' },
    ]);
    const again = applyShortcuts(registry, ['Control+Shift+K'], { answer: 'Control+Alt+F9', hangUp: 'A' }, run);
    expect(again.status).toEqual([
      { action: 'answer', accelerator: 'Control+Alt+F9', refused: 'taken' },
      { action: 'hangUp', accelerator: 'A', refused: 'invalid' },
    ]);
    expect(registry.registered.size).toBe(0);
    expect(applyShortcuts(registry, [], { answer: '', hangUp: 'F8' }, run).status).toEqual([
      { action: 'hangUp', accelerator: 'F8', refused: null },
    ]);
  });

  it('refuses keys another part of Calmline registered', () => {
    const registry = fakeRegistry();
    registry.register('Alt+Shift+H', () => undefined);
    expect(
      applyShortcuts(registry, [], { answer: 'Alt+Shift+H', hangUp: '' }, () => undefined).status[0]?.refused,
    ).toBe('conflict');
  });

  it('checks accelerators', () => {
    expect(checkAccelerator('cmdorctrl+shift+a')).toEqual({ ok: true, accelerator: 'CommandOrControl+Shift+A' });
    expect(checkAccelerator('Shift+A')).toEqual({ ok: false, problem: 'no-modifier' });
    expect(checkAccelerator('F12')).toEqual({ ok: true, accelerator: 'F12' });
    expect(checkAccelerator('Ctrl+Ctrl+A')).toEqual({ ok: false, problem: 'syntax' });
    expect(checkAccelerator('Hyper+A')).toEqual({ ok: false, problem: 'syntax' });
    expect(checkAccelerator('Ctrl+')).toEqual({ ok: false, problem: 'syntax' });
    expect(checkAccelerator('x'.repeat(100))).toEqual({ ok: false, problem: 'syntax' });
  });

  it('answer takes the longest-ringing call, hang-up the active one', () => {
    const ringingOld = call({ id: 'old', state: 'ringing', offeredAt: 1, allowed: allowAll });
    const ringingNew = call({ id: 'new', state: 'ringing', offeredAt: 2, allowed: allowAll });
    expect(shortcutCommand('answer', [ringingNew, ringingOld])).toEqual({ channel: 'call:answer', callId: 'old' });
    expect(shortcutCommand('hangUp', [ringingOld])).toBeNull();
    const talking = call({ id: 'talk', state: 'active', allowed: allowAll });
    expect(shortcutCommand('hangUp', [ringingOld, talking])).toEqual({ channel: 'call:hang-up', callId: 'talk' });
    expect(shortcutCommand('answer', [call({ state: 'ringing', allowed: { ...allowAll, answer: false } })])).toBeNull();
  });
});

/** A fake core, tray, window and app for the glue. */
function bed(initial: Partial<DeskSettings> = {}) {
  let settings: DeskSettings = { ...DEFAULT_DESK_SETTINGS, ...initial };
  let phone: PhoneState = { registration: { status: 'registered', aor: 'sip:1001@pbx' }, calls: [] };
  let status: 'available' | 'in-call' | 'wrap-up' | 'on-break' = 'available';
  const listeners = new Set<(...args: CoreEventArgs) => void>();
  const routed: [unknown, unknown][] = [];
  const shortcuts: string[] = [];
  const reports: DeskStatus[] = [];
  const core: DeskCore = {
    desk: { settings: () => settings, reportStatus: (report) => reports.push(report) },
    router: (channel, payload) => {
      routed.push([channel, payload]);
      return Promise.resolve(
        channel === 'settings:get-language' ? { ok: true, value: { language: 'de' } } : { ok: true, value: undefined },
      );
    },
    onEvent: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    phoneState: () => phone,
    workspace: { view: () => ({ status }) },
    runShortcut: (action) => {
      shortcuts.push(action);
      return Promise.resolve();
    },
  };
  const emit = (...args: CoreEventArgs) => {
    for (const listener of [...listeners]) listener(...args);
  };
  const tray = {
    tooltips: [] as string[],
    images: [] as unknown[],
    menus: [] as DeskMenuItem[][],
    click: undefined as (() => void) | undefined,
    destroyed: false,
    setImage(image: unknown) {
      this.images.push(image);
    },
    setToolTip(text: string) {
      this.tooltips.push(text);
    },
    setContextMenu(menu: unknown) {
      this.menus.push(menu as DeskMenuItem[]);
    },
    on(_event: 'click', listener: () => void) {
      this.click = listener;
    },
    destroy() {
      this.destroyed = true;
    },
  };
  const window = {
    shown: 0,
    hidden: 0,
    focused: 0,
    close: undefined as ((event: { preventDefault(): void }) => void) | undefined,
    show() {
      this.shown += 1;
    },
    hide() {
      this.hidden += 1;
    },
    focus() {
      this.focused += 1;
    },
    restore() {},
    isMinimized: () => false,
    on(_event: 'close', listener: (event: { preventDefault(): void }) => void) {
      this.close = listener;
    },
  };
  const loginItems: unknown[] = [];
  const questions: string[] = [];
  let answer = false;
  let quits = 0;
  const registry = fakeRegistry();
  const glue = installDeskGlue({
    core,
    app: { getLocale: () => 'en-US' },
    setLoginItem: (item) => loginItems.push(item),
    createTray: () => tray,
    image: (png) => png.length,
    buildMenu: (template) => template,
    globalShortcut: registry,
    confirm: (question) => {
      questions.push(question.title);
      return answer;
    },
    getWindow: () => window,
    quit: () => (quits += 1),
    warn: () => undefined,
  });
  glue.attachWindow(window);
  return {
    glue,
    tray,
    window,
    routed,
    shortcuts,
    reports,
    loginItems,
    questions,
    registry,
    quits: () => quits,
    answer: (value: boolean) => (answer = value),
    setPhone(calls: CallView[]) {
      phone = { ...phone, calls };
      emit('phone:state', phone);
    },
    setStatus(next: typeof status) {
      status = next;
      emit('workspace:state', { status } as never);
    },
    saveSettings(next: Partial<DeskSettings>) {
      settings = { ...settings, ...next };
      emit('settings:desk', settings);
    },
  };
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
const clickItem = (menu: DeskMenuItem[] | undefined, label: string) => {
  const item = menu?.find((entry) => 'label' in entry && entry.label === label);
  if (!item || !('click' in item)) throw new Error(`no menu item ${label}`);
  item.click();
};

describe('desk glue', () => {
  it('shows the state in the tray (in the agent language), and its menu starts and ends a break', async () => {
    const desk = bed();
    await settle();
    expect(desk.tray.tooltips.at(-1)).toBe('Calmline: Verfügbar');
    clickItem(desk.tray.menus.at(-1), 'Pause machen');
    desk.setStatus('on-break');
    expect(desk.tray.tooltips.at(-1)).toBe('Calmline: In der Pause');
    clickItem(desk.tray.menus.at(-1), 'Pause beenden');
    expect(desk.routed.filter(([channel]) => channel !== 'settings:get-language')).toEqual([
      ['break:start', { kind: 'regular' }],
      ['break:end', undefined],
    ]);
    desk.setStatus('available');
    desk.setPhone([call({ state: 'ringing' })]);
    expect(desk.tray.tooltips.at(-1)).toBe('Calmline: Es klingelt');
    desk.setPhone([call({ state: 'active' })]);
    expect(desk.tray.tooltips.at(-1)).toBe('Calmline: Im Gespräch');
    desk.setPhone([call({ state: 'ended' })]);
    desk.setStatus('wrap-up');
    expect(desk.tray.tooltips.at(-1)).toBe('Calmline: Nachbearbeitung');
    clickItem(desk.tray.menus.at(-1), 'Calmline anzeigen');
    desk.tray.click?.();
    // Once for the ringing call (bring to front is on by default), then menu and click.
    expect(desk.window.shown).toBe(3);
    clickItem(desk.tray.menus.at(-1), 'Calmline beenden');
    expect(desk.quits()).toBe(1);
  });

  it('registers the global shortcuts, reports them, and follows changed settings', () => {
    const desk = bed();
    expect(desk.reports.at(-1)?.shortcuts.map((s) => s.refused)).toEqual([null, null]);
    desk.registry.registered.get('CommandOrControl+Shift+A')?.();
    expect(desk.shortcuts).toEqual(['answer']);
    desk.saveSettings({ shortcuts: { answer: 'F9', hangUp: 'f9' } });
    expect(desk.reports.at(-1)).toEqual({
      native: true,
      shortcuts: [
        { action: 'answer', accelerator: 'F9', refused: null },
        { action: 'hangUp', accelerator: 'F9', refused: 'conflict' },
      ],
    });
    expect([...desk.registry.registered.keys()]).toEqual(['F9']);
    desk.glue.dispose();
    expect(desk.registry.registered.size).toBe(0);
    expect(desk.tray.destroyed).toBe(true);
  });

  it('sets the login item, minimised when asked, and starts hidden by setting or flag', () => {
    const desk = bed();
    expect(desk.loginItems.at(-1)).toEqual({ openAtLogin: false, args: [] });
    desk.saveSettings({ startAtLogin: true, startMinimised: true });
    expect(desk.loginItems.at(-1)).toEqual({ openAtLogin: true, args: [START_MINIMISED_FLAG] });
    expect(desk.glue.startHidden(['calmline'])).toBe(true);
    expect(bed().glue.startHidden(['calmline'])).toBe(false);
    expect(bed().glue.startHidden(['calmline', START_MINIMISED_FLAG])).toBe(true);
  });

  it('brings the window to the front once per ringing call, when the setting says so', () => {
    const desk = bed();
    desk.setPhone([call({ state: 'ringing' })]);
    desk.setPhone([call({ state: 'ringing' })]);
    expect(desk.window.focused).toBe(1);
    const quiet = bed({ bringToFrontOnRing: false });
    quiet.setPhone([call({ state: 'ringing' })]);
    expect(quiet.window.focused).toBe(0);
  });

  it('closing the window hides it to the tray; without that setting, closing during a call asks', () => {
    const desk = bed();
    let prevented = 0;
    desk.window.close?.({ preventDefault: () => (prevented += 1) });
    expect([prevented, desk.window.hidden]).toEqual([1, 1]);

    const plain = bed({ closeToTray: false });
    plain.setPhone([call({ state: 'active' })]);
    plain.window.close?.({ preventDefault: () => (prevented += 1) });
    expect(prevented).toBe(2);
    expect(plain.questions).toEqual(['Quit during a call?']);
  });

  it('quitting during a call asks first; Cancel keeps the call, yes quits; no call, no question', () => {
    const desk = bed();
    desk.setPhone([call({ state: 'active' })]);
    desk.answer(false);
    expect(desk.glue.confirmQuit()).toBe(false);
    desk.answer(true);
    expect(desk.glue.confirmQuit()).toBe(true);
    expect(desk.glue.confirmQuit()).toBe(true);
    expect(desk.questions).toHaveLength(2);
    const idle = bed();
    expect(idle.glue.confirmQuit()).toBe(true);
    expect(idle.questions).toEqual([]);
  });
});

describe('start at login', () => {
  const deps = () => {
    const calls: string[] = [];
    return {
      calls,
      setLoginItemSettings: (settings: object) => calls.push(`login ${JSON.stringify(settings)}`),
      fs: {
        mkdirSync: (path: string) => calls.push(`mkdir ${path}`),
        writeFileSync: (path: string, data: string) => calls.push(`write ${path}\n${data}`),
        rmSync: (path: string) => calls.push(`rm ${path}`),
      },
      path: autostartPath({ XDG_CONFIG_HOME: undefined }, '/home/agent'),
      execPath: '/opt/Calmline/calmline',
    };
  };

  it('uses the OS login item on Windows and macOS', () => {
    const win = deps();
    applyLoginItem({ openAtLogin: true, args: [START_MINIMISED_FLAG] }, 'win32', win);
    expect(win.calls).toEqual([`login {"openAtLogin":true,"args":["${START_MINIMISED_FLAG}"]}`]);
  });

  it('writes and removes an XDG autostart entry on Linux', () => {
    const linux = deps();
    applyLoginItem({ openAtLogin: true, args: [START_MINIMISED_FLAG] }, 'linux', linux);
    applyLoginItem({ openAtLogin: false, args: [] }, 'linux', linux);
    expect(linux.calls).toEqual([
      'mkdir /home/agent/.config/autostart',
      `write /home/agent/.config/autostart/calmline.desktop\n${autostartEntry('/opt/Calmline/calmline', [START_MINIMISED_FLAG])}`,
      'rm /home/agent/.config/autostart/calmline.desktop',
    ]);
    expect(autostartEntry('/opt/My Apps/calmline', ['--start-minimised'])).toContain(
      'Exec="/opt/My Apps/calmline" --start-minimised',
    );
    expect(autostartPath({ XDG_CONFIG_HOME: '/cfg' }, '/home/agent')).toBe('/cfg/autostart/calmline.desktop');
    expect(autostartPath({ XDG_CONFIG_HOME: 'relative' }, '/home/agent')).toBe(
      '/home/agent/.config/autostart/calmline.desktop',
    );
  });
});

describe('click-to-dial hand-over', () => {
  const fakeApp = () => {
    const registered: unknown[][] = [];
    let openUrl: ((event: { preventDefault(): void }, url: string) => void) | undefined;
    return {
      registered,
      open: (url: string) => openUrl?.({ preventDefault: () => undefined }, url),
      app: {
        setAsDefaultProtocolClient: (...args: unknown[]) => {
          registered.push(args);
          return true;
        },
        on: (_event: 'open-url', listener: (event: { preventDefault(): void }, url: string) => void) => {
          openUrl = listener;
        },
      },
    };
  };
  const options = { defaultApp: false, execPath: '/opt/Calmline/calmline', warn: () => undefined };

  it('registers tel:, callto:, sip: and sips: on Windows and macOS, and not on Linux (the desktop file does)', () => {
    const windows = fakeApp();
    installLinkHandoff({ ...options, app: windows.app, platform: 'win32', argv: ['calmline'] });
    expect(windows.registered).toEqual([['tel'], ['callto'], ['sip'], ['sips']]);
    const dev = fakeApp();
    installLinkHandoff({
      ...options,
      defaultApp: true,
      app: dev.app,
      platform: 'darwin',
      argv: ['electron', 'out/main/index.js'],
    });
    expect(dev.registered[0]?.[1]).toBe('/opt/Calmline/calmline');
    expect(String((dev.registered[0]?.[2] as string[])[0])).toMatch(/out\/main\/index\.js$/);
    const linux = fakeApp();
    installLinkHandoff({ ...options, app: linux.app, platform: 'linux', argv: ['calmline'] });
    expect(linux.registered).toEqual([]);
  });

  it('keeps links until the core is ready: first start, open-url, second instance', () => {
    const fake = fakeApp();
    const handoff = installLinkHandoff({
      ...options,
      app: fake.app,
      platform: 'darwin',
      argv: ['calmline', 'tel:+4930123456'],
    });
    fake.open('sip:2000@pbx.example.com');
    const received: string[] = [];
    handoff.ready((link) => received.push(link));
    expect(received).toEqual(['tel:+4930123456', 'sip:2000@pbx.example.com']);
    handoff.fromArgs(['calmline', '--flag', 'callto:+4930123456', 'https://evil.example']);
    fake.open('tel:2000');
    expect(received.slice(2)).toEqual(['callto:+4930123456', 'tel:2000']);
  });
});
