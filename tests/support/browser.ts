/**
 * Debian's Chromium driven by playwright-core (never `npx playwright install`: the
 * browser download is blocked here). Flags keep it off the network.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Path of the system Chromium; override with CALMLINE_CHROMIUM. */
export const CHROMIUM_PATH = process.env.CALMLINE_CHROMIUM ?? '/usr/bin/chromium';

/** Where e2e runs save screenshots (README names this path). */
export const SCREENSHOT_DIR = 'test-results/screenshots';

/** Launches headless Chromium with the flags that keep it quiet on a closed network. */
export async function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}; run 'npm test' as root once or apt-get install chromium`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}
