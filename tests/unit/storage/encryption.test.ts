import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/logger';
import { openAgentData } from '../../../src/core/storage/agent-data';
import type { CallRecordInput } from '../../../src/shared/call-record';
import {
  FileDataKeyProvider,
  MemoryDataKeyProvider,
  type DataKeyProvider,
} from '../../../src/core/storage/files/data-key';
import { FileCallHistory } from '../../../src/core/storage/history/file-call-history';
import { isSealed, openSealedFile, sealFile } from '../../../src/core/storage/files/file-cipher';
import { createFakeClock } from '../../support/fake-clock';
import { closeAfterTest, tempDir } from './storage-test-kit';

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 2, 14, 9, 0);
const KEY = new Uint8Array(32).map((_, i) => i + 1);
const OTHER_KEY = new Uint8Array(32).fill(7);

function call(callId: string, startedAt: number): CallRecordInput {
  return { callId, number: '+49301234567', name: 'Erika Mustermann', direction: 'inbound', startedAt, agent: 'Anna' };
}

describe('file cipher (AES-256-GCM)', () => {
  const cipher = { key: KEY, context: 'calmline/call-history-partition 2025-03-14' };

  it('round-trips, with a fresh IV per write', () => {
    const plain = new TextEncoder().encode('{"note":"Kunde droht mit Anwalt"}');
    const first = sealFile(cipher, plain);
    const second = sealFile(cipher, plain);
    expect(isSealed(first)).toBe(true);
    expect(Buffer.from(first).equals(Buffer.from(second))).toBe(false);
    expect(Buffer.from(first).includes(Buffer.from('Anwalt'))).toBe(false);
    expect(new TextDecoder().decode(openSealedFile(cipher, first))).toBe('{"note":"Kunde droht mit Anwalt"}');
    expect(isSealed(plain)).toBe(false);
  });

  it('refuses a changed byte, another key and another context', () => {
    const sealed = sealFile(cipher, new TextEncoder().encode('{"a":1}'));
    const changed = Uint8Array.from(sealed);
    changed[changed.length - 1] = (changed[changed.length - 1] ?? 0) ^ 1;
    expect(() => openSealedFile(cipher, changed)).toThrow();
    expect(() => openSealedFile({ ...cipher, key: OTHER_KEY }, sealed)).toThrow();
    expect(() =>
      openSealedFile({ ...cipher, context: 'calmline/call-history-partition 2025-03-15' }, sealed),
    ).toThrow();
  });
});

describe('FileDataKeyProvider', () => {
  it('creates a random 32-byte key once, private to the user, and reads the same key back', async () => {
    const path = join(tempDir(), 'data-key.json');
    const key = await new FileDataKeyProvider(path).dataKey();
    expect(key.byteLength).toBe(32);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toContain('stored in the clear');
    expect(Buffer.from(await new FileDataKeyProvider(path).dataKey()).equals(Buffer.from(key))).toBe(true);
    const otherPath = join(tempDir(), 'data-key.json');
    expect(Buffer.from(await new FileDataKeyProvider(otherPath).dataKey()).equals(Buffer.from(key))).toBe(false);
  });

  it('never replaces a key file it cannot read', async () => {
    const path = join(tempDir(), 'data-key.json');
    writeFileSync(path, '{"format":"calmline/data-key","version":1,"key":"c2hvcnQ="}');
    await expect(new FileDataKeyProvider(path).dataKey()).rejects.toMatchObject({ code: 'io-error' });
    expect(readFileSync(path, 'utf8')).toContain('c2hvcnQ=');
  });
});

describe('FileDataKeyProvider with a key sealer (the OS keychain in Electron)', () => {
  /** Stands in for safeStorage: XOR with a per-"user" byte, so another user's sealer cannot open it. */
  const sealer = (user: number) => ({
    name: 'test-keychain',
    seal: (key: Uint8Array) => Uint8Array.from(key, (byte) => byte ^ user),
    open: (sealed: Uint8Array) => {
      if (sealed.byteLength !== 32) throw new Error('not sealed by this keychain');
      return Uint8Array.from(sealed, (byte) => byte ^ user);
    },
  });

  it('stores the key only sealed, and opens it again with the same keychain', async () => {
    const path = join(tempDir(), 'data-key.json');
    const key = await new FileDataKeyProvider(path, undefined, sealer(0x5a)).dataKey();
    const file = JSON.parse(readFileSync(path, 'utf8')) as { key: string; sealedWith: string };
    expect(file.sealedWith).toBe('test-keychain');
    expect(file.key).not.toBe(Buffer.from(key).toString('base64'));
    expect(readFileSync(path, 'utf8')).not.toContain('in the clear');
    expect(
      Buffer.from(await new FileDataKeyProvider(path, undefined, sealer(0x5a)).dataKey()).equals(Buffer.from(key)),
    ).toBe(true);
  });

  it('refuses, and keeps, a key it cannot open, a key sealed another way, or a clear key', async () => {
    const sealedPath = join(tempDir(), 'data-key.json');
    await new FileDataKeyProvider(sealedPath, undefined, sealer(0x5a)).dataKey();
    const before = readFileSync(sealedPath, 'utf8');
    // Opened by the keychain (no error) but not the same key: the byte check cannot tell, the
    // file format can: a sealer of another name never reads it.
    await expect(
      new FileDataKeyProvider(sealedPath, undefined, { ...sealer(0x5a), name: 'other' }).dataKey(),
    ).rejects.toMatchObject({ code: 'io-error' });
    await expect(new FileDataKeyProvider(sealedPath).dataKey()).rejects.toMatchObject({ code: 'io-error' });
    expect(readFileSync(sealedPath, 'utf8')).toBe(before);

    const clearPath = join(tempDir(), 'data-key.json');
    await new FileDataKeyProvider(clearPath).dataKey();
    await expect(new FileDataKeyProvider(clearPath, undefined, sealer(0x5a)).dataKey()).rejects.toMatchObject({
      code: 'io-error',
    });

    const brokenSealer = {
      ...sealer(0x5a),
      open: () => {
        throw new Error('keychain locked');
      },
    };
    await expect(new FileDataKeyProvider(sealedPath, undefined, brokenSealer).dataKey()).rejects.toMatchObject({
      code: 'io-error',
    });
    expect(readFileSync(sealedPath, 'utf8')).toBe(before);
  });
});

describe.each(['worker', 'main-thread'] as const)('encrypted history (index in %s)', (mode) => {
  async function open(dir: string, dataKeys?: DataKeyProvider) {
    return closeAfterTest(
      await FileCallHistory.open({
        dir,
        clock: createFakeClock(T0),
        logger: silentLogger,
        index: mode,
        ...(dataKeys ? { dataKeys } : {}),
      }),
    );
  }

  function dayFiles(dir: string): string[] {
    return readdirSync(join(dir, '2025-03')).map((name) => join(dir, '2025-03', name));
  }

  it('writes day files that hold neither notes nor names in the clear, and reads and searches them with the key', async () => {
    const dir = tempDir();
    const history = await open(dir, new MemoryDataKeyProvider(KEY));
    await history.recordCall(call('a', T0));
    await history.recordCall(call('b', T0 - 3 * DAY));
    await history.saveNote('a', 'Droht mit Anwalt wegen Rechnung 4711', 'Anna');
    await history.saveNote('b', 'Router getauscht', 'Anna');
    for (const file of dayFiles(dir)) {
      const raw = readFileSync(file);
      expect(isSealed(raw), file).toBe(true);
      expect(raw.includes(Buffer.from('Anwalt')) || raw.includes(Buffer.from('Mustermann')), file).toBe(false);
    }
    const reopened = await open(dir, new MemoryDataKeyProvider(KEY));
    expect((await reopened.getCall('a'))?.note?.text).toBe('Droht mit Anwalt wegen Rechnung 4711');
    expect((await reopened.search({ text: 'router' })).hits.map((hit) => hit.callId)).toEqual(['b']);
    expect(reopened.notices()).toEqual([]);
  });

  it('reads day files written before encryption was on, and encrypts each on its next save', async () => {
    const dir = tempDir();
    const plain = await open(dir);
    await plain.recordCall(call('old', T0 - DAY));
    await plain.saveNote('old', 'written in the clear', 'Anna');
    const encrypted = await open(dir, new MemoryDataKeyProvider(KEY));
    expect((await encrypted.search({ text: 'clear' })).hits.map((hit) => hit.callId)).toEqual(['old']);
    const file = join(dir, '2025-03', '2025-03-13.json');
    expect(isSealed(readFileSync(file))).toBe(false);
    await encrypted.saveNote('old', 'now encrypted', 'Anna');
    expect(isSealed(readFileSync(file))).toBe(true);
  });

  it('leaves encrypted days untouched and reports them when the key is missing or wrong', async () => {
    const dir = tempDir();
    const history = await open(dir, new MemoryDataKeyProvider(KEY));
    await history.recordCall(call('a', T0));
    await history.saveNote('a', 'secret', 'Anna');
    const file = join(dir, '2025-03', '2025-03-14.json');
    const before = readFileSync(file);
    for (const [dataKeys, reason] of [
      [undefined, 'encrypted'],
      [new MemoryDataKeyProvider(OTHER_KEY), 'cannot-decrypt'],
    ] as const) {
      const reopened = await open(dir, dataKeys);
      await reopened.warmUp();
      expect(reopened.notices()).toMatchObject([{ code: 'file-blocked', reason, file }]);
      expect(await reopened.getCall('a')).toBeUndefined();
      await expect(reopened.recordCall(call('c', T0 + 60_000))).rejects.toMatchObject({ code: 'file-blocked' });
      // Nothing moved aside, nothing overwritten: the right key opens it again.
      expect(readdirSync(join(dir, '2025-03'))).toEqual(['2025-03-14.json']);
      expect(readFileSync(file).equals(before)).toBe(true);
    }
    expect((await (await open(dir, new MemoryDataKeyProvider(KEY))).getCall('a'))?.note?.text).toBe('secret');
  });
});

describe('openAgentData with a data key provider', () => {
  it('encrypts the history; without one (the default) it stays in the clear', async () => {
    const clock = createFakeClock(T0);
    const encryptedDir = tempDir();
    const data = await openAgentData({
      dir: encryptedDir,
      clock,
      logger: silentLogger,
      agentName: () => 'Anna',
      retentionDays: () => undefined,
      dataKeys: new FileDataKeyProvider(join(encryptedDir, 'data-key.json')),
    });
    await data.history.recordCall(call('c1', T0));
    data.notes.edit('c1', 'typed before quitting');
    await data.close();
    const dayFile = join(encryptedDir, 'history', '2025-03', '2025-03-14.json');
    expect(isSealed(readFileSync(dayFile))).toBe(true);
    expect(readFileSync(dayFile).includes(Buffer.from('typed before quitting'))).toBe(false);

    const plainDir = tempDir();
    const plain = await openAgentData({
      dir: plainDir,
      clock,
      logger: silentLogger,
      agentName: () => 'Anna',
      retentionDays: () => undefined,
    });
    await plain.history.recordCall(call('c1', T0));
    await plain.close();
    expect(readFileSync(join(plainDir, 'history', '2025-03', '2025-03-14.json'), 'utf8')).toContain('Erika Mustermann');
    expect(existsSync(join(plainDir, 'data-key.json'))).toBe(false);
  });
});

describe('openCore with a key sealer (how the Electron host turns encryption on)', () => {
  it('keeps a sealed key in agent-data/ and writes the history encrypted', async () => {
    const { openCore } = await import('../../../src/core/open-core');
    const { createMemorySecretStore, createMemoryStore } = await import('../../../src/core/settings');
    const dataDir = tempDir();
    const core = await openCore({
      dataDir,
      store: createMemoryStore(),
      secrets: createMemorySecretStore(),
      clock: createFakeClock(T0),
      logger: silentLogger,
      keySealer: {
        name: 'test-keychain',
        seal: (key) => key.map((byte) => byte ^ 0x33),
        open: (sealed) => sealed.map((byte) => byte ^ 0x33),
      },
    });
    const data = (core as unknown as { options: { agentData: Awaited<ReturnType<typeof openAgentData>> } }).options
      .agentData;
    await data.history.recordCall(call('c1', T0));
    data.notes.edit('c1', 'Kunde droht mit Anwalt');
    await core.stop();
    const keyFile = JSON.parse(readFileSync(join(dataDir, 'agent-data', 'data-key.json'), 'utf8')) as {
      sealedWith?: string;
    };
    expect(keyFile.sealedWith).toBe('test-keychain');
    const dayFile = readFileSync(join(dataDir, 'agent-data', 'history', '2025-03', '2025-03-14.json'));
    expect(isSealed(dayFile)).toBe(true);
    expect(dayFile.includes(Buffer.from('Anwalt'))).toBe(false);
  });
});
