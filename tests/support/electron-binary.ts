/**
 * Finds the Electron binary without triggering its lazy download (which fails on
 * machines without access to GitHub, such as this project's CI).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Path of the downloaded Electron binary, or undefined when it is not installed. */
export function findElectronBinary(root = resolve(import.meta.dirname, '../..')): string | undefined {
  const dir = join(root, 'node_modules/electron');
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const binary = join(
    process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(dir, 'dist'),
    readFileSync(pathFile, 'utf8').trim(),
  );
  return existsSync(binary) ? binary : undefined;
}

/** Why Electron tests cannot run here, or undefined when they can. */
export function electronUnavailableReason(): string | undefined {
  if (!findElectronBinary()) {
    return 'the Electron binary is not installed (node_modules/electron/path.txt missing: its download from GitHub is blocked here)';
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return 'no display (run under xvfb-run)';
  }
  return undefined;
}
