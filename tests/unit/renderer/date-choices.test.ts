import { describe, expect, it } from 'vitest';
import { dateChoices, endOfDateInput } from '../../../src/renderer/src/workspace-format';

// Local noon, 8 December 2026 (a Tuesday).
const FROM = new Date(2026, 11, 8, 12).getTime();

describe("the commitment's day choice", () => {
  it('offers ISO days from today on, labelled in the language, today and tomorrow named', () => {
    const days = dateChoices(FROM, 3, 'en');
    expect(days.map((day) => day.value)).toEqual(['2026-12-08', '2026-12-09', '2026-12-10']);
    expect(days[0]!.label).toBe('today · Tue, Dec 8, 2026');
    expect(days[1]!.label).toBe('tomorrow · Wed, Dec 9, 2026');
    expect(days[2]!.label).toBe('Thu, Dec 10, 2026');
    expect(endOfDateInput(days[2]!.value)).toBe(new Date(2026, 11, 10, 23, 59).getTime());
  });

  it('follows the language and its calendar: German order, the Persian calendar with Persian digits', () => {
    expect(dateChoices(FROM, 3, 'de')[2]!.label).toBe('Do., 10. Dez. 2026');
    const persian = dateChoices(FROM, 3, 'fa');
    expect(persian[0]!.label).toContain('امروز');
    // 8 December 2026 is 17 Azar 1405 in the Solar Hijri calendar.
    expect(persian[0]!.label).toContain('۱۷');
    expect(persian[0]!.label).toContain('آذر');
    expect(persian[0]!.label).toContain('۱۴۰۵');
    expect(persian[0]!.label).not.toMatch(/[0-9]/);
  });

  it('crosses month, year and daylight-saving changes without skipping or repeating a day', () => {
    const days = dateChoices(new Date(2026, 2, 27, 12).getTime(), 400, 'en').map((day) => day.value);
    expect(new Set(days).size).toBe(400);
    expect(days.slice(0, 4)).toEqual(['2026-03-27', '2026-03-28', '2026-03-29', '2026-03-30']);
  });
});
