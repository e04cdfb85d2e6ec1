/**
 * The one display-text sanitiser, run by the core on what the network claims and by
 * the renderer again. Merged from the core's caller-identity tests and the
 * renderer's capDisplayText tests, so neither side's protection is lost.
 */
import { describe, expect, it } from 'vitest';
import { MAX_DISPLAY_NAME_LENGTH } from '../../../src/shared/contract';
import { sanitizeDisplayText } from '../../../src/shared/display-text';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const graphemes = (text: string): string[] => [...segmenter.segment(text)].map((s) => s.segment);

describe('sanitizeDisplayText', () => {
  it('keeps ordinary names as they are, in any script', () => {
    for (const name of ['Erika Mustermann', 'Øyvind Ås', 'Bjørn Ødegård', 'مریم رضایی', 'Tom & Jerry']) {
      expect(sanitizeDisplayText(name)).toBe(name);
    }
  });

  it('keeps the zero-width non-joiner Persian spelling needs, and the joiner of emoji sequences', () => {
    expect(sanitizeDisplayText('می\u200Cخواهم')).toBe('می\u200Cخواهم');
    expect(sanitizeDisplayText('Anna 👩‍👩‍👧')).toBe('Anna 👩‍👩‍👧');
  });

  it('keeps markup as inert text (the renderer shows text, never HTML)', () => {
    expect(sanitizeDisplayText('<img src=x onerror=alert(1)>')).toBe('<img src=x onerror=alert(1)>');
  });

  it('replaces control characters, line breaks and C1 controls by a space', () => {
    expect(sanitizeDisplayText('Evil\u202Eredaolnwod\u0000\u0007 name')).toBe('Evil redaolnwod name');
    expect(sanitizeDisplayText('line\r\nbreak')).toBe('line break');
    expect(sanitizeDisplayText('Line\none\u0000\u0085')).toBe('Line one');
    expect(sanitizeDisplayText('a\u007fb\u009fc')).toBe('a b c');
  });

  it('removes bidi embeddings, overrides, isolates and marks that reorder the screen', () => {
    expect(sanitizeDisplayText('abc\u202Egnp.exe')).toBe('abc gnp.exe');
    expect(sanitizeDisplayText('a\u2066b\u2069c\u200Fd')).toBe('a b c d');
    expect(sanitizeDisplayText('a\u202Ab\u202Bc\u202Cd\u202De\u2067f\u2068g')).toBe('a b c d e f g');
    expect(sanitizeDisplayText('a\u200Eb\u061Cc')).toBe('a b c');
  });

  it('removes invisible characters that hide text: zero-width space, word joiner, BOM, separators, annotations', () => {
    expect(sanitizeDisplayText('a\u200Bb\u2060c\uFEFFd\u2028e\u2029f\uFFF9g\u206Fh')).toBe('a b c d e f g h');
  });

  it('folds white space and trims', () => {
    expect(sanitizeDisplayText('  Erika \t\u00A0 Mustermann \n')).toBe('Erika Mustermann');
  });

  it('normalises to NFC, so the same name always looks (and compares) the same', () => {
    expect(sanitizeDisplayText('Rene\u0301e')).toBe('Ren\u00E9e');
  });

  it('drops a surrogate left alone, sent as it is or left by the bounding cut', () => {
    expect(sanitizeDisplayText('a\uD83Db')).toBe('ab');
    expect(sanitizeDisplayText('a\uDE00b')).toBe('ab');
    // 512 code units are inspected for 64 characters: the cut falls inside the emoji.
    const split = `a${'\u200B'.repeat(510)}😀😀`;
    expect(split.slice(0, 512).endsWith('\uD83D')).toBe(true);
    expect(sanitizeDisplayText(split)).toBe('a…');
  });

  it('cuts a 10 kB name to the maximum length, the ellipsis included', () => {
    const name = sanitizeDisplayText('x'.repeat(10_000));
    expect(name).toBe(`${'x'.repeat(MAX_DISPLAY_NAME_LENGTH - 1)}…`);
    expect(graphemes(name)).toHaveLength(MAX_DISPLAY_NAME_LENGTH);
  });

  it('counts user-perceived characters: never splits an emoji or a combining sequence', () => {
    const family = '👩‍👩‍👧';
    expect(sanitizeDisplayText(family.repeat(100))).toBe(`${family.repeat(63)}…`);
    const gTilde = 'g\u0303';
    expect(sanitizeDisplayText(gTilde.repeat(100))).toBe(`${gTilde.repeat(63)}…`);
    expect(sanitizeDisplayText(family.repeat(64))).toBe(family.repeat(64));
  });

  it('takes another maximum, as for a registrar reason', () => {
    expect(sanitizeDisplayText('r'.repeat(300), 200)).toBe(`${'r'.repeat(199)}…`);
    expect(sanitizeDisplayText('abcdef', 3)).toBe('ab…');
    expect(sanitizeDisplayText('abc', 3)).toBe('abc');
    expect(sanitizeDisplayText('abc', 0)).toBe('');
  });

  it('does not end a cut in a space before the ellipsis', () => {
    expect(sanitizeDisplayText('ab cdef', 4)).toBe('ab…');
  });

  it('gives nothing, not a bare ellipsis, for text that is all unsafe', () => {
    expect(sanitizeDisplayText('\u0000'.repeat(10_000))).toBe('');
    expect(sanitizeDisplayText('\u202E\u2066 \u200B')).toBe('');
  });

  it('gives an empty string for anything that is not a string', () => {
    for (const value of [undefined, null, 42, {}, ['a']]) expect(sanitizeDisplayText(value)).toBe('');
  });

  it('leaves its own result as it is, so the core and the renderer passes agree', () => {
    const inputs = [
      'Erika Mustermann',
      'x'.repeat(10_000),
      '👩‍👩‍👧'.repeat(100),
      `a${'\u200B'.repeat(510)}😀😀`,
      'Rene\u0301e \u202E\u0000 <b>',
      'a\uD800\u0301b',
      '  \u00A0ab   cd  ',
    ];
    for (const input of inputs) {
      const once = sanitizeDisplayText(input);
      expect(sanitizeDisplayText(once)).toBe(once);
    }
  });
});
