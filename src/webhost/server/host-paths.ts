/**
 * Where the web host keeps its data and its key by default: the OS's per-user data
 * folder, never a folder relative to wherever it was started. The key file sits in a
 * different folder from the data (Linux: config vs. data; Windows: the local, not the
 * roaming profile), so a copy or backup of the data folder alone does not carry it.
 * Pure, so it is tested for every platform (tests/unit/webhost/host-paths.test.ts).
 */
import { join } from 'node:path';

/** The folders the web host uses. */
export interface WebHostPaths {
  dataDir: string;
  keyFile: string;
}

/** The default folders for `platform`, from the environment and the home folder. */
export function defaultWebHostPaths(
  platform: NodeJS.Platform,
  env: Record<string, string | undefined>,
  home: string,
): WebHostPaths {
  if (platform === 'win32') {
    const roaming = env.APPDATA || join(home, 'AppData', 'Roaming');
    const local = env.LOCALAPPDATA || join(home, 'AppData', 'Local');
    return { dataDir: join(roaming, 'Calmline Web'), keyFile: join(local, 'Calmline Web', 'data-key.json') };
  }
  if (platform === 'darwin') {
    const support = join(home, 'Library', 'Application Support');
    return { dataDir: join(support, 'Calmline Web'), keyFile: join(support, 'Calmline Web Key', 'data-key.json') };
  }
  // XDG: a relative XDG_* path is invalid and ignored.
  const xdg = (value: string | undefined, fallback: string) => (value?.startsWith('/') ? value : fallback);
  return {
    dataDir: join(xdg(env.XDG_DATA_HOME, join(home, '.local', 'share')), 'calmline-web'),
    keyFile: join(xdg(env.XDG_CONFIG_HOME, join(home, '.config')), 'calmline-web', 'data-key.json'),
  };
}
