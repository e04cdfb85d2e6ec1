/**
 * Every shipped language is complete: each English string has its translation, no
 * language keeps strings English no longer has, and each translation uses the same
 * placeholders ({{caller}}, {{count}} …) and markup tags (<uri>) as the English one.
 * Plural strings (`key_one`, `key_other`) need every plural form the language uses.
 * An agent must never meet English exactly when something goes wrong.
 */
import { describe, expect, it } from 'vitest';
import { supportedLanguages } from '../../../src/renderer/src/i18n';
import { de } from '../../../src/renderer/src/i18n/de';
import { en } from '../../../src/renderer/src/i18n/en';
import { fa } from '../../../src/renderer/src/i18n/fa';
import { nb } from '../../../src/renderer/src/i18n/nb';

const shipped: Record<string, unknown> = { en, de, nb, fa };

/** Flattens nested messages to dotted keys. */
function flatten(messages: unknown, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries((messages ?? {}) as Record<string, unknown>)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (typeof value === 'string') out.set(path, value);
    else for (const [inner, text] of flatten(value, path)) out.set(inner, text);
  }
  return out;
}

const PLURAL = /_(zero|one|two|few|many|other)$/;

/** The keys a language needs: English's, with each plural group in the language's own plural forms. */
function requiredKeys(language: string): string[] {
  const english = [...flatten(en).keys()];
  const forms = new Intl.PluralRules(language).resolvedOptions().pluralCategories;
  const keys = new Set<string>();
  for (const key of english) {
    if (PLURAL.test(key)) for (const form of forms) keys.add(key.replace(PLURAL, `_${form}`));
    else keys.add(key);
  }
  return [...keys];
}

const placeholders = (text: string) => [...text.matchAll(/{{\s*(\w+)\s*}}|<\/?(\w+)>/g)].map((m) => m[0]).sort();

describe('shipped languages', () => {
  it('ships the languages the app offers', () => {
    expect(Object.keys(shipped).sort()).toEqual([...supportedLanguages].sort());
  });

  it.each(supportedLanguages.filter((language) => language !== 'en'))('%s has every English string', (language) => {
    const strings = flatten(shipped[language]);
    const missing = requiredKeys(language).filter((key) => !strings.has(key) || strings.get(key)!.trim() === '');
    expect(missing).toEqual([]);
  });

  it.each(supportedLanguages.filter((language) => language !== 'en'))(
    '%s has no strings English does not have',
    (language) => {
      const english = new Set(requiredKeys('en').map((key) => key.replace(PLURAL, '')));
      const stale = [...flatten(shipped[language]).keys()].filter((key) => !english.has(key.replace(PLURAL, '')));
      expect(stale).toEqual([]);
    },
  );

  it.each(supportedLanguages.filter((language) => language !== 'en'))(
    '%s uses the same placeholders and tags as English',
    (language) => {
      const english = flatten(en);
      const mismatched = [...flatten(shipped[language])].flatMap(([key, text]) => {
        const source = english.get(key) ?? english.get(key.replace(PLURAL, '_other'));
        if (source === undefined) return [];
        // A plural form may leave the count out ("one flag" → "ein"), but never invent one.
        const own = placeholders(text).filter((part) => part !== '{{count}}');
        const theirs = placeholders(source).filter((part) => part !== '{{count}}');
        return JSON.stringify(own) === JSON.stringify(theirs) ? [] : [`${key}: ${text}`];
      });
      expect(mismatched).toEqual([]);
    },
  );
});
