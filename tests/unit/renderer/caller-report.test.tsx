// @vitest-environment jsdom
/**
 * Reporting a threat from the caller card (D5 in docs/practice.md): the incident form (kind, what was
 * said word for word, when) and the export of the caller's record for the report.
 */
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { de } from '../../../src/renderer/src/i18n/de';
import { en } from '../../../src/renderer/src/i18n/en';
import { fa } from '../../../src/renderer/src/i18n/fa';
import { nb } from '../../../src/renderer/src/i18n/nb';
import {
  dateTimeInputValue,
  parseDateTimeInput,
  pastDateChoices,
  timeChoices,
} from '../../../src/renderer/src/workspace-format';
import { callView } from './fake-calmline-api';
import { pushCalls, settle, showCalls } from './show-calls';

// A local time, so the "when" field reads the same in every time zone.
const NOW = new Date(2025, 0, 6, 9, 30, 20).getTime();
const NUMBER = '+49 30 1234567';
const active = () => callView({ id: 'c1', state: 'active', answeredAt: NOW - 60_000 });

beforeEach(() => {
  // Only Date: the fake API's answers (microtasks) must still run.
  vi.useFakeTimers({ toFake: ['Date'], now: NOW });
});

afterEach(() => {
  vi.useRealTimers();
  cleanup();
  delete window.calmline;
  Reflect.deleteProperty(navigator, 'clipboard');
});

const opener = () => screen.getByRole('button', { name: 'Record incident: a threat by Erika Mustermann' });
const form = () => screen.getByRole('form', { name: 'Threat incident' });

describe('Record incident', () => {
  it('is offered, with Export record, once the call is answered, not while it rings', async () => {
    const api = await showCalls([callView({ id: 'c1' })]);
    await settle();
    expect(screen.queryByRole('button', { name: /^Record incident/ })).toBeNull();
    expect(screen.queryByRole('button', { name: /^Export record/ })).toBeNull();
    pushCalls(api, [active()]);
    expect(opener().getAttribute('aria-expanded')).toBe('false');
    expect(screen.getByRole('button', { name: 'Export record of Erika Mustermann for a report' })).toBeTruthy();
  });

  it('records the threat word for word with its time; the card then shows the incident and the threat flag', async () => {
    const api = await showCalls([active()]);
    await settle();
    fireEvent.click(opener());
    expect(opener().getAttribute('aria-expanded')).toBe('true');
    // Focus moves into the form, to its first choice.
    expect(document.activeElement).toBe(within(form()).getByRole('radio', { name: 'Legal threat' }));
    // "When" starts at the minute the form opened: today, 09:30.
    const when = within(form()).getByRole('group', { name: 'When it was said' });
    const day = within(when).getByRole('combobox', { name: 'Day' }) as HTMLSelectElement;
    const time = within(when).getByRole('combobox', { name: 'Time' }) as HTMLSelectElement;
    expect(day.value).toBe('2025-01-06');
    expect(time.value).toBe('09:30');
    expect(day.selectedOptions[0]!.textContent).toBe('today · Mon, Jan 6, 2025');
    expect(time.selectedOptions[0]!.textContent).toBe('09:30');

    // Nothing chosen, nothing written: nothing is sent, and the form says what is missing.
    fireEvent.click(within(form()).getByRole('button', { name: 'Save incident' }));
    expect(within(form()).getByText('Choose the kind of threat.')).toBeTruthy();
    const said = within(form()).getByLabelText('What was said, word for word') as HTMLTextAreaElement;
    expect(said.getAttribute('aria-invalid')).toBe('true');
    expect(describedText(said)).toContain('Write what was said.');
    expect(document.activeElement).toBe(within(form()).getByRole('radio', { name: 'Legal threat' }));
    expect(api.sentNames()).not.toContain('recordIncident');

    fireEvent.click(within(form()).getByRole('radio', { name: 'Physical threat' }));
    fireEvent.change(said, { target: { value: '  "I know where you live."  ' } });
    fireEvent.change(time, { target: { value: '09:25' } });
    fireEvent.click(within(form()).getByRole('button', { name: 'Save incident' }));
    await waitFor(() =>
      expect(api.sent).toContainEqual({
        command: 'recordIncident',
        args: [
          {
            number: NUMBER,
            callId: 'c1',
            kind: 'physical-threat',
            whatWasSaid: '"I know where you live."',
            occurredAt: new Date(2025, 0, 6, 9, 25).getTime(),
          },
        ],
      }),
    );
    await waitFor(() => expect(screen.queryByTestId('incident-form')).toBeNull());
    expect(document.activeElement).toBe(opener());
    expect(screen.getByText('Incident recorded. The caller is flagged.').getAttribute('role')).toBe('status');

    const threat = await screen.findByTestId('threat-flags');
    expect(threat.getAttribute('role')).toBe('alert');
    expect(threat.textContent).toContain('Physical threat');
    const incident = within(screen.getByTestId('incidents')).getByTestId('incident');
    expect(incident.dataset.kind).toBe('physical-threat');
    expect(incident.querySelector('blockquote')?.textContent).toBe('"I know where you live."');
    expect(incident.textContent).toContain('recorded by Agent 1001');
  });

  it('refuses a time in the future, and Escape closes the form without sending anything', async () => {
    const api = await showCalls([active()]);
    await settle();
    fireEvent.click(opener());
    fireEvent.click(within(form()).getByRole('radio', { name: 'Legal threat' }));
    const said = within(form()).getByLabelText('What was said, word for word');
    fireEvent.change(said, { target: { value: 'You will hear from my lawyer.' } });
    const day = within(form()).getByRole('combobox', { name: 'Day' });
    const time = within(form()).getByRole('combobox', { name: 'Time' });
    fireEvent.change(time, { target: { value: '09:45' } });
    fireEvent.click(within(form()).getByRole('button', { name: 'Save incident' }));
    for (const field of [day, time]) {
      expect(field.getAttribute('aria-invalid')).toBe('true');
      expect(describedText(field)).toContain('Enter a date and time that is not in the future.');
    }
    expect(document.activeElement).toBe(day);

    fireEvent.keyDown(said, { key: 'Escape' });
    await waitFor(() => expect(document.activeElement).toBe(opener()));
    expect(screen.queryByTestId('incident-form')).toBeNull();
    expect(opener().getAttribute('aria-expanded')).toBe('false');
    expect(api.sentNames()).not.toContain('recordIncident');
  });

  it('says when the incident was not recorded, and keeps what was typed', async () => {
    const api = await showCalls([active()]);
    await settle();
    api.refuseNext('recordIncident', 'disk-full');
    fireEvent.click(opener());
    fireEvent.click(within(form()).getByRole('radio', { name: 'Legal threat' }));
    fireEvent.change(within(form()).getByLabelText('What was said, word for word'), {
      target: { value: 'I will sue you.' },
    });
    fireEvent.click(within(form()).getByRole('button', { name: 'Save incident' }));
    const alert = await within(form()).findByRole('alert');
    expect(alert.textContent).toBe(
      'The incident was not recorded. The disk is full, so this was not saved. Your text is kept and saving is retried.',
    );
    expect((within(form()).getByLabelText('What was said, word for word') as HTMLTextAreaElement).value).toBe(
      'I will sue you.',
    );
    expect(screen.queryByTestId('incidents')).toBeNull();
  });

  it('is in the agent’s language, right to left in Persian', async () => {
    await showCalls([active()], { language: 'fa' });
    await settle();
    fireEvent.click(screen.getByRole('button', { name: 'ثبت رخداد: تهدید از سوی Erika Mustermann' }));
    const persian = screen.getByRole('form', { name: 'رخداد تهدید' });
    expect(within(persian).getByRole('radio', { name: 'تهدید فیزیکی' })).toBeTruthy();
    expect(within(persian).getByLabelText('آنچه گفته شد، کلمه به کلمه').getAttribute('dir')).toBe('auto');
    // "When" in the Solar Hijri calendar with Persian digits: 6 January 2025 is 17 Dey 1403.
    const when = within(persian).getByRole('group', { name: 'زمان گفته شدن' });
    const day = within(when).getByRole('combobox', { name: 'روز' }) as HTMLSelectElement;
    const time = within(when).getByRole('combobox', { name: 'ساعت' }) as HTMLSelectElement;
    const today = day.selectedOptions[0]!.textContent ?? '';
    expect(today).toContain('امروز');
    expect(today).toContain('۱۷');
    expect(today).toContain('دی');
    expect(today).toContain('۱۴۰۳');
    expect(day.options[1]!.textContent).toContain('دیروز');
    expect(time.selectedOptions[0]!.textContent).toBe('۰۹:۳۰');
    for (const option of [...day.options, ...time.options]) expect(option.textContent).not.toMatch(/[0-9]/);
  });
});

describe('Export record', () => {
  it('exports the record and shows where both files were written, each with Copy', async () => {
    const writeText = vi.fn(async (_text: string) => undefined);
    Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText } });
    const api = await showCalls([active()]);
    await settle();
    fireEvent.click(screen.getByRole('button', { name: 'Export record of Erika Mustermann for a report' }));
    await waitFor(() => expect(api.sent).toContainEqual({ command: 'exportCallerRecord', args: [NUMBER] }));
    const result = await screen.findByTestId('export-result');
    expect(screen.getByTestId('export-status').textContent).toBe('Record exported. The two files are listed below.');
    expect(
      within(result)
        .getAllByTestId('export-path')
        .map((path) => [path.textContent, path.getAttribute('dir')]),
    ).toEqual([
      [`/home/agent/.config/Calmline/exports/${NUMBER}.md`, 'ltr'],
      [`/home/agent/.config/Calmline/exports/${NUMBER}.json`, 'ltr'],
    ]);
    expect(within(result).getByTestId('export-markdown').textContent).toContain('Markdown (to read or print)');

    fireEvent.click(within(result).getByRole('button', { name: 'Copy the path of the JSON file' }));
    await waitFor(() => expect(screen.getByTestId('export-status').textContent).toBe('Path copied.'));
    expect(writeText).toHaveBeenCalledWith(`/home/agent/.config/Calmline/exports/${NUMBER}.json`);
  });

  it('says how to copy by hand when the clipboard is not available', async () => {
    await showCalls([active()]);
    await settle();
    fireEvent.click(screen.getByRole('button', { name: 'Export record of Erika Mustermann for a report' }));
    const result = await screen.findByTestId('export-result');
    fireEvent.click(within(result).getByRole('button', { name: 'Copy the path of the Markdown file' }));
    await waitFor(() =>
      expect(screen.getByTestId('export-status').textContent).toBe(
        'Could not copy. Select the path and copy it with Ctrl+C.',
      ),
    );
  });

  it('says clearly when the export failed, and shows no paths', async () => {
    const api = await showCalls([active()]);
    await settle();
    const button = screen.getByRole('button', { name: 'Export record of Erika Mustermann for a report' });
    fireEvent.click(button);
    await screen.findByTestId('export-result');
    // A second export fails: the paths of the first must not pass for this one's.
    api.refuseNext('exportCallerRecord', 'no-permission');
    await act(async () => {
      fireEvent.click(button);
      await Promise.resolve();
    });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe(
      'The record was not exported. Calmline may not write to its data folder. Your text is kept; please tell IT.',
    );
    expect(screen.queryByTestId('export-result')).toBeNull();
    expect(screen.getByTestId('export-status').textContent).toBe('');
  });
});

describe('the new strings', () => {
  it('are translated in every language', () => {
    const sections = ['language', 'incident', 'exportRecord'] as const;
    for (const [name, messages] of Object.entries({ de, nb, fa })) {
      for (const section of sections) {
        const translated = messages[section] as Record<string, string> | undefined;
        expect(Object.keys(translated ?? {}).sort(), `${name}.${section}`).toEqual(Object.keys(en[section]).sort());
        for (const [key, text] of Object.entries(en[section])) {
          expect(translated?.[key], `${name}.${section}.${key}`).not.toBe(text);
        }
      }
      expect(messages.reminders?.takeBreakNow, `${name}.reminders.takeBreakNow`).not.toBe(en.reminders.takeBreakNow);
    }
  });
});

describe("the incident's day and time choices", () => {
  it('offer today and the days before it, never a day ahead', () => {
    const days = pastDateChoices(NOW, 3, 'en');
    expect(days.map((day) => day.value)).toEqual(['2025-01-06', '2025-01-05', '2025-01-04']);
    expect(days.map((day) => day.label)).toEqual([
      'today · Mon, Jan 6, 2025',
      'yesterday · Sun, Jan 5, 2025',
      'Sat, Jan 4, 2025',
    ]);
    expect(pastDateChoices(NOW, 2, 'de')[1]!.label).toBe('gestern · So., 5. Jan. 2025');
  });

  it('offer the times of day in steps, with the exact minute of now, in the language and its digits', () => {
    const at = new Date(2025, 0, 6, 9, 32).getTime();
    const times = timeChoices(at, 5, 'en');
    expect(times).toHaveLength(24 * 12 + 1);
    expect(times.slice(114, 117).map((time) => time.value)).toEqual(['09:30', '09:32', '09:35']);
    expect(times[0]).toEqual({ value: '00:00', label: '00:00' });
    expect(times.at(-1)).toEqual({ value: '23:55', label: '23:55' });
    expect(timeChoices(at, 5, 'fa').find((time) => time.value === '09:32')?.label).toBe('۰۹:۳۲');
    // A minute on a step is offered once.
    expect(timeChoices(NOW, 5, 'en')).toHaveLength(24 * 12);
  });
});

describe('datetime-local values', () => {
  it('round-trip the local minute and reject what Date would roll over', () => {
    expect(dateTimeInputValue(NOW)).toBe('2025-01-06T09:30');
    expect(parseDateTimeInput('2025-01-06T09:30')).toBe(new Date(2025, 0, 6, 9, 30).getTime());
    expect(parseDateTimeInput('2025-01-06T09:30:15')).toBe(new Date(2025, 0, 6, 9, 30, 15).getTime());
    expect(parseDateTimeInput('2025-02-31T09:30')).toBeNull();
    expect(parseDateTimeInput('2025-01-06T25:00')).toBeNull();
    expect(parseDateTimeInput('')).toBeNull();
  });
});

function describedText(element: HTMLElement): string {
  return (element.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .filter(Boolean)
    .map((id) => document.getElementById(id)?.textContent ?? '')
    .join(' | ');
}
