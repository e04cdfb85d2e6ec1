/**
 * Text shown to the agent in several languages. Checklists and prompts that IT
 * deploys carry their own translations (the app's own translation files cannot know
 * a company's wording), with English required as the fallback every agent gets when
 * their language is missing.
 */
import { z } from 'zod';
import { objectError } from './issue-format';

/** A BCP 47-like language tag: `en`, `de`, `nb`, `fa`, `de-AT`, `zh-Hant`. */
const LANGUAGE_TAG = /^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/;

/** Text in several languages: language tag → text; `en` is always present. */
export type LocalizedText = { en: string } & Record<string, string>;

/**
 * Schema of a LocalizedText whose texts are 1 to `maxLength` characters after
 * trimming. Unknown language tags are refused so a typo (`"EN"`, `"german"`) does not
 * silently hide a translation.
 */
export function localizedTextSchema(maxLength: number) {
  const text = z
    .string({ error: (issue) => (issue.input === undefined ? undefined : 'must be text') })
    .trim()
    .min(1, 'must not be empty')
    .max(maxLength, `must be at most ${maxLength} characters`);
  return z
    .object(
      {
        en: z
          .string({
            error: (issue) =>
              issue.input === undefined
                ? 'English text ("en") is required as the fallback for every language'
                : 'must be text',
          })
          .trim()
          .min(1, 'must not be empty')
          .max(maxLength, `must be at most ${maxLength} characters`),
      },
      { error: objectError('must be an object of language code → text, e.g. { "en": "…", "de": "…" }') },
    )
    .catchall(text)
    .superRefine((value, ctx) => {
      for (const key of Object.keys(value)) {
        if (!LANGUAGE_TAG.test(key)) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `"${key}" is not a language code (use e.g. "en", "de", "nb", "fa")`,
          });
        }
      }
    });
}

/**
 * The text for `language`: the exact tag, then its base language (`de-AT` → `de`),
 * then English. Never empty, so a missing translation cannot blank a prompt.
 */
export function localize(text: LocalizedText, language: string): string {
  const exact = Object.hasOwn(text, language) ? text[language] : undefined;
  if (exact !== undefined) return exact;
  const base = language.split('-')[0] ?? '';
  const fallback = Object.hasOwn(text, base) ? text[base] : undefined;
  return fallback ?? text.en;
}
