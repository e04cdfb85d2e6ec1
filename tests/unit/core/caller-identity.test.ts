import { describe, expect, it } from 'vitest';
import { displayNameFromSip, sanitizeDisplayName, sanitizeNumber } from '../../../src/core/phone/caller-identity';
import { MAX_DISPLAY_NAME_LENGTH } from '../../../src/shared/contract';

// The sanitising itself is tested in tests/unit/shared/display-text.test.ts; these
// tests check the core applies it to names and numbers.
describe('caller identity sanitising', () => {
  it('keeps an ordinary name as it is', () => {
    expect(sanitizeDisplayName('Erika Mustermann')).toBe('Erika Mustermann');
    expect(sanitizeDisplayName('می\u200Cخواهم')).toBe('می\u200Cخواهم');
  });

  it('removes control and bidi-override characters from names', () => {
    expect(sanitizeDisplayName('Evil\u202Eredaolnwod\u0000\u0007 name')).toBe('Evil redaolnwod name');
    expect(sanitizeDisplayName('a\u2066b\u2069c\u200Fd')).toBe('a b c d');
  });

  it('cuts a 10 kB name to the display-name maximum with an ellipsis', () => {
    const name = sanitizeDisplayName('A'.repeat(10_000));
    expect([...name]).toHaveLength(MAX_DISPLAY_NAME_LENGTH);
    expect(name.endsWith('…')).toBe(true);
  });

  it('returns an empty string for anything that is not a string', () => {
    expect(sanitizeDisplayName(undefined)).toBe('');
    expect(sanitizeDisplayName(42)).toBe('');
    expect(sanitizeNumber(undefined)).toBe('');
  });

  it('keeps dial strings compact and sanitises anything else', () => {
    expect(sanitizeNumber('+49 30 123-456')).toBe('+4930123456');
    expect(sanitizeNumber('1001')).toBe('1001');
    expect(sanitizeNumber('alice\u202E')).toBe('alice');
    expect(sanitizeNumber('x'.repeat(500)).length).toBeLessThanOrEqual(64);
  });

  it('unescapes SIP quoted-pairs in display names before sanitising', () => {
    expect(displayNameFromSip('Anna \\"Nan\\" O\\\\Brien')).toBe('Anna "Nan" O\\Brien');
    expect(displayNameFromSip('Eve\\\u202Eevil')).toBe('Eve evil');
    expect(displayNameFromSip(undefined)).toBe('');
  });
});
