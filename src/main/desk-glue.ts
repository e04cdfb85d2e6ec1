/**
 * The desk in Electron (docs/desk.md): the tray icon and its menu, global shortcuts,
 * start at login, bringing the window forward on ring, close to tray, and asking
 * before quitting during a call. Every decision is in plain modules (tray-state.ts,
 * global-shortcuts.ts, the core's Desk); this wires them to Electron objects, which
 * are injected so it runs in Node tests (tests/unit/main/desk-glue.test.ts).
 */
import type { CoreEventArgs } from '../core/core-events';
import type { CommandRouter } from '../core/command-router';
import type { Desk } from '../core/desk/desk';
import type { PhoneState } from '../shared/contract';
import type { DeskSettings, GlobalShortcutAction } from '../shared/desk';
import type { WorkspaceView } from '../shared/workspace/workspace-view';
import { applyShortcuts, type ShortcutRegistry } from './global-shortcuts';
import { trayIconPng } from './tray-icon';
import {
  TRAY_TEXTS,
  quitEndsCalls,
  trayLanguage,
  trayStateFor,
  trayView,
  type TrayMenuItem,
  type TrayState,
} from './tray-state';

/** The command-line flag the login item starts Calmline with. */
export const START_MINIMISED_FLAG = '--start-minimised';

/** The part of Electron's `Tray` used here. */
export interface DeskTray {
  setImage(image: unknown): void;
  setToolTip(text: string): void;
  setContextMenu(menu: unknown): void;
  on(event: 'click', listener: () => void): unknown;
  destroy(): void;
}

/** The part of a `BrowserWindow` used here. */
export interface DeskWindow {
  show(): void;
  hide(): void;
  focus(): void;
  restore(): void;
  isMinimized(): boolean;
  on(event: 'close', listener: (event: { preventDefault(): void }) => void): unknown;
}

/** A menu entry with its click handler, for `Menu.buildFromTemplate`. */
export type DeskMenuItem = { label: string; enabled: boolean; click(): void } | { type: 'separator' };

/** The part of the core the desk glue uses. */
export interface DeskCore {
  desk: Pick<Desk, 'settings' | 'reportStatus'>;
  router: CommandRouter;
  onEvent(listener: (...args: CoreEventArgs) => void): () => void;
  phoneState(): PhoneState;
  workspace: { view(): Pick<WorkspaceView, 'status'> };
  runShortcut(action: GlobalShortcutAction): Promise<void>;
}

/** What the glue is given. */
export interface DeskGlueOptions {
  core: DeskCore;
  app: { getLocale(): string };
  /** Sets the OS login item (src/main/login-item.ts). */
  setLoginItem(item: { openAtLogin: boolean; args: string[] }): void;
  createTray(image: unknown): DeskTray;
  /** `nativeImage.createFromBuffer`. */
  image(png: Buffer): unknown;
  /** `Menu.buildFromTemplate`. */
  buildMenu(template: DeskMenuItem[]): unknown;
  globalShortcut: ShortcutRegistry;
  /** Asks the agent (a modal message box); true to go ahead. */
  confirm(question: { title: string; message: string; yes: string; no: string }): boolean;
  getWindow(): DeskWindow | undefined;
  /** Quits the app (after `confirmQuit` agreed). */
  quit(): void;
  warn(message: string): void;
}

/** The running desk glue. */
export interface DeskGlue {
  /** Follows one window: close hides it to the tray when the setting says so. */
  attachWindow(window: DeskWindow): void;
  /** Call from `before-quit`: false when the agent chose to keep the calls. Asks once per quit. */
  confirmQuit(): boolean;
  /** Whether the window starts hidden: the setting, or the login item's flag. */
  startHidden(argv: readonly string[]): boolean;
  /** Brings the window forward (tray click, a click-to-dial link). */
  showWindow(): void;
  dispose(): void;
}

/** Installs the desk; see the module comment. */
export function installDeskGlue(options: DeskGlueOptions): DeskGlue {
  const { core } = options;
  let settings: DeskSettings = core.desk.settings();
  let language = 'auto';
  let registered: string[] = [];
  let quitting = false;
  let shownState: TrayState | undefined;
  let shownLanguage: string | undefined;
  const seenRinging = new Set<string>();

  const showWindow = () => {
    const window = options.getWindow();
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  };

  const tray = options.createTray(options.image(trayIconPng('available')));
  tray.on('click', showWindow);

  const command = (channel: 'break:start' | 'break:end') => {
    const payload = channel === 'break:start' ? { kind: 'regular' } : undefined;
    void core.router(channel, payload).then((result) => {
      if (!result.ok) options.warn(`Tray ${channel} refused: ${result.error.code}`);
    });
  };

  const menuItem = (item: TrayMenuItem): DeskMenuItem => {
    if ('type' in item) return item;
    const click = {
      show: showWindow,
      'start-break': () => command('break:start'),
      'end-break': () => command('break:end'),
      quit: () => options.quit(),
    }[item.id];
    return { label: item.label, enabled: item.enabled, click };
  };

  const refreshTray = () => {
    const state = trayStateFor(core.phoneState().calls, core.workspace.view().status);
    const lang = trayLanguage(language, options.app.getLocale());
    if (state === shownState && lang === shownLanguage) return;
    shownState = state;
    shownLanguage = lang;
    const view = trayView(state, lang);
    tray.setImage(options.image(trayIconPng(state)));
    tray.setToolTip(view.tooltip);
    tray.setContextMenu(options.buildMenu(view.menu.map(menuItem)));
  };

  const applySettings = () => {
    const applied = applyShortcuts(options.globalShortcut, registered, settings.shortcuts, (action) => {
      void core.runShortcut(action);
    });
    registered = applied.registered;
    core.desk.reportStatus({ native: true, shortcuts: applied.status });
    try {
      options.setLoginItem({
        openAtLogin: settings.startAtLogin,
        args: settings.startMinimised ? [START_MINIMISED_FLAG] : [],
      });
    } catch (error) {
      options.warn(`Could not set the login item: ${String(error)}`);
    }
  };

  const bringForwardOnRing = (state: PhoneState) => {
    let rang = false;
    for (const call of state.calls) {
      if (call.direction !== 'incoming' || call.state !== 'ringing' || seenRinging.has(call.id)) continue;
      seenRinging.add(call.id);
      rang = true;
    }
    if (rang && settings.bringToFrontOnRing) showWindow();
  };

  const unsubscribe = core.onEvent((...args) => {
    const [channel, payload] = args;
    if (channel === 'phone:state') {
      bringForwardOnRing(args[1] as PhoneState);
      refreshTray();
    } else if (channel === 'workspace:state') refreshTray();
    else if (channel === 'settings:language') {
      language = (payload as { language: string }).language;
      refreshTray();
    } else if (channel === 'settings:desk') {
      settings = payload as DeskSettings;
      applySettings();
    }
  });
  void core.router('settings:get-language', undefined).then((result) => {
    if (result.ok) language = (result.value as { language: string }).language;
    shownLanguage = undefined;
    refreshTray();
  });
  applySettings();
  refreshTray();

  const confirmQuit = (): boolean => {
    if (quitting) return true;
    const calls = core.phoneState().calls;
    if (quitEndsCalls(calls)) {
      const texts = TRAY_TEXTS[trayLanguage(language, options.app.getLocale())];
      const go = options.confirm({
        title: texts.quitTitle,
        message: texts.quitMessage,
        yes: texts.quitAnyway,
        no: texts.cancel,
      });
      if (!go) return false;
    }
    quitting = true;
    return true;
  };

  return {
    attachWindow(window) {
      window.on('close', (event) => {
        if (quitting) return;
        if (settings.closeToTray) {
          event.preventDefault();
          window.hide();
        } else if (!confirmQuit()) {
          // Closing the last window quits: during a call that needs the agent's yes too.
          event.preventDefault();
        }
      });
    },
    confirmQuit,
    startHidden(argv) {
      return settings.startMinimised || argv.includes(START_MINIMISED_FLAG);
    },
    showWindow,
    dispose() {
      unsubscribe();
      for (const accelerator of registered) options.globalShortcut.unregister(accelerator);
      registered = [];
      tray.destroy();
    },
  };
}
