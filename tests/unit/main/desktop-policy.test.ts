/**
 * The Electron shell's switches (src/main/desktop-policy.ts) with an injected `app`:
 * packaged builds ignore the dev URL and have no DevTools or default menu unless IT
 * allows DevTools; links leave the app only for listed origins; the spellchecker
 * downloads nothing from Google's CDN; the notification names nobody by default.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_DESKTOP_POLICY, desktopPolicySetting, createMemoryStore } from '../../../src/core/settings';
import { silentLogger } from '../../../src/core/logger';
import {
  defaultMenuAllowed,
  devServerUrl,
  devToolsAllowed,
  externalUrlAllowed,
  incomingCallNotification,
  MAX_RENDERER_RELOADS,
  reloadAfterRendererGone,
  spellcheckPlan,
} from '../../../src/main/desktop-policy';

const packaged = { isPackaged: true };
const development = { isPackaged: false };

describe('desktop policy', () => {
  it('honours ELECTRON_RENDERER_URL only in a development build, and only for a loopback dev server', () => {
    const env = { ELECTRON_RENDERER_URL: 'http://localhost:5173/' };
    expect(devServerUrl(packaged, env)).toBeUndefined();
    expect(devServerUrl(development, env)).toBe('http://localhost:5173/');
    expect(devServerUrl(development, { ELECTRON_RENDERER_URL: 'http://127.0.0.1:5173' })).toBe(
      'http://127.0.0.1:5173/',
    );
    expect(devServerUrl(development, { ELECTRON_RENDERER_URL: 'https://evil.example/' })).toBeUndefined();
    expect(devServerUrl(development, { ELECTRON_RENDERER_URL: 'file:///tmp/evil.html' })).toBeUndefined();
    expect(devServerUrl(development, { ELECTRON_RENDERER_URL: 'not a url' })).toBeUndefined();
    expect(devServerUrl(development, {})).toBeUndefined();
  });

  it('has DevTools and the default menu while developing, none in a packaged build unless IT allows DevTools', () => {
    expect(devToolsAllowed(development, DEFAULT_DESKTOP_POLICY)).toBe(true);
    expect(devToolsAllowed(packaged, DEFAULT_DESKTOP_POLICY)).toBe(false);
    expect(devToolsAllowed(packaged, { allowDevTools: true })).toBe(true);
    expect(defaultMenuAllowed(development)).toBe(true);
    expect(defaultMenuAllowed(packaged)).toBe(false);
  });

  it('opens no link by default, and only https links to listed origins otherwise', () => {
    expect(externalUrlAllowed('https://docs.example.com/help', DEFAULT_DESKTOP_POLICY)).toBe(false);
    const policy = { externalLinkOrigins: ['https://docs.example.com'] };
    expect(externalUrlAllowed('https://docs.example.com/help?x=1', policy)).toBe(true);
    expect(externalUrlAllowed('http://docs.example.com/help', policy)).toBe(false);
    expect(externalUrlAllowed('https://docs.example.com.evil.example/', policy)).toBe(false);
    expect(externalUrlAllowed('https://docs.example.com:8443/', policy)).toBe(false);
    expect(externalUrlAllowed('https://user:pw@docs.example.com/', policy)).toBe(false);
    expect(externalUrlAllowed('file:///etc/passwd', policy)).toBe(false);
    expect(externalUrlAllowed('javascript:alert(1)', policy)).toBe(false);
    expect(externalUrlAllowed('not a url', policy)).toBe(false);
  });

  it('downloads no spellchecker dictionary unless IT hosts them', () => {
    expect(spellcheckPlan('darwin', DEFAULT_DESKTOP_POLICY)).toEqual({ enabled: true });
    expect(spellcheckPlan('linux', DEFAULT_DESKTOP_POLICY)).toEqual({ enabled: false });
    expect(spellcheckPlan('win32', DEFAULT_DESKTOP_POLICY)).toEqual({ enabled: false });
    const hosted = { spellcheckDictionaryUrl: 'https://it.example.com/dictionaries/' };
    expect(spellcheckPlan('linux', hosted)).toEqual({
      enabled: true,
      downloadUrl: 'https://it.example.com/dictionaries/',
    });
  });

  it('says only "Incoming call" by default, the name or the number only when IT chose so', () => {
    const call = { remoteName: 'Ada Lovelace', remoteNumber: '+4930123456' };
    const generic = incomingCallNotification(call, DEFAULT_DESKTOP_POLICY);
    expect(generic).toEqual({ title: 'Incoming call', body: 'Calmline' });
    expect(JSON.stringify(generic)).not.toMatch(/Ada|4930/);
    expect(incomingCallNotification(call, { notificationText: 'name' })).toEqual({
      title: 'Incoming call',
      body: 'Ada Lovelace',
    });
    expect(incomingCallNotification(call, { notificationText: 'name-and-number' }).body).toBe(
      'Ada Lovelace · +4930123456',
    );
    expect(incomingCallNotification({ remoteName: '', remoteNumber: '' }, { notificationText: 'name' }).body).toBe(
      'Unknown caller',
    );
  });

  it('reads the desktopPolicy setting, falling back to the locked-down defaults when it is unreadable', () => {
    expect(desktopPolicySetting(createMemoryStore(), silentLogger).get()).toEqual(DEFAULT_DESKTOP_POLICY);
    expect(DEFAULT_DESKTOP_POLICY).toEqual({
      allowDevTools: false,
      externalLinkOrigins: [],
      notificationText: 'generic',
    });
    const store = createMemoryStore({ desktopPolicy: { allowDevTools: true, notificationText: 'name' } });
    expect(desktopPolicySetting(store, silentLogger).get()).toMatchObject({
      allowDevTools: true,
      notificationText: 'name',
    });
    const bad = createMemoryStore({ desktopPolicy: { externalLinkOrigins: ['http://plain.example'] } });
    expect(desktopPolicySetting(bad, silentLogger).get()).toEqual(DEFAULT_DESKTOP_POLICY);
  });

  it('reloads a crashed page a few times, never after a clean exit', () => {
    expect(reloadAfterRendererGone('crashed', 0)).toBe(true);
    expect(reloadAfterRendererGone('oom', 1)).toBe(true);
    expect(reloadAfterRendererGone('killed', MAX_RENDERER_RELOADS - 1)).toBe(true);
    expect(reloadAfterRendererGone('crashed', MAX_RENDERER_RELOADS)).toBe(false);
    expect(reloadAfterRendererGone('clean-exit', 0)).toBe(false);
  });
});
