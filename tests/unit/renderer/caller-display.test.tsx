import { describe, expect, it } from 'vitest';
import { callerDisplay } from '../../../src/renderer/src/caller-display';

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

  it('sanitises again, in case raw peer text got through (tests/unit/shared/display-text.test.ts)', () => {
    expect(callerDisplay({ remoteName: 'abc\u202Egnp.exe\u0000', remoteNumber: '1234\u2066' })).toEqual({
      primary: 'abc gnp.exe',
      secondary: '1234',
    });
    const shown = callerDisplay({ remoteName: 'x'.repeat(10_000), remoteNumber: '' }).primary;
    expect(shown).toBe(`${'x'.repeat(63)}…`);
  });
});
