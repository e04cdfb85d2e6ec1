/**
 * Start at login (docs/desk.md#shortcuts). Electron's `setLoginItemSettings` covers
 * macOS and Windows; on Linux it does nothing, so Calmline writes (or removes) an XDG
 * autostart entry, `~/.config/autostart/calmline.desktop`, itself. The file system is
 * injected (tests/unit/main/desk-glue.test.ts).
 */
import { join } from 'node:path';

/** What the login item should do. */
export interface LoginItem {
  openAtLogin: boolean;
  args: string[];
}

/** The file operations the Linux autostart entry needs. */
export interface AutostartFs {
  mkdirSync(path: string, options: { recursive: true }): unknown;
  writeFileSync(path: string, data: string, options: { mode: number }): void;
  rmSync(path: string, options: { force: true }): void;
}

/** Where the autostart entry lives: `$XDG_CONFIG_HOME/autostart`, else `~/.config/autostart`. */
export function autostartPath(env: Record<string, string | undefined>, home: string): string {
  const config =
    env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(home, '.config');
  return join(config, 'autostart', 'calmline.desktop');
}

/** Quotes one argument of a desktop entry's Exec line (the spec's double-quote rules). */
function execArg(arg: string): string {
  return /^[A-Za-z0-9_/.=:+-]+$/.test(arg) ? arg : `"${arg.replace(/(["`$\\])/g, '\\$1')}"`;
}

/** The autostart desktop entry that starts `execPath` with `args`. */
export function autostartEntry(execPath: string, args: readonly string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Calmline',
    `Exec=${[execPath, ...args].map(execArg).join(' ')}`,
    'X-GNOME-Autostart-enabled=true',
    'NoDisplay=true',
    '',
  ].join('\n');
}

/** Applies the login item on this platform. */
export function applyLoginItem(
  item: LoginItem,
  platform: NodeJS.Platform,
  deps: {
    setLoginItemSettings(settings: { openAtLogin: boolean; args?: string[] }): void;
    fs: AutostartFs;
    path: string;
    execPath: string;
  },
): void {
  if (platform !== 'linux') {
    deps.setLoginItemSettings({ openAtLogin: item.openAtLogin, args: item.args });
    return;
  }
  if (!item.openAtLogin) {
    deps.fs.rmSync(deps.path, { force: true });
    return;
  }
  deps.fs.mkdirSync(join(deps.path, '..'), { recursive: true });
  deps.fs.writeFileSync(deps.path, autostartEntry(deps.execPath, item.args), { mode: 0o644 });
}
