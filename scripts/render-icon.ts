/**
 * Renders resources/icon.svg to resources/icon.png (1024 × 1024) in Debian's
 * Chromium; electron-builder makes the .ico and .icns from the PNG.
 * Run: npx tsx scripts/render-icon.ts
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';

const root = resolve(import.meta.dirname, '..');
const svg = readFileSync(resolve(root, 'resources/icon.svg'), 'utf8');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
const page = await browser.newPage({ viewport: { width: 1024, height: 1024 } });
await page.setContent(
  `<html><body style="margin:0;background:transparent">${svg.replace('width="512" height="512"', 'width="1024" height="1024"')}</body></html>`,
);
await page.locator('svg').screenshot({ path: resolve(root, 'resources/icon.png'), omitBackground: true });
await browser.close();
console.log('Wrote resources/icon.png');
