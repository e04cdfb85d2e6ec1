import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/logger';
import { AccountSettings, createMemorySecretStore } from '../../../src/core/settings';
import {
  openConfSettingsStore,
  SETTINGS_VERSION_KEY,
  type SettingsMigration,
} from '../../../src/core/storage/files/settings-store';
import { createFakeClock } from '../../support/fake-clock';
import { tempDir } from './storage-test-kit';

const account = { wsUrl: 'wss://pbx.example.com/ws', sipUri: 'sip:1001@pbx.example.com', displayName: 'Anna' };

function open(dir: string, migrations: SettingsMigration[] = []) {
  return openConfSettingsStore({ dir, clock: createFakeClock(), logger: silentLogger, migrations });
}

describe('settings through conf', () => {
  it('round-trips settings in a file only the agent can read', async () => {
    const dir = tempDir();
    const { store, path, notices } = await open(dir);
    expect(notices).toEqual([]);
    new AccountSettings(store, createMemorySecretStore(), silentLogger).save({ ...account, password: 'secret' });
    store.set('retentionDays', 90);
    store.set('retentionDays', undefined);
    const reopened = (await open(dir)).store;
    expect(new AccountSettings(reopened, createMemorySecretStore(), silentLogger).get()).toEqual(account);
    expect(reopened.get('retentionDays')).toBeUndefined();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).not.toContain('secret');
  });

  it.each([
    ['truncated JSON', '{"account":{"wsUrl":"wss://pb', 'not-json'],
    ['an empty file', '', 'empty'],
    ['binary garbage', Buffer.from([0xff, 0x00, 0xc3, 0x28, 0x9f]), 'not-text'],
    ['a JSON array', '[1,2,3]', 'wrong-format'],
    ['a bad schema version', `{"${SETTINGS_VERSION_KEY}":"two"}`, 'schema'],
  ])('moves %s aside and starts with defaults instead of failing to start', async (_, content, reason) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'settings.json'), content);
    const { store, notices } = await open(dir);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ code: 'file-kept-aside', reason });
    expect(notices[0]?.message).toMatch(
      /settings\.json \(.+\)\. The file was kept as settings\.json\.corrupt-\d{8}T\d{9}Z/,
    );
    expect(readFileSync(notices[0]?.keptAs ?? '')).toEqual(Buffer.from(content));
    expect(store.get('account')).toBeUndefined();
    store.set('account', account);
    expect((await open(dir)).store.get('account')).toEqual(account);
  });

  it('runs each migration once, in order, and records the version', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ sip: account }));
    const ran: number[] = [];
    const migrations: SettingsMigration[] = [
      {
        version: 2,
        migrate: (store) => {
          ran.push(2);
          store.set('retentionDays', 365);
        },
      },
      {
        version: 1,
        migrate: (store) => {
          ran.push(1);
          store.set('account', store.get('sip'));
          store.set('sip', undefined);
        },
      },
    ];
    const first = await open(dir, migrations);
    expect(ran).toEqual([1, 2]);
    expect(first.version).toBe(2);
    expect(first.store.get('account')).toEqual(account);
    expect(first.store.get('sip')).toBeUndefined();
    const second = await open(dir, migrations);
    expect(ran).toEqual([1, 2]);
    expect(second.store.get(SETTINGS_VERSION_KEY)).toBe(2);
  });

  it('moves aside settings written by a newer version rather than misreading them', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ [SETTINGS_VERSION_KEY]: 7 }));
    const { notices } = await open(dir, [{ version: 1, migrate: () => undefined }]);
    expect(notices[0]?.reason).toBe('newer-version');
    expect(existsSync(join(dir, 'settings.json'))).toBe(true);
    expect(readdirSync(dir).some((name) => name.startsWith('settings.json.corrupt-'))).toBe(true);
  });
});
