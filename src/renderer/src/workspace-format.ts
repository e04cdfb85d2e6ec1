/**
 * Dates and times as the workspace shows them, in the agent's language (plain code,
 * no React), and the conversion from a date field's value to the epoch time a
 * commitment needs.
 */

/** "14:02": a time of day, for "Saved 14:02". */
export function formatClockTime(ms: number, language: string): string {
  return new Intl.DateTimeFormat(language, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(ms);
}

/** "6 Jan 2025": a date, for flags, follow-ups and earlier calls. */
export function formatDate(ms: number, language: string): string {
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium' }).format(ms);
}

/** "6 Jan 2025, 09:30": a date with its time, for earlier calls. */
export function formatDateTime(ms: number, language: string): string {
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' }).format(ms);
}

/**
 * The end of the local day a `<input type="date">` value names (`2025-01-09`), as
 * epoch ms: a promise "by Thursday" holds until Thursday evening, and a date of
 * today is still in the future. Null for an empty or malformed value.
 */
export function endOfDateInput(value: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(year, month - 1, day, 23, 59, 0, 0);
  // Rejects 2025-02-31, which Date would roll over into March.
  if (date.getFullYear() !== year || date.getMonth() !== month - 1 || date.getDate() !== day) return null;
  return date.getTime();
}

/** The `<input type="date">` value of the local day of `ms` (for the field's `min`). */
export function dateInputValue(ms: number): string {
  const date = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The `<input type="datetime-local">` value of the local minute of `ms` (`2025-01-06T09:30`). */
export function dateTimeInputValue(ms: number): string {
  const date = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${dateInputValue(ms)}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/**
 * The epoch ms of the local minute a `<input type="datetime-local">` value names,
 * or null for an empty or malformed one (seconds, if the browser adds them, count).
 */
export function parseDateTimeInput(value: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(year, month - 1, day, hour, minute, second, 0);
  // Rejects 2025-02-31 or 25:00, which Date would roll over.
  if (
    date.getMonth() !== month - 1 ||
    date.getDate() !== day ||
    date.getHours() !== hour ||
    date.getMinutes() !== minute
  ) {
    return null;
  }
  return date.getTime();
}

/** One day a date choice offers: its `<input type="date">`-style value and its label. */
export interface DateChoice {
  value: string;
  label: string;
}

/**
 * The days from `from` on, `days` of them, labelled in the agent's language and its
 * calendar (Persian gets the Solar Hijri calendar and Persian digits, German
 * "Di., 8. Dez. 2026"), today and tomorrow named as such. The values stay ISO days,
 * so `endOfDateInput` reads them; the browser's fixed `mm/dd/yyyy` never shows.
 */
export function dateChoices(from: number, days: number, language: string): DateChoice[] {
  return dayChoices(from, days, 1, language);
}

/**
 * The days up to `from`, newest first: today, yesterday and the `days - 2` before,
 * labelled as {@link dateChoices} labels them. For when something happened (an incident
 * is recorded after it, never before).
 */
export function pastDateChoices(from: number, days: number, language: string): DateChoice[] {
  return dayChoices(from, days, -1, language);
}

function dayChoices(from: number, days: number, step: 1 | -1, language: string): DateChoice[] {
  const format = new Intl.DateTimeFormat(language, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
  });
  const relative = new Intl.RelativeTimeFormat(language, { numeric: 'auto' });
  const start = new Date(from);
  const choices: DateChoice[] = [];
  for (let index = 0; index < days; index += 1) {
    const offset = index * step;
    // Noon, so a daylight-saving change never skips or repeats a day.
    const day = new Date(start.getFullYear(), start.getMonth(), start.getDate() + offset, 12);
    const label = format.format(day);
    // Today, and tomorrow or yesterday, are named ("today", "heute", "امروز").
    const named = index < 2 ? relative.format(offset, 'day') : null;
    choices.push({ value: dateInputValue(day.getTime()), label: named ? `${named} · ${label}` : label });
  }
  return choices;
}

/** One time of day a time choice offers: its `HH:MM` value and its label. */
export interface TimeChoice {
  value: string;
  label: string;
}

/**
 * The times of a day every `stepMinutes`, plus the exact minute of `at` (the default,
 * "now"), as `HH:MM` values labelled in the agent's language and its digits (Persian
 * "۰۹:۳۰"), always on a 24-hour clock as {@link formatClockTime} shows times.
 */
export function timeChoices(at: number, stepMinutes: number, language: string): TimeChoice[] {
  const local = new Date(at);
  const exact = local.getHours() * 60 + local.getMinutes();
  const minutes = new Set<number>([exact]);
  for (let minute = 0; minute < 24 * 60; minute += stepMinutes) minutes.add(minute);
  // Formatted in UTC on a fixed day, so no daylight-saving gap hides a label.
  const format = new Intl.DateTimeFormat(language, {
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: 'UTC',
  });
  const pad = (n: number) => String(n).padStart(2, '0');
  return [...minutes]
    .sort((a, b) => a - b)
    .map((minute) => ({
      value: `${pad(Math.floor(minute / 60))}:${pad(minute % 60)}`,
      label: format.format(Date.UTC(2000, 0, 1, Math.floor(minute / 60), minute % 60)),
    }));
}
