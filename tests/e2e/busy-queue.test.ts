/**
 * A busy shift end to end, all real: SIPp callers through Kamailio, the core in the
 * web host, the agent in Debian's Chromium. New callers ring while the agent works:
 *
 * a first caller is answered; a second and a third ring meanwhile and wait in the
 * strip below the live call, whose Hang up button does not move by a pixel as they
 * ring and end; Answer on a waiting caller asks the live caller's consent to hold
 * first (declined: nothing is sent, the caller keeps ringing); the agent flags the
 * live caller and hangs up while the third still rings: that call gets its own
 * wrap-up with its caller card, notes and checklist still on screen; after it, the
 * de-escalation break is offered although a caller waits; the waiting caller is
 * answered and gets a wrap-up of its own. The header status is checked at every step.
 *
 * Run in English, then in Persian (right to left). During the first call the page is
 * measured at 1366×768 and 1920×1080: the card's flags, the notes field and every
 * checklist step inside the viewport, no document scroll, nothing overflowing
 * sideways; screenshots go to test-results/screenshots/, and axe finds no serious or
 * critical violations.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { en } from '../../src/renderer/src/i18n/en';
import { fa } from '../../src/renderer/src/i18n/fa';
import type { CallView } from '../../src/shared/contract';
import type { WorkspaceView } from '../../src/shared/workspace/workspace-view';
import { SCREENSHOT_DIR } from '../support/browser';
import { formatSippResult, parseSippTrace, runSipp } from '../support/sipp';
import { startUiBed, type UiBed } from '../support/ui-bed';

let bed: UiBed;
let page: Page;
/** Console warnings about sound the page may not start (autoplay): there must be none. */
const autoplayWarnings: string[] = [];

beforeAll(async () => {
  bed = await startUiBed({
    // Encrypted at rest, as on a workstation with a keychain (no "not encrypted" notice).
    agent: { displayName: 'Agent Smith', ...encryptedDataDir() },
    viewport: { width: 1366, height: 768 },
  });
  page = bed.page;
  page.on('console', (message) => {
    if (/AudioContext|autoplay/i.test(message.text())) autoplayWarnings.push(message.text());
  });
});

afterAll(async () => {
  await bed?.stop();
});

async function expectAccessible(screen: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const violations = results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
  expect(violations, `axe on ${screen}`).toEqual([]);
}

const workspace = () => bed.agent.must<WorkspaceView>('workspace:get-state');

function coreCall(id: string): CallView {
  const call = bed.agent.core.phoneState().calls.find((candidate) => candidate.id === id);
  if (!call) throw new Error(`the core has no call ${id}`);
  return call;
}

async function ringingFrom(number: string): Promise<string> {
  const call = await bed.agent.waitForCall((c) => c.state === 'ringing' && c.remoteNumber === number, 15_000);
  await page.getByTestId(`call-${call.id}`).waitFor({ timeout: 15_000 });
  return call.id;
}

/** Where the page's one-screen check stands, measured in the page. */
interface ScreenFit {
  scrolls: boolean;
  overflowsSideways: boolean;
  outside: string[];
}

/** Measured in the page (a string, as the page runs it: the test's TypeScript has no DOM types). */
const MEASURE_FIT = `(() => {
  const doc = document.scrollingElement || document.documentElement;
  const inView = (element) => {
    const box = element.getBoundingClientRect();
    return box.top >= 0 && box.left >= 0 && box.bottom <= innerHeight && box.right <= innerWidth && box.height > 0;
  };
  const wanted = [
    ['flags', document.querySelector('[data-testid="caller-flags"]')],
    ['notes', document.querySelector('.notes-input')],
    // Each step's checkbox and title (the commitment form under Take action may scroll in its column).
    ...[...document.querySelectorAll('[data-step-id]')].map((step) => ['step ' + step.getAttribute('data-step-id'), step.querySelector('.checklist-row')]),
    ['hang up', document.querySelector('.live-calls [data-action="hang-up"]')],
  ];
  return {
    scrolls: doc.scrollHeight > innerHeight,
    overflowsSideways: doc.scrollWidth > innerWidth,
    outside: wanted.filter(([, element]) => element === null || !inView(element)).map(([name]) => name),
  };
})()`;

const measureFit = () => page.evaluate<ScreenFit>(MEASURE_FIT);

type Messages = typeof en;

interface BusySpec {
  language: 'en' | 'fa';
  messages: Messages | typeof fa;
  first: { number: string; name: string };
  waiting: { number: string; name: string };
  next: { number: string; name: string };
  notes: string;
  flagReason: string;
}

const PERSIAN_SCRIPT = /[\u0600-\u06FF]/;

function textOf(spec: BusySpec, key: string, values: Record<string, string | number> = {}): string {
  const text = key
    .split('.')
    .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], spec.messages);
  if (typeof text !== 'string') throw new Error(`${spec.language} has no string ${key}`);
  if (spec.language === 'fa' && !PERSIAN_SCRIPT.test(text)) throw new Error(`fa.${key} is not Persian: ${text}`);
  return text.replace(/<\/?\w+>/g, '').replace(/{{(\w+)}}/g, (_, name: string) => String(values[name]));
}

function busyShift(spec: BusySpec): void {
  const say = (key: string, values?: Record<string, string | number>) => textOf(spec, key, values);
  const status = () => page.getByTestId('availability').getAttribute('data-status');
  const expectStatus = async (value: string, key: string) => {
    await expect.poll(status, { timeout: 10_000 }).toBe(value);
    expect(await page.getByTestId('availability').textContent()).toContain(say(key));
  };
  const shot = (name: string) => page.screenshot({ path: `${SCREENSHOT_DIR}/${name}.png` });

  it(`keeps the live call pinned and wraps up every call while callers keep ringing (${spec.language})`, async () => {
    await page.setViewportSize({ width: 1366, height: 768 });
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe(spec.language);
    await expectStatus('available', 'availability.available');

    // 1. The first caller rings, and is answered.
    const first = runSipp({
      scenario: 'caller-answered-agent-hangs-up.xml',
      kamailio: bed.kamailio,
      service: '1001',
      caller: spec.first.number,
      displayName: spec.first.name,
      recvTimeoutMs: 120_000,
      timeoutMs: 180_000,
    });
    const firstId = await ringingFrom(spec.first.number);
    await expectStatus('ringing', 'availability.ringing');
    // Where the browser holds sound back until a first click, the page says so.
    const lock = page.getByTestId('ringtone-locked');
    if ((await lock.textContent()) !== '') expect(await lock.textContent()).toBe(say('media.ringtoneLocked'));
    const firstName = spec.first.name;
    await page.getByRole('button', { name: say('calls.answerLabel', { caller: firstName }), exact: true }).click();
    await expect.poll(() => page.getByTestId(`call-${firstId}`).getAttribute('data-state')).toBe('active');
    await expectStatus('in-call', 'availability.in-call');
    const hangUp = page.getByRole('button', { name: say('calls.hangUpLabel', { caller: firstName }), exact: true });
    const pinned = await hangUp.boundingBox();
    expect(pinned).not.toBeNull();
    const expectPinned = async (when: string) => expect(await hangUp.boundingBox(), when).toEqual(pinned);

    // 2. A second caller rings: a compact row below the live call; Hang up stays put.
    const waiting = runSipp({
      scenario: 'caller-declined.xml',
      kamailio: bed.kamailio,
      service: '1001',
      caller: spec.waiting.number,
      displayName: spec.waiting.name,
      recvTimeoutMs: 120_000,
      timeoutMs: 180_000,
    });
    const waitingId = await ringingFrom(spec.waiting.number);
    await expectPinned('a second caller rings');
    await expectStatus('in-call', 'availability.in-call');
    const strip = page.getByTestId('waiting-calls');
    expect(await strip.textContent()).toContain(spec.waiting.name);
    const liveBox = (await page.getByTestId(`call-${firstId}`).boundingBox())!;
    const stripBox = (await strip.boundingBox())!;
    expect(stripBox.y).toBeGreaterThanOrEqual(liveBox.y + liveBox.height);

    // 3. Notes and a flag on the live caller.
    const notes = page.getByRole('textbox', { name: say('notes.label', { caller: firstName }), exact: true });
    await notes.fill(spec.notes);
    await page.getByRole('button', { name: say('card.addFlagLabel', { caller: firstName }), exact: true }).click();
    await page.getByLabel(say('card.flagKind'), { exact: true }).selectOption('insults');
    await page.getByLabel(say('card.flagReason'), { exact: true }).fill(spec.flagReason);
    await page.getByRole('button', { name: say('card.saveFlag'), exact: true }).click();
    await page.getByTestId('caller-flags').waitFor();
    await expectPinned('after flagging');

    // 4. One screen, at both sizes.
    for (const size of [
      { width: 1366, height: 768 },
      { width: 1920, height: 1080 },
    ]) {
      await page.setViewportSize(size);
      try {
        await expect.poll(measureFit, { message: `one screen at ${size.width}×${size.height}` }).toEqual({
          scrolls: false,
          overflowsSideways: false,
          outside: [],
        });
      } finally {
        await shot(`40-busy-one-screen-${size.width}x${size.height}-${spec.language}`);
      }
      await expectAccessible(`busy call at ${size.width}×${size.height} (${spec.language})`);
    }
    await page.setViewportSize({ width: 1366, height: 768 });
    await expectPinned('back at 1366×768');

    // 5. A third caller rings; Answer on them asks the live caller about a hold first.
    const next = runSipp({
      scenario: 'caller-answered-agent-hangs-up.xml',
      kamailio: bed.kamailio,
      service: '1001',
      caller: spec.next.number,
      displayName: spec.next.name,
      recvTimeoutMs: 120_000,
      timeoutMs: 180_000,
    });
    const nextId = await ringingFrom(spec.next.number);
    await expectPinned('a third caller rings');
    await shot(`41-busy-waiting-strip-${spec.language}`);
    const answerNext = page.getByRole('button', {
      name: say('calls.answerLabel', { caller: spec.next.name }),
      exact: true,
    });
    await answerNext.click();
    const dialog = page.getByRole('dialog', { name: say('consent.title.hold', { caller: firstName }), exact: true });
    await dialog.waitFor();
    await shot(`42-busy-hold-consent-first-${spec.language}`);
    await dialog.getByRole('button', { name: say('consent.declined'), exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(coreCall(firstId)).toMatchObject({ state: 'active', consents: [{ action: 'hold', answer: 'declined' }] });
    expect(coreCall(nextId).state).toBe('ringing');

    // 6. The second caller is declined: a call ends, Hang up stays put.
    await page
      .getByRole('button', { name: say('calls.declineLabel', { caller: spec.waiting.name }), exact: true })
      .click();
    const declined = await waiting.done;
    expect(declined.passed, formatSippResult(declined)).toBe(true);
    await page.getByTestId(`call-${waitingId}`).waitFor({ state: 'detached' });
    await expectPinned('a waiting call ended');

    // 7. Hang up while the third still rings: wrap-up of the first call, its card, notes and checklist stay.
    await hangUp.click();
    const ended = await first.done;
    expect(ended.passed, formatSippResult(ended)).toBe(true);
    await expectStatus('wrap-up', 'availability.wrap-up');
    const wrapUp = page.getByTestId('wrap-up');
    await wrapUp.waitFor();
    expect(await wrapUp.getByRole('heading').first().textContent()).toBe(say('wrapUp.heading', { caller: firstName }));
    expect(await page.getByTestId('caller-card-name').textContent()).toBe(firstName);
    expect(await page.getByRole('textbox', { name: say('notes.label', { caller: firstName }) }).inputValue()).toBe(
      spec.notes,
    );
    await page.getByTestId('checklist').waitFor();
    expect(coreCall(nextId).state).toBe('ringing');
    await expectAccessible(`wrap-up while a caller waits (${spec.language})`);
    await shot(`43-busy-wrap-up-while-ringing-${spec.language}`);

    // 8. Finishing it: Ringing (the caller still waits), and the break offered after the flagged call.
    await wrapUp.getByRole('radio', { name: say('wrapUp.outcomes.resolved'), exact: true }).check();
    await wrapUp.getByRole('button', { name: say('wrapUp.finish'), exact: true }).click();
    await wrapUp.waitFor({ state: 'detached' });
    await expectStatus('ringing', 'availability.ringing');
    const offer = page.getByTestId('break-offer');
    await offer.waitFor();
    expect(await offer.textContent()).toContain(say('breaks.offer.flagged-call'));
    expect((await workspace()).breakOffer).toMatchObject({ reason: 'flagged-call', callId: firstId });
    await shot(`44-busy-break-offer-while-ringing-${spec.language}`);

    // 9. The waiting caller is answered and gets a wrap-up of their own.
    await answerNext.click();
    await expect.poll(() => page.getByTestId(`call-${nextId}`).getAttribute('data-state')).toBe('active');
    await expectStatus('in-call', 'availability.in-call');
    expect(await page.getByTestId('caller-card-name').textContent()).toBe(spec.next.name);
    await page.getByRole('button', { name: say('calls.hangUpLabel', { caller: spec.next.name }), exact: true }).click();
    const nextEnded = await next.done;
    expect(nextEnded.passed, formatSippResult(nextEnded)).toBe(true);
    await expectStatus('wrap-up', 'availability.wrap-up');
    expect(await page.getByTestId('wrap-up').getByRole('heading').first().textContent()).toBe(
      say('wrapUp.heading', { caller: spec.next.name }),
    );
    expect(await page.getByTestId('caller-card-name').textContent()).toBe(spec.next.name);
    await page
      .getByTestId('wrap-up')
      .getByRole('radio', { name: say('wrapUp.outcomes.resolved'), exact: true })
      .check();
    await page
      .getByTestId('wrap-up')
      .getByRole('button', { name: say('wrapUp.finish'), exact: true })
      .click();
    await expectStatus('available', 'availability.available');
    // The offer after the flagged call is still open until the agent answers it.
    await page.getByRole('button', { name: say('breaks.notNow'), exact: true }).click();
    await offer.waitFor({ state: 'detached' });
    expect(parseSippTrace(nextEnded.messages).some((m) => m.firstLine.startsWith('BYE '))).toBe(true);
    expect(bed.pageErrors).toEqual([]);
    expect(autoplayWarnings).toEqual([]);
    expect(await page.getByTestId('ringtone-locked').textContent()).toBe('');
  });
}

function encryptedDataDir(): { dataDir: string; keyFile: string } {
  const dataDir = mkdtempSync(join(tmpdir(), 'calmline-e2e-busy-'));
  return { dataDir, keyFile: join(dataDir, 'key', 'data-key.json') };
}

describe('a busy shift in Chromium, against the real core', () => {
  it('opens the workspace', async () => {
    await page.goto(bed.host.url);
    await expect.poll(() => page.getByTestId('registration-status').getAttribute('data-status')).toBe('registered');
  });

  busyShift({
    language: 'en',
    messages: en,
    first: { number: '+4930555001', name: 'Angry Anna' },
    waiting: { number: '+4930555002', name: 'Bob Waiting' },
    next: { number: '+4930555003', name: 'Cara Next' },
    notes: 'Invoice 4711 charged twice; wants a refund today.',
    flagReason: 'Shouted and insulted the agent',
  });

  it('switches to Persian', async () => {
    await bed.agent.must('settings:save-language', { language: 'fa' });
    await expect.poll(() => page.locator('html').getAttribute('dir')).toBe('rtl');
  });

  busyShift({
    language: 'fa',
    messages: fa,
    first: { number: '+4930555011', name: 'مریم' },
    waiting: { number: '+4930555012', name: 'بهرام' },
    next: { number: '+4930555013', name: 'سارا' },
    notes: 'فاکتور ۴۷۱۱ دو بار پرداخت شده؛ امروز بازپرداخت می‌خواهد.',
    flagReason: 'فریاد زد و به کارشناس توهین کرد',
  });
});
