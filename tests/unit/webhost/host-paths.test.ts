/** The web host's default data folder and key file, per platform: never relative to the current folder. */
import { isAbsolute } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultWebHostPaths } from '../../../src/webhost/server/host-paths';

describe('defaultWebHostPaths', () => {
  it('uses the XDG folders on Linux, data and key apart', () => {
    expect(defaultWebHostPaths('linux', {}, '/home/anna')).toEqual({
      dataDir: '/home/anna/.local/share/calmline-web',
      keyFile: '/home/anna/.config/calmline-web/data-key.json',
    });
    expect(
      defaultWebHostPaths('linux', { XDG_DATA_HOME: '/data/anna', XDG_CONFIG_HOME: '/etc-user/anna' }, '/home/anna'),
    ).toEqual({ dataDir: '/data/anna/calmline-web', keyFile: '/etc-user/anna/calmline-web/data-key.json' });
    // A relative XDG path is not valid and is ignored.
    expect(defaultWebHostPaths('linux', { XDG_DATA_HOME: 'rel' }, '/home/anna').dataDir).toBe(
      '/home/anna/.local/share/calmline-web',
    );
  });

  it('uses Application Support on macOS and the roaming and local profiles on Windows', () => {
    expect(defaultWebHostPaths('darwin', {}, '/Users/anna')).toEqual({
      dataDir: '/Users/anna/Library/Application Support/Calmline Web',
      keyFile: '/Users/anna/Library/Application Support/Calmline Web Key/data-key.json',
    });
    const windows = defaultWebHostPaths(
      'win32',
      { APPDATA: 'C:/Users/anna/AppData/Roaming', LOCALAPPDATA: 'C:/L' },
      'C:/Users/anna',
    );
    expect(windows.dataDir).toContain('Roaming');
    expect(windows.keyFile).toMatch(/^C:\/L/);
  });

  it('is absolute wherever the host is started from', () => {
    for (const platform of ['linux', 'darwin'] as const) {
      const paths = defaultWebHostPaths(platform, {}, '/home/anna');
      expect(isAbsolute(paths.dataDir) && isAbsolute(paths.keyFile)).toBe(true);
    }
  });
});
