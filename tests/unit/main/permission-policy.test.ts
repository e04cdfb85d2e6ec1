/**
 * The Electron window's permission policy (installed by src/main/window.ts as the
 * session's request and check handlers): call audio for our own page, nothing else.
 */
import { describe, expect, it } from 'vitest';
import { allowPermission, isOwnPage } from '../../../src/main/permission-policy';

const PACKAGED = 'file:///opt/Calmline/resources/app.asar/out/renderer/index.html';
const DEV = 'http://localhost:5173/';

describe('permission policy', () => {
  it('grants the microphone to our own packaged page, for audio only', () => {
    expect(allowPermission('media', PACKAGED, PACKAGED, ['audio'])).toBe(true);
    expect(allowPermission('media', `${PACKAGED}#token`, PACKAGED, [])).toBe(true);
    expect(allowPermission('media', PACKAGED, PACKAGED, ['audio', 'video'])).toBe(false);
    expect(allowPermission('media', PACKAGED, PACKAGED, ['video'])).toBe(false);
  });

  it('grants choosing the speaker to our own page', () => {
    expect(allowPermission('speaker-selection', PACKAGED, PACKAGED)).toBe(true);
  });

  it('refuses any other local file, origin or look-alike', () => {
    expect(allowPermission('media', 'file:///tmp/evil.html', PACKAGED, ['audio'])).toBe(false);
    expect(allowPermission('media', 'https://evil.example/', PACKAGED, ['audio'])).toBe(false);
    expect(allowPermission('media', 'http://localhost:5174/', DEV, ['audio'])).toBe(false);
    expect(allowPermission('media', 'http://localhost.evil.example:5173/', DEV, ['audio'])).toBe(false);
    expect(allowPermission('media', 'not a url', PACKAGED, ['audio'])).toBe(false);
  });

  it('allows the dev server page by origin', () => {
    expect(isOwnPage('http://localhost:5173/index.html?x=1', DEV)).toBe(true);
    expect(allowPermission('media', 'http://localhost:5173/', DEV, ['audio'])).toBe(true);
  });

  it('refuses every other permission even for our own page', () => {
    for (const permission of [
      'notifications',
      'geolocation',
      'clipboard-read',
      'display-capture',
      'midi',
      'openExternal',
    ]) {
      expect(allowPermission(permission, PACKAGED, PACKAGED)).toBe(false);
    }
  });
});
