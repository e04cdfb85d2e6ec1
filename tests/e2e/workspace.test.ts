/**
 * The agent's workspace end to end, all real: SIPp calls through Kamailio, the core
 * (in the web host, with a data folder) keeps history, notes and callers, and the
 * agent works in Debian's Chromium. One journey, run in English and then in Persian
 * (right to left, switched live from the language setting):
 *
 * a caller rings and the card shows them; the agent answers, ticks HEAT steps by
 * keyboard, takes notes until main says "Saved", asks to hold (declined: nothing is
 * sent), asks again (agreed: held), resumes, flags the caller, records a threat
 * incident and exports the record, records a commitment, hangs up, wraps up, takes
 * the break offered after the flagged call (a caller meanwhile gets 486 and never
 * shows up), ends it, and the same caller's next call shows the flags, the incident
 * and the first call's note.
 *
 * Every screen is checked with axe for serious or critical violations. Screenshots
 * go to test-results/screenshots/.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { en } from '../../src/renderer/src/i18n/en';
import { fa } from '../../src/renderer/src/i18n/fa';
import type { CallerRecord } from '../../src/shared/caller-record';
import type { CallView } from '../../src/shared/contract';
import { HEAT_CHECKLIST } from '../../src/shared/workspace/checklists';
import { DEFAULT_WORKSPACE_POLICY } from '../../src/shared/workspace/workspace-policy';
import type { WorkspaceView } from '../../src/shared/workspace/workspace-view';
import { type WebHost } from '../../src/webhost/server/web-host';
import { type TestAgent } from '../support/agent';
import { SCREENSHOT_DIR } from '../support/browser';
import { type Kamailio } from '../support/kamailio';
import { startUiBed, type UiBed } from '../support/ui-bed';
import { formatSippResult, parseSippTrace, runSipp } from '../support/sipp';

let kamailio: Kamailio;
let agent: TestAgent;
let host: WebHost;
let browser: Browser;
let page: Page;
let pageErrors: string[] = [];
/** Every axe run: the screen and its serious or critical violations. */
const axeResults: Array<{ screen: string; violations: string[] }> = [];

let bed: UiBed;

beforeAll(async () => {
  bed = await startUiBed({
    agent: { displayName: 'Agent Smith', dataDir: mkdtempSync(join(tmpdir(), 'calmline-e2e-workspace-')) },
    viewport: { width: 1200, height: 1000 },
  });
  ({ kamailio, agent, host, browser, page, pageErrors } = bed);
});

afterAll(async () => {
  await bed?.stop();
});

/** Runs axe on the page as it is and asserts no serious or critical violations. */
async function expectAccessible(target: Page, screen: string): Promise<void> {
  const results = await new AxeBuilder({ page: target }).analyze();
  const violations = results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
    );
  axeResults.push({ screen, violations });
  expect(violations, `axe on ${screen}`).toEqual([]);
}

const workspace = () => agent.must<WorkspaceView>('workspace:get-state');

/** The call as the core sees it now (the authority on what was sent). */
function coreCall(id: string): CallView {
  const call = agent.core.phoneState().calls.find((candidate) => candidate.id === id);
  if (!call) throw new Error(`the core has no call ${id}`);
  return call;
}

/** Waits for the incoming call from `number` to ring on the page; returns its id. */
async function ringingCallFrom(target: Page, number: string): Promise<string> {
  const call = await agent.waitForCall((c) => c.state === 'ringing' && c.remoteNumber === number, 15_000);
  await target.getByTestId(`call-${call.id}`).waitFor({ timeout: 15_000 });
  return call.id;
}

/** Tomorrow as the commitment's day choice names it (an ISO day). */
function tomorrow(): string {
  const date = new Date(Date.now() + 86_400_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/**
 * One language's journey: the strings the agent sees come from that language's
 * translations, so the Persian run finds every control by its Persian name.
 */
interface JourneySpec {
  language: 'en' | 'fa';
  messages: typeof en | typeof fa;
  caller: { number: string; name: string };
  /** Calls during the break: it must get 486 and never show. */
  breakCaller: string;
  notes: [string, string];
  flagReason: string;
  threat: string;
  promise: string;
  wrapUpNote: string;
  /** How a clock time "Saved 14:02" reads (Persian digits in Persian). */
  savedAt: RegExp;
  screenshots: Partial<Record<'active' | 'incidentForm' | 'report' | 'wrapUp' | 'break' | 'returning', string>>;
}

const PERSIAN_SCRIPT = /[\u0600-\u06FF]/;

/**
 * The string `key` of the journey's language with `values` filled in; the `<name>`
 * tags that mark bidi-isolated parts are dropped, as the agent reads them. In the
 * Persian run a missing or untranslated string fails the test: the key labels must
 * be Persian, not the English fallback.
 */
function textOf(spec: JourneySpec, key: string, values: Record<string, string | number> = {}): string {
  const text = key
    .split('.')
    .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], spec.messages);
  if (typeof text !== 'string') throw new Error(`${spec.language} has no string ${key}`);
  if (spec.language === 'fa' && !PERSIAN_SCRIPT.test(text)) throw new Error(`fa.${key} is not Persian: ${text}`);
  return text.replace(/<\/?\w+>/g, '').replace(/{{(\w+)}}/g, (_, name: string) => String(values[name]));
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Registers the journey's steps, in order; they share the call between them. */
function journey(spec: JourneySpec): void {
  const say = (key: string, values?: Record<string, string | number>) => textOf(spec, key, values);
  const caller = spec.caller.name;
  const heat = (field: 'hear' | 'empathize') =>
    HEAT_CHECKLIST.steps.find((step) => step.id === field)!.title[spec.language]!;
  const dir = spec.language === 'fa' ? 'rtl' : 'ltr';
  // Counts are written in the language's digits (۲ از ۴ in Persian).
  const number = (value: number) => new Intl.NumberFormat(spec.language).format(value);
  const shot = (name: keyof JourneySpec['screenshots']) =>
    spec.screenshots[name]
      ? page.screenshot({ path: `${SCREENSHOT_DIR}/${spec.screenshots[name]}.png`, fullPage: true })
      : undefined;
  let callId = '';
  let sipp: ReturnType<typeof runSipp>;

  describe(`the journey in ${spec.language === 'fa' ? 'Persian' : 'English'}`, () => {
    it('shows the ringing caller on the card, then the notes and HEAT checklist once answered', async () => {
      await expect.poll(() => page.locator('html').getAttribute('dir')).toBe(dir);
      expect(await page.locator('html').getAttribute('lang')).toBe(spec.language);
      await expect.poll(() => page.getByTestId('availability').getAttribute('data-status')).toBe('available');
      expect(await page.getByTestId('availability').textContent()).toContain(say('availability.available'));

      sipp = runSipp({
        scenario: 'caller-held-and-resumed.xml',
        kamailio,
        service: '1001',
        caller: spec.caller.number,
        displayName: caller,
        recvTimeoutMs: 60_000,
        timeoutMs: 120_000,
      });
      callId = await ringingCallFrom(page, spec.caller.number);
      const card = page.getByTestId('caller-card');
      await expect.poll(() => card.getByTestId('caller-card-name').textContent()).toBe(caller);
      expect(await card.textContent()).toContain(spec.caller.number);
      expect(await card.getByTestId('first-call').textContent()).toContain(say('card.firstCall'));
      await expectAccessible(page, `ringing caller card (${spec.language})`);

      await page.getByRole('button', { name: say('calls.answerLabel', { caller }), exact: true }).click();
      await expect
        .poll(() => page.getByTestId(`call-${callId}`).getAttribute('data-state'), { timeout: 10_000 })
        .toBe('active');
      const checklist = page.getByTestId('checklist');
      await checklist.waitFor();
      expect(await checklist.getByRole('heading').first().textContent()).toBe(HEAT_CHECKLIST.name[spec.language]);

      // The first two HEAT steps, by keyboard only: Space ticks, Tab goes to the next.
      const hear = checklist.getByRole('checkbox', { name: heat('hear') });
      await hear.focus();
      await page.keyboard.press('Space');
      await page.keyboard.press('Tab');
      expect(
        await page
          .locator(':focus')
          .evaluate((element) => element.closest('[data-step-id]')?.getAttribute('data-step-id')),
      ).toBe('empathize');
      expect(await page.locator(':focus').getAttribute('aria-describedby')).toBeTruthy();
      await page.keyboard.press('Space');
      await expect
        .poll(() => checklist.getByTestId('checklist-progress').textContent())
        .toBe(say('checklist.progress', { checked: number(2), total: number(4) }));
      await expect
        .poll(async () =>
          (await workspace()).checklists[callId]?.steps
            .filter((step) => step.checkedAt !== null)
            .map((step) => step.stepId),
        )
        .toEqual(['hear', 'empathize']);
      expect(await hear.isChecked()).toBe(true);
      // The shortcut keys stayed out of it: Space on a checkbox answered nothing, hung up nothing.
      expect(coreCall(callId).state).toBe('active');
    });

    it('autosaves the notes ("Saved" once on disk) and reads them back', async () => {
      const notes = page.getByRole('textbox', { name: say('notes.label', { caller }), exact: true });
      await notes.click();
      await page.keyboard.type(spec.notes.join('\n'));
      const status = page.getByTestId('notes-status');
      await expect.poll(() => status.textContent(), { timeout: 10_000 }).toMatch(spec.savedAt);
      expect(await status.getAttribute('role')).toBe('status');
      const stored = await agent.must<{ text: string }>('notes:get', { callId });
      expect(stored.text).toBe(spec.notes.join('\n'));

      await page.getByRole('button', { name: say('notes.readBackLabel', { caller }), exact: true }).click();
      expect(await page.getByTestId('read-back').locator('li').allTextContents()).toEqual(spec.notes);
    });

    it('asks before holding: "declined" sends nothing, "agreed" holds; Resume brings the caller back', async () => {
      const panel = page.getByTestId(`call-${callId}`);
      const hold = page.getByRole('button', { name: say('calls.holdLabel', { caller }), exact: true });
      await hold.click();
      const dialog = page.getByRole('dialog', { name: say('consent.title.hold', { caller }), exact: true });
      await dialog.waitFor();
      expect(await dialog.textContent()).toContain(say('consent.ask.hold'));
      await dialog.getByRole('button', { name: say('consent.declined'), exact: true }).click();
      await dialog.waitFor({ state: 'detached' });
      expect(await panel.getByTestId('call-note').textContent()).toBe(say('calls.declinedNote'));
      await expect.poll(() => coreCall(callId).consents.length).toBe(1);
      expect(coreCall(callId)).toMatchObject({
        state: 'active',
        consents: [{ action: 'hold', answer: 'declined', usedAt: null }],
      });

      await hold.click();
      await dialog.getByRole('button', { name: say('consent.agreed'), exact: true }).click();
      await dialog.waitFor({ state: 'detached' });
      await expect.poll(() => panel.getAttribute('data-state'), { timeout: 10_000 }).toBe('held');
      expect(await panel.getByTestId('call-state').textContent()).toBe(say('calls.state.held'));
      expect(coreCall(callId).consents).toMatchObject([
        { action: 'hold', answer: 'declined', usedAt: null },
        { action: 'hold', answer: 'agreed', usedAt: expect.any(Number) },
      ]);

      await page.getByRole('button', { name: say('calls.resumeLabel', { caller }), exact: true }).click();
      await expect.poll(() => panel.getAttribute('data-state'), { timeout: 10_000 }).toBe('active');
      expect(await panel.getByTestId('call-state').textContent()).toBe(say('calls.state.active'));
    });

    it('flags the caller, records the threat as an incident and exports the record for the report', async () => {
      await page.getByRole('button', { name: say('card.addFlagLabel', { caller }), exact: true }).click();
      await page.getByLabel(say('card.flagKind'), { exact: true }).selectOption('insults');
      await page.getByLabel(say('card.flagReason'), { exact: true }).fill(spec.flagReason);
      await page.getByRole('button', { name: say('card.saveFlag'), exact: true }).click();
      const flags = page.getByTestId('caller-flags');
      await flags.waitFor();
      expect(await flags.textContent()).toContain(say('flagKind.insults'));
      expect(await flags.textContent()).toContain(
        say('card.flagBy', { author: 'Agent Smith', date: '' }).trim().replace(/[,،]$/, ''),
      );

      // The threat, word for word, by keyboard: focus starts on the kind.
      const openIncident = page.getByRole('button', { name: say('incident.openLabel', { caller }), exact: true });
      await openIncident.click();
      const form = page.getByRole('form', { name: say('incident.heading'), exact: true });
      await form.waitFor();
      expect(await page.locator(':focus').getAttribute('type')).toBe('radio');
      await form.getByRole('radio', { name: say('flagKind.legal-threat'), exact: true }).check();
      await form.getByLabel(say('incident.said'), { exact: true }).fill(spec.threat);
      // "When" defaults to now, as a day and a time labelled in the UI language and its calendar.
      const whenGroup = form.getByRole('group', { name: say('incident.when'), exact: true });
      const day = await whenGroup.getByLabel(say('incident.whenDay'), { exact: true }).inputValue();
      const time = await whenGroup.getByLabel(say('incident.whenTime'), { exact: true }).inputValue();
      expect(Math.abs(new Date(`${day}T${time}`).getTime() - Date.now())).toBeLessThan(120_000);
      const dayLabel = await whenGroup
        .getByLabel(say('incident.whenDay'), { exact: true })
        .locator('option:checked')
        .textContent();
      expect(dayLabel).toContain(new Intl.RelativeTimeFormat(spec.language, { numeric: 'auto' }).format(0, 'day'));
      await expectAccessible(page, `incident form (${spec.language})`);
      await shot('incidentForm');
      await form.getByRole('button', { name: say('incident.save'), exact: true }).click();
      await form.waitFor({ state: 'detached' });
      expect(await openIncident.evaluate((element) => element.ownerDocument.activeElement === element)).toBe(true);
      const threatFlags = page.getByTestId('threat-flags');
      await threatFlags.waitFor();
      expect(await threatFlags.textContent()).toContain(say('flagKind.legal-threat'));
      const incident = page.getByTestId('incident');
      expect(await incident.locator('blockquote').textContent()).toBe(spec.threat);
      const stored = await agent.must<CallerRecord>('callers:lookup', { number: spec.caller.number });
      expect(stored.incidents).toMatchObject([
        { callId, kind: 'legal-threat', whatWasSaid: spec.threat, recordedBy: 'Agent Smith' },
      ]);
      expect(stored.flags.map((flag) => flag.kind)).toEqual(['insults', 'legal-threat']);

      await page.getByRole('button', { name: say('exportRecord.actionLabel', { caller }), exact: true }).click();
      const result = page.getByTestId('export-result');
      await result.waitFor();
      expect(await page.getByTestId('export-status').textContent()).toBe(say('exportRecord.done'));
      const [markdownPath, jsonPath] = await result.getByTestId('export-path').allTextContents();
      // The paths shown are the files main wrote, with the incident in them.
      expect(markdownPath).toMatch(/\.md$/);
      expect(jsonPath).toMatch(/\.json$/);
      expect(existsSync(markdownPath!) && existsSync(jsonPath!)).toBe(true);
      expect(readFileSync(markdownPath!, 'utf8')).toContain(spec.threat);
      expect(
        await result
          .getByRole('button', { name: say('exportRecord.copyLabel', { format: 'JSON' }), exact: true })
          .count(),
      ).toBe(1);
      await expectAccessible(page, `incident recorded and record exported (${spec.language})`);
      await shot('report');
    });

    it('records the commitment', async () => {
      const commitment = page.getByTestId('commitment');
      await commitment.getByLabel(say('checklist.commitment.date'), { exact: true }).selectOption(tomorrow());
      await commitment.getByLabel(say('checklist.commitment.text'), { exact: true }).fill(spec.promise);
      await commitment.getByRole('button', { name: say('checklist.commitment.record'), exact: true }).click();
      const promised = say('checklist.commitment.recorded.due-date', { date: '' }).trim();
      await expect
        .poll(() => commitment.getByTestId('commitment-recorded').textContent())
        .toMatch(new RegExp(`^${escapeRegExp(promised)} `));
      const record = await agent.must<CallerRecord>('callers:lookup', { number: spec.caller.number });
      expect(record.flags).toMatchObject([
        { kind: 'insults', reason: spec.flagReason, callId },
        { kind: 'legal-threat' },
      ]);
      expect(record.followUps).toMatchObject([{ callId, kind: 'due-date', text: spec.promise }]);
      await expectAccessible(page, `active call workspace (${spec.language})`);
      await shot('active');
    });

    it('hangs up (SIPp saw one hold and one resume), finishes the wrap-up and is offered the break', async () => {
      await page.getByRole('button', { name: say('calls.hangUpLabel', { caller }), exact: true }).click();
      const result = await sipp.done;
      expect(result.passed, formatSippResult(result)).toBe(true);
      const requests = parseSippTrace(result.messages)
        .filter(
          (m) => m.direction === 'received' && !m.firstLine.startsWith('SIP/2.0') && !m.firstLine.startsWith('ACK '),
        )
        .map((m) => m.firstLine.split(' ')[0]);
      // The declined hold sent nothing: one hold (a=sendonly), one resume (a=sendrecv), the BYE.
      expect(requests).toEqual(['INVITE', 'INVITE', 'BYE']);

      const wrapUp = page.getByTestId('wrap-up');
      await wrapUp.waitFor({ timeout: 10_000 });
      expect(await wrapUp.getByRole('heading').first().textContent()).toBe(say('wrapUp.heading', { caller }));
      expect(await wrapUp.getByTestId('thank-you-prompt').textContent()).toContain(
        DEFAULT_WORKSPACE_POLICY.thankYou[spec.language],
      );
      const timeLeft = say('wrapUp.timeLeft', { time: '' }).trim();
      expect(await wrapUp.getByRole('timer').textContent()).toContain(timeLeft);
      await wrapUp.getByRole('radio', { name: say('wrapUp.outcomes.follow-up'), exact: true }).check();
      await wrapUp.getByLabel(say('wrapUp.note'), { exact: true }).fill(spec.wrapUpNote);
      await expectAccessible(page, `wrap-up (${spec.language})`);
      await shot('wrapUp');
      await wrapUp.getByRole('button', { name: say('wrapUp.finish'), exact: true }).click();
      await wrapUp.waitFor({ state: 'detached' });

      const offer = page.getByTestId('break-offer');
      await offer.waitFor();
      expect(await offer.textContent()).toContain(say('breaks.offer.flagged-call'));
      expect((await workspace()).breakOffer).toMatchObject({ reason: 'flagged-call', callId });
    });

    it('takes the break: the phone is unavailable (486) and no caller appears; End break returns', async () => {
      const { minutes } = (await workspace()).breakOffer!;
      await page.getByRole('button', { name: say('breaks.takeOffer', { minutes }), exact: true }).click();
      const panel = page.getByTestId('break-panel');
      await panel.waitFor();
      expect(await panel.getByTestId('break-unavailable').textContent()).toBe(say('breaks.unavailable'));
      expect(await panel.getByRole('timer').textContent()).toContain(say('breaks.timeLeft', { time: '' }).trim());
      expect(await panel.getByRole('button').allTextContents()).toEqual([say('breaks.end')]);
      await expect.poll(async () => (await workspace()).acceptingCalls).toBe(false);

      // Anything call-like that appears on the page while on break is remembered.
      const digits = spec.breakCaller.slice(-6);
      await page.evaluate(`(() => {
        const seen = [];
        window.seenDuringBreak = seen;
        window.breakObserver = new MutationObserver(() => {
          if (document.body.textContent.includes('${digits}') || document.querySelector('[data-testid^="call-"]')) seen.push('call');
        });
        window.breakObserver.observe(document.body, { childList: true, subtree: true, characterData: true });
      })()`);
      const before = agent.states.length;
      const turnedAway = runSipp({
        scenario: 'caller-declined.xml',
        kamailio,
        service: '1001',
        caller: spec.breakCaller,
      });
      await expectAccessible(page, `break (${spec.language})`);
      await shot('break');
      const result = await turnedAway.done;
      expect(result.passed, formatSippResult(result)).toBe(true);
      expect(parseSippTrace(result.messages).some((m) => m.firstLine === 'SIP/2.0 486 Busy Here')).toBe(true);
      expect(agent.states.slice(before).some((s) => s.calls.some((c) => c.remoteNumber === spec.breakCaller))).toBe(
        false,
      );
      expect(await page.evaluate('window.breakObserver.disconnect(), window.seenDuringBreak')).toEqual([]);

      await panel.getByRole('button', { name: say('breaks.end'), exact: true }).click();
      await panel.waitFor({ state: 'detached' });
      await expect.poll(() => page.getByTestId('availability').getAttribute('data-status')).toBe('available');
    });

    it("shows the flags, the incident and the first call's note when the same caller calls again", async () => {
      const again = runSipp({
        scenario: 'caller-declined.xml',
        kamailio,
        service: '1001',
        caller: spec.caller.number,
        displayName: caller,
      });
      await ringingCallFrom(page, spec.caller.number);
      const card = page.getByTestId('caller-card');
      const flags = card.getByTestId('caller-flags');
      await flags.waitFor();
      expect(await flags.textContent()).toContain(say('flagKind.insults'));
      expect(await flags.textContent()).toContain(spec.flagReason);
      expect(await card.getByTestId('threat-flags').textContent()).toContain(say('card.threatHeading'));
      expect(await card.getByTestId('incident').locator('blockquote').textContent()).toBe(spec.threat);
      expect(await card.getByTestId('last-call').first().textContent()).toContain(spec.notes[0]);
      expect(await card.getByTestId('follow-up').first().textContent()).toContain(spec.promise);
      expect(await card.getByTestId('first-call').count()).toBe(0);
      // A ringing call offers no incident yet: threats are said on the line.
      expect(await card.getByRole('button', { name: say('incident.openLabel', { caller }), exact: true }).count()).toBe(
        0,
      );
      await expectAccessible(page, `flagged returning caller (${spec.language})`);
      await shot('returning');
      await page.getByRole('button', { name: say('calls.declineLabel', { caller }), exact: true }).click();
      const result = await again.done;
      expect(result.passed, formatSippResult(result)).toBe(true);
    });
  });
}

describe('the agent workspace in Chromium, against the real core', () => {
  it('opens the workspace', async () => {
    await page.goto(host.url);
    await expect.poll(() => page.getByTestId('registration-status').getAttribute('data-status')).toBe('registered');
  });

  journey({
    language: 'en',
    messages: en,
    caller: { number: '+4930777000', name: 'Angry Caller' },
    breakCaller: '+4930777001',
    notes: ['Invoice 4711 charged twice.', 'Wants a refund, very upset.'],
    flagReason: 'Insulted the agent repeatedly',
    threat: '"I will see you in court, and I know where your office is."',
    promise: 'Refund the double charge',
    wrapUpNote: 'Refund promised for tomorrow',
    savedAt: /^Saved \d\d:\d\d$/,
    screenshots: {
      active: '20-caller-card',
      wrapUp: '21-wrap-up',
      break: '22-break',
      returning: '23-flagged-returning-caller',
      incidentForm: '26-incident-form',
      report: '26-incident-export',
    },
  });

  it('switches to Persian from the language setting: right to left at once, in every window', async () => {
    const settings = page.getByRole('button', { name: 'Settings', exact: true });
    await settings.click();
    const form = page.getByRole('form', { name: 'Language', exact: true });
    const select = form.getByLabel('Language of Calmline', { exact: true });
    await expect
      .poll(() => select.locator('option').allTextContents())
      .toEqual(['System language (English)', 'English', 'Deutsch', 'Norsk bokmål', 'فارسی']);
    const other = await browser.newContext({ locale: 'en-US' });
    try {
      const otherPage = await other.newPage();
      bed.watchErrors(otherPage);
      await otherPage.goto(host.url);
      await expect.poll(() => otherPage.locator('html').getAttribute('dir')).toBe('ltr');

      await select.selectOption('fa');
      // Nothing changes before Save, and nothing reloads after it (the marker survives).
      expect(await page.locator('html').getAttribute('dir')).toBe('ltr');
      await page.evaluate('window.notReloaded = true');
      await form.getByRole('button', { name: 'Save language', exact: true }).click();
      await expect.poll(() => page.locator('html').getAttribute('dir')).toBe('rtl');
      expect(await page.locator('html').getAttribute('lang')).toBe('fa');
      expect(await page.evaluate('window.notReloaded')).toBe(true);
      await expect.poll(() => page.getByTestId('language-save-status').textContent()).toBe(fa.language!.saved);
      expect(await agent.must('settings:get-language')).toEqual({ language: 'fa' });
      // The other window follows main's event.
      await expect.poll(() => otherPage.locator('html').getAttribute('dir')).toBe('rtl');
      await expectAccessible(page, 'language settings (Persian)');
      await page.screenshot({ path: `${SCREENSHOT_DIR}/27-language-settings-fa.png`, fullPage: true });

      // A window opened now, on an English system, starts in the saved Persian.
      const late = await other.newPage();
      bed.watchErrors(late);
      await late.goto(host.url);
      await expect.poll(() => late.locator('html').getAttribute('dir')).toBe('rtl');
      await expect.poll(() => late.getByTestId('availability').textContent()).toContain(fa.availability!.available!);
    } finally {
      await other.close();
    }
    await page.getByRole('button', { name: fa.app!.settings!, exact: true }).click();
    await page.getByTestId('language-settings').waitFor({ state: 'detached' });
  });

  journey({
    language: 'fa',
    messages: fa,
    caller: { number: '+4930777002', name: 'مریم' },
    breakCaller: '+4930777003',
    notes: ['فاکتور ۴۷۱۱ دو بار پرداخت شده است.', 'بازپرداخت می‌خواهد، خیلی ناراحت است.'],
    flagReason: 'چند بار به کارشناس توهین کرد',
    threat: '«از شما شکایت می‌کنم و می‌دانم دفترتان کجاست.»',
    promise: 'بازپرداخت مبلغ دوباره‌کسرشده',
    wrapUpNote: 'قول بازپرداخت برای فردا',
    savedAt: /^ذخیره شد [۰-۹]{2}:[۰-۹]{2}$/,
    screenshots: {
      active: '24-workspace-fa',
      returning: '25-flagged-returning-caller-fa',
      report: '26-incident-export-fa',
    },
  });

  it('goes back to the system language: left to right again', async () => {
    await page.getByRole('button', { name: fa.app!.settings!, exact: true }).click();
    const form = page.getByRole('form', { name: fa.language!.heading!, exact: true });
    await form.getByLabel(fa.language!.label!, { exact: true }).selectOption('auto');
    await form.getByRole('button', { name: fa.language!.save!, exact: true }).click();
    await expect.poll(() => page.locator('html').getAttribute('dir')).toBe('ltr');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await agent.must('settings:get-language')).toEqual({ language: 'auto' });
    await page.getByRole('button', { name: 'Settings', exact: true }).click();

    expect(pageErrors).toEqual([]);
    // For the run's log: every screen axe looked at.
    console.info(`axe: ${axeResults.map((r) => `${r.screen}: ${r.violations.length} serious/critical`).join('; ')}`);
  });
});
