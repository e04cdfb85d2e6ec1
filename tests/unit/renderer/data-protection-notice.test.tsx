// @vitest-environment jsdom
/**
 * The notice that the agent's data is not encrypted (no OS keychain): in the whole
 * app, in every shipped language, with no way to dismiss it; absent when the data is
 * encrypted or nothing is stored.
 */
import { cleanup, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { DataProtectionView } from '../../../src/shared/contract';
import { en } from '../../../src/renderer/src/i18n/en';
import { de } from '../../../src/renderer/src/i18n/de';
import { nb } from '../../../src/renderer/src/i18n/nb';
import { fa } from '../../../src/renderer/src/i18n/fa';
import { settle, showCalls } from './show-calls';

afterEach(cleanup);

const clearText: DataProtectionView = { storesData: true, encrypted: false, keyStorage: 'none' };

describe('DataProtectionNotice', () => {
  it('stays on screen while the data is stored in the clear, and cannot be dismissed', async () => {
    await showCalls([], { handlers: { 'storage:get-protection': () => clearText } });
    const notice = await screen.findByTestId('data-protection-notice');
    expect(within(notice).getByRole('heading', { name: en.dataProtection.heading })).toBeTruthy();
    expect(notice.textContent).toContain(en.dataProtection.notEncrypted);
    expect(within(notice).queryByRole('button')).toBeNull();
    expect(screen.getByRole('region', { name: en.dataProtection.heading })).toBe(notice);
  });

  it('is absent when the data is encrypted, or when nothing is stored', async () => {
    for (const view of [
      { storesData: true, encrypted: true, keyStorage: 'os-keychain' },
      { storesData: true, encrypted: true, keyStorage: 'key-file' },
      { storesData: false, encrypted: false, keyStorage: 'none' },
    ] as const) {
      await showCalls([], { handlers: { 'storage:get-protection': () => view } });
      await settle();
      expect(screen.queryByTestId('data-protection-notice')).toBeNull();
      cleanup();
    }
  });

  it('says so when main cannot tell', async () => {
    const api = await showCalls([], {
      handlers: {
        'storage:get-protection': () => {
          throw new Error('no answer');
        },
      },
    });
    expect(api).toBeDefined();
    const notice = await screen.findByTestId('data-protection-notice');
    expect(notice.textContent).toContain(en.dataProtection.unknown);
  });

  it('is translated in every shipped language', async () => {
    for (const [language, messages] of [
      ['de', de],
      ['nb', nb],
      ['fa', fa],
    ] as const) {
      await showCalls([], { language, handlers: { 'storage:get-protection': () => clearText } });
      const notice = await screen.findByTestId('data-protection-notice');
      expect(notice.textContent).toContain(messages.dataProtection?.notEncrypted);
      expect(notice.textContent).not.toContain(en.dataProtection.notEncrypted);
      cleanup();
    }
  });
});
