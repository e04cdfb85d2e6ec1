import { describe, expect, it } from 'vitest';
import { callerDisplay, capDisplayText } from '../../../src/renderer/src/caller-display';

describe('capDisplayText', () => {
  it('keeps ordinary names as they are', () => {
    expect(capDisplayText('Erika Mustermann')).toBe('Erika Mustermann');
    expect(capDisplayText('Bjørn Ødegård')).toBe('Bjørn Ødegård');
  });

  it('cuts to 64 user-perceived characters, counting an emoji family as one', () => {
    const family = '👩‍👩‍👧';
    const capped = capDisplayText(family.repeat(100));
    expect(capped).toBe(family.repeat(64));
    expect(capDisplayText('x'.repeat(10_000))).toBe('x'.repeat(64));
  });

  it('removes bidi overrides, isolates and control characters', () => {
    expect(capDisplayText('abc\u202Egnp.exe')).toBe('abc gnp.exe');
    expect(capDisplayText('a\u2066b\u2069c')).toBe('a b c');
    expect(capDisplayText('Line\none\u0000\u0085')).toBe('Line one');
  });

  it('keeps the zero-width non-joiner that Persian spelling needs', () => {
    expect(capDisplayText('می\u200Cخواهم')).toBe('می\u200Cخواهم');
  });

  it('drops a surrogate left alone', () => {
    expect(capDisplayText('a\uD83Db')).toBe('ab');
  });
});

describe('callerDisplay', () => {
  it('shows the name with the number under it', () => {
    expect(callerDisplay({ remoteName: 'Erika', remoteNumber: '1234' })).toEqual({
      primary: 'Erika',
      secondary: '1234',
    });
  });

  it('shows the number alone when there is no name, and nothing when neither', () => {
    expect(callerDisplay({ remoteName: ' ', remoteNumber: '1234' })).toEqual({
      primary: '1234',
      secondary: '',
    });
    expect(callerDisplay({ remoteName: '', remoteNumber: '' })).toEqual({
      primary: '',
      secondary: '',
    });
  });
});
