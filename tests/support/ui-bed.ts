/**
 * The end-to-end bed: a test Kamailio, the real core registered as an agent, the
 * web host serving the built renderer, and a Chromium page on it whose errors are
 * collected. Every e2e test of the UI starts here.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { silentLogger } from '../../src/core/logger';
import { startWebHost, type WebHost } from '../../src/webhost/server/web-host';
import { startAgent, type AgentOptions, type TestAgent } from './agent';
import { launchChromium, SCREENSHOT_DIR } from './browser';
import { startKamailio, type Kamailio } from './kamailio';

/** Everything a UI test drives. */
export interface UiBed {
  kamailio: Kamailio;
  agent: TestAgent;
  host: WebHost;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Page errors and console errors, from every page passed to `watchErrors`. */
  pageErrors: string[];
  watchErrors(page: Page): void;
  stop(): Promise<void>;
}

/** Starts the bed; the page is created but not yet navigated (go to `host.url`). */
export async function startUiBed(
  options: {
    agent?: AgentOptions;
    locale?: string;
    viewport?: { width: number; height: number };
    /** Extra Chromium flags, e.g. a fake microphone for the audio tests. */
    chromiumArgs?: readonly string[];
  } = {},
): Promise<UiBed> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const kamailio = await startKamailio();
  const agent = await startAgent(kamailio, { user: '1001', ...options.agent });
  const host = await startWebHost({
    core: agent.core,
    rendererDir: resolve('out/renderer'),
    bridgeScript: resolve('out/webhost/bridge.js'),
    logger: silentLogger,
  });
  const browser = await launchChromium(options.chromiumArgs);
  const context = await browser.newContext({
    locale: options.locale ?? 'en-US',
    viewport: options.viewport ?? { width: 1100, height: 760 },
  });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  const watchErrors = (target: Page) => {
    target.on('pageerror', (error) => pageErrors.push(error.message));
    target.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
  };
  watchErrors(page);
  return {
    kamailio,
    agent,
    host,
    browser,
    context,
    page,
    pageErrors,
    watchErrors,
    stop: async () => {
      await browser.close();
      await host.close();
      await agent.stop();
      await kamailio.stop();
    },
  };
}
