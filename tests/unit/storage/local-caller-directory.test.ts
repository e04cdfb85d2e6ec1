import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/logger';
import { activeFlags } from '../../../src/core/storage/callers/caller-directory';
import { callerKey } from '../../../src/core/storage/callers/caller-key';
import { callerShardFile, LocalCallerDirectory } from '../../../src/core/storage/callers/local-caller-directory';
import { nodeStorageFs, type StorageFs } from '../../../src/core/storage/files/storage-fs';
import { createFakeClock, type FakeClock } from '../../support/fake-clock';
import { createFaultyFs, tempDir } from './storage-test-kit';

const T0 = Date.UTC(2025, 2, 14, 9, 0);

async function open(dir: string, fs: StorageFs = nodeStorageFs, clock: FakeClock = createFakeClock(T0)) {
  let n = 0;
  const directory = await LocalCallerDirectory.open({
    dir,
    clock,
    logger: silentLogger,
    fs,
    newId: () => {
      n += 1;
      return `id-${n}`;
    },
  });
  return { directory, clock };
}

describe('callerKey', () => {
  it('files one caller under one key whatever the formatting', () => {
    for (const form of [
      '+49 30 1234-567',
      '0049301234567',
      '+49 (30) 123.45.67',
      'sip:+49301234567@pbx.example.com',
      'tel:+49-30-1234567',
    ]) {
      expect(callerKey(form)).toBe('+49301234567');
    }
    expect(callerKey('2000')).toBe('2000');
    expect(callerKey('sip:Alice@pbx')).toBe('alice');
    expect(callerKey('anonymous')).toBeUndefined();
    expect(callerKey('  ')).toBeUndefined();
    expect(callerKey('+')).toBeUndefined();
    expect(callerKey('(---)')).toBeUndefined();
  });
});

describe('LocalCallerDirectory', () => {
  it('flags a caller with kind, reason, author and time, and keeps it across restarts until cleared', async () => {
    const dir = tempDir();
    const { directory, clock } = await open(dir);
    expect(await directory.lookup('+49301234567')).toBeUndefined();
    const flag = await directory.addFlag('+49 30 1234567', {
      kind: 'abusive-language',
      reason: 'Swore repeatedly after two warnings.',
      author: 'Anna',
      callId: 'c1',
    });
    expect(flag).toEqual({
      id: 'id-1',
      kind: 'abusive-language',
      reason: 'Swore repeatedly after two warnings.',
      author: 'Anna',
      createdAt: T0,
      callId: 'c1',
    });

    const reopened = (await open(dir)).directory;
    const record = await reopened.lookup('0049301234567');
    expect(activeFlags(record)).toEqual([flag]);

    clock.advance(60_000);
    const cleared = await directory.clearFlag('+49301234567', 'id-1', 'Supervisor Ben');
    expect(cleared).toMatchObject({ clearedAt: T0 + 60_000, clearedBy: 'Supervisor Ben' });
    const after = await (await open(dir)).directory.lookup('+49301234567');
    expect(activeFlags(after)).toEqual([]);
    expect(after?.flags).toHaveLength(1);
    await expect(directory.clearFlag('+49301234567', 'nope', 'Ben')).rejects.toMatchObject({ code: 'not-found' });
  });

  it('stores the preferred form of address, and removes it', async () => {
    const dir = tempDir();
    const { directory } = await open(dir);
    expect(
      (await directory.setPreferredAddress('+4740000111', '  Frau Dr. Nordmann ', 'Anna'))?.preferredAddress,
    ).toEqual({
      text: 'Frau Dr. Nordmann',
      author: 'Anna',
      updatedAt: T0,
    });
    expect((await (await open(dir)).directory.lookup('+4740000111'))?.preferredAddress?.text).toBe('Frau Dr. Nordmann');
    expect(await directory.setPreferredAddress('+4740000111', '', 'Anna')).toBeUndefined();
    expect(await (await open(dir)).directory.lookup('+4740000111')).toBeUndefined();
  });

  it('lists follow-ups of every caller, earliest due first, and completes them', async () => {
    const { directory, clock } = await open(tempDir());
    await directory.addFollowUp('+491', {
      callId: 'c1',
      kind: 'status-update',
      due: T0 + 3 * 86_400_000,
      text: 'Call back with the status of the repair.',
      author: 'Anna',
    });
    const soon = await directory.addFollowUp('+492', {
      callId: 'c2',
      kind: 'due-date',
      due: T0 + 86_400_000,
      text: 'Credit note by Friday.',
      author: 'Ben',
    });
    expect((await directory.listFollowUps()).map((item) => [item.number, item.kind])).toEqual([
      ['+492', 'due-date'],
      ['+491', 'status-update'],
    ]);
    expect((await directory.listFollowUps({ dueBefore: T0 + 2 * 86_400_000 })).map((item) => item.id)).toEqual([
      soon.id,
    ]);
    clock.advance(1000);
    expect(await directory.completeFollowUp('+492', soon.id)).toMatchObject({ done: true, doneAt: T0 + 1000 });
    expect((await directory.listFollowUps()).map((item) => item.number)).toEqual(['+491']);
    expect(await directory.listFollowUps({ includeDone: true })).toHaveLength(2);
    await expect(
      directory.addFollowUp('+491', { callId: 'c', kind: 'due-date', due: T0, text: '  ', author: 'A' }),
    ).rejects.toMatchObject({ code: 'invalid-input' });
  });

  it('records a threat incident with the matching flag in one write', async () => {
    const dir = tempDir();
    const { directory } = await open(dir);
    const { incident, flag } = await directory.recordIncident('+49301234567', {
      callId: 'c9',
      kind: 'physical-threat',
      whatWasSaid: '"I know where your office is. I will come and sort you out."',
      occurredAt: T0 - 120_000,
      recordedBy: 'Anna',
    });
    expect(flag).toMatchObject({ kind: 'physical-threat', author: 'Anna', callId: 'c9' });
    expect(incident).toMatchObject({
      callId: 'c9',
      saidBy: 'the caller',
      occurredAt: T0 - 120_000,
      recordedBy: 'Anna',
      flagId: flag.id,
    });
    const second = await directory.recordIncident('+49301234567', {
      callId: 'c10',
      kind: 'physical-threat',
      whatWasSaid: 'again',
      occurredAt: T0,
      saidBy: "caller's brother",
      recordedBy: 'Ben',
    });
    expect(second.flag.id).toBe(flag.id);
    const record = await (await open(dir)).directory.lookup('+49301234567');
    expect(record?.incidents).toHaveLength(2);
    expect(activeFlags(record)).toHaveLength(1);
  });

  it('refuses anonymous numbers', async () => {
    const { directory } = await open(tempDir());
    await expect(directory.addFlag('anonymous', { kind: 'other', reason: 'x', author: 'A' })).rejects.toMatchObject({
      code: 'invalid-input',
    });
    expect(await directory.lookup('')).toBeUndefined();
  });

  it('shows a change only once it is on disk: a failed write changes nothing', async () => {
    const dir = tempDir();
    const fs = createFaultyFs();
    const { directory } = await open(dir, fs);
    fs.failWith('ENOSPC', ['writeAll']);
    await expect(
      directory.addFlag('+491', { kind: 'insults', reason: 'Called me an idiot.', author: 'Anna' }),
    ).rejects.toMatchObject({ code: 'disk-full' });
    expect(await directory.lookup('+491')).toBeUndefined();
    fs.failWith('EROFS', ['open']);
    await expect(directory.setPreferredAddress('+491', 'Herr Meier', 'Anna')).rejects.toMatchObject({
      code: 'read-only',
    });
    fs.heal();
    await directory.addFlag('+491', { kind: 'insults', reason: 'Called me an idiot.', author: 'Anna' });
    expect(activeFlags(await directory.lookup('+491'))).toHaveLength(1);
  });

  it('writes only the shard of the caller, and serialises concurrent changes', async () => {
    const dir = tempDir();
    const { directory } = await open(dir);
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        directory.addFlag(`+4930${1000 + i}`, { kind: 'other', reason: `r${i}`, author: 'A' }),
      ),
    );
    await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        directory.addFlag('+49301000', { kind: 'other', reason: `more ${i}`, author: 'A' }),
      ),
    );
    const files = readdirSync(dir);
    expect(files.length).toBeGreaterThan(10);
    expect(files.every((file) => /^shard-[0-9a-f]{2}\.json$/.test(file))).toBe(true);
    const reopened = (await open(dir)).directory;
    expect(reopened.size).toBe(40);
    expect((await reopened.lookup('+49301000'))?.flags).toHaveLength(6);
    const shard = readFileSync(join(dir, callerShardFile('+49301000')), 'utf8');
    expect(shard).toContain('+49301000');
  });

  it('moves a corrupt shard aside and still opens with every other caller', async () => {
    const dir = tempDir();
    const { directory } = await open(dir);
    await directory.addFlag('+491', { kind: 'other', reason: 'kept', author: 'A' });
    let other = 2;
    while (callerShardFile(`+49${other}`) === callerShardFile('+491')) other += 1;
    await directory.addFlag(`+49${other}`, { kind: 'other', reason: 'lost', author: 'A' });
    const broken = join(dir, callerShardFile(`+49${other}`));
    writeFileSync(broken, Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00]));
    const reopened = (await open(dir)).directory;
    expect(activeFlags(await reopened.lookup('+491'))).toHaveLength(1);
    expect(await reopened.lookup(`+49${other}`)).toBeUndefined();
    const [notice] = reopened.notices();
    expect(notice).toMatchObject({ code: 'file-kept-aside', reason: 'not-text' });
    expect(notice?.message).toContain(`callers/${callerShardFile(`+49${other}`)}`);
    expect(existsSync(notice?.keptAs ?? '')).toBe(true);
  });
});
