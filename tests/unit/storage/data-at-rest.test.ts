/**
 * Data at rest: with a data key, nothing the agent wrote about a caller (flag reasons,
 * threat incidents, follow-ups, the form of address, notes, exports) can be read in
 * any file under the data folder; plain directory files from before are encrypted
 * when the directory opens, losing nothing; a damaged file is reported and nothing
 * else is lost; each store has its retention; encryption can be made a condition of
 * starting at all.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/logger';
import { chooseDataProtection, EncryptionRequiredError, openCore } from '../../../src/core/open-core';
import { createMemorySecretStore, createMemoryStore, retentionPeriodsFrom } from '../../../src/core/settings';
import { openAgentData } from '../../../src/core/storage/agent-data';
import { exportFileTime, writeCallerExport } from '../../../src/core/storage/callers/caller-export';
import {
  callerShardFile,
  LocalCallerDirectory,
  REDACTED_INCIDENT_REASON,
} from '../../../src/core/storage/callers/local-caller-directory';
import { FileDataKeyProvider, MemoryDataKeyProvider } from '../../../src/core/storage/files/data-key';
import { isSealed } from '../../../src/core/storage/files/file-cipher';
import { fileTimestamp } from '../../../src/core/storage/files/quarantine';
import { nodeStorageFs } from '../../../src/core/storage/files/storage-fs';
import { purgeExports, scheduleRetention } from '../../../src/core/storage/retention';
import { createFakeClock } from '../../support/fake-clock';
import { tempDir } from './storage-test-kit';

const DAY = 86_400_000;
const NUMBER = '+49 30 1234567';
const SECRETS = {
  flag: 'FLAGREASON shouted about the invoice',
  incident: 'INCIDENTTEXT I know where your office is',
  followUp: 'FOLLOWUPTEXT call back about the refund',
  address: 'ADDRESSTEXT Frau Doktor',
  note: 'NOTETEXT caller calmer after HEAT',
};

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

/** The files under `dir` whose bytes contain `text` (UTF-8), as paths relative to `dir`. */
function filesContaining(dir: string, text: string): string[] {
  const needle = Buffer.from(text, 'utf8');
  return filesUnder(dir)
    .filter((path) => readFileSync(path).includes(needle))
    .map((path) => path.slice(dir.length + 1));
}

/** Writes one caller's whole story and an export under `dir`. */
async function writeEverything(dir: string, dataKeys?: MemoryDataKeyProvider | FileDataKeyProvider) {
  const clock = createFakeClock();
  const data = await openAgentData({
    dir: join(dir, 'agent-data'),
    clock,
    logger: silentLogger,
    agentName: () => 'Anna',
    retentionDays: () => undefined,
    ...(dataKeys ? { dataKeys } : {}),
  });
  await data.history.recordCall({
    callId: 'c1',
    number: NUMBER,
    name: 'Erika',
    direction: 'inbound',
    startedAt: clock.now(),
    agent: 'Anna',
  });
  data.notes.edit('c1', SECRETS.note);
  await data.directory.addFlag(NUMBER, { kind: 'insults', reason: SECRETS.flag, author: 'Anna', callId: 'c1' });
  await data.directory.recordIncident(NUMBER, {
    callId: 'c1',
    kind: 'physical-threat',
    whatWasSaid: SECRETS.incident,
    occurredAt: clock.now(),
    recordedBy: 'Anna',
  });
  await data.directory.addFollowUp(NUMBER, {
    callId: 'c1',
    kind: 'due-date',
    due: clock.now() + DAY,
    text: SECRETS.followUp,
    author: 'Anna',
  });
  await data.directory.setPreferredAddress(NUMBER, SECRETS.address, 'Anna');
  const written = await data.writeExport(NUMBER, join(dir, 'exports'));
  expect(await data.close()).toEqual({ saved: ['c1'], failed: [] });
  return { data, written };
}

describe('data at rest', () => {
  it('with a data key, no flag reason, incident, follow-up, address, note or export content is readable in any file', async () => {
    const dir = tempDir();
    const { data, written } = await writeEverything(dir, new MemoryDataKeyProvider());
    expect(data.encrypted).toBe(true);
    expect(written.markdownPath.endsWith('.md.enc')).toBe(true);
    expect(written.jsonPath.endsWith('.json.enc')).toBe(true);
    expect(filesUnder(join(dir, 'exports'))).toHaveLength(2);
    for (const text of [...Object.values(SECRETS), '4930123456', 'Erika', 'physical-threat']) {
      expect(filesContaining(dir, text), text).toEqual([]);
    }
    for (const path of filesUnder(dir)) expect(isSealed(readFileSync(path)), path).toBe(true);
  });

  it('without a key the same story is in clear text (what the check above would catch)', async () => {
    const dir = tempDir();
    const { data, written } = await writeEverything(dir);
    expect(data.encrypted).toBe(false);
    expect(written.markdownPath.endsWith('.md')).toBe(true);
    for (const text of Object.values(SECRETS)) expect(filesContaining(dir, text), text).not.toEqual([]);
  });

  it('names export files without the number', async () => {
    const dir = tempDir();
    const { written } = await writeEverything(dir, new MemoryDataKeyProvider());
    for (const path of [written.markdownPath, written.jsonPath]) {
      expect(path).not.toMatch(/4930|1234567/);
      expect(path).toMatch(/calmline-caller-export-20250314T090000000Z-[0-9a-f]{6}\.(md|json)\.enc$/);
    }
  });

  it('encrypts plain directory files from before when it opens, losing no caller', async () => {
    const dir = tempDir();
    const clock = createFakeClock();
    const plain = await LocalCallerDirectory.open({ dir, clock, logger: silentLogger });
    const numbers = Array.from({ length: 40 }, (_, i) => `+49301000${String(i).padStart(3, '0')}`);
    for (const number of numbers) {
      await plain.addFlag(number, { kind: 'insults', reason: `${SECRETS.flag} ${number}`, author: 'Anna' });
    }
    const shardFiles = readdirSync(dir);
    expect(shardFiles.length).toBeGreaterThan(10);
    expect(filesContaining(dir, SECRETS.flag).length).toBe(shardFiles.length);

    const keys = new MemoryDataKeyProvider();
    const encrypted = await LocalCallerDirectory.open({ dir, clock, logger: silentLogger, dataKeys: keys });
    expect(encrypted.size).toBe(numbers.length);
    expect(readdirSync(dir).sort()).toEqual(shardFiles.sort());
    expect(filesContaining(dir, SECRETS.flag)).toEqual([]);
    for (const path of filesUnder(dir)) expect(isSealed(readFileSync(path))).toBe(true);

    const reopened = await LocalCallerDirectory.open({ dir, clock, logger: silentLogger, dataKeys: keys });
    for (const number of numbers) {
      expect((await reopened.lookup(number))?.flags[0]?.reason).toBe(`${SECRETS.flag} ${number}`);
    }
    expect(reopened.notices()).toEqual([]);
  });

  it('reports a damaged encrypted file clearly, leaves it as it was, and loses no other caller', async () => {
    const dir = tempDir();
    const clock = createFakeClock();
    const keys = new MemoryDataKeyProvider();
    const first = await LocalCallerDirectory.open({ dir, clock, logger: silentLogger, dataKeys: keys });
    const numbers = Array.from({ length: 30 }, (_, i) => `+49301000${String(i).padStart(3, '0')}`);
    for (const number of numbers) await first.addFlag(number, { kind: 'insults', reason: 'r', author: 'Anna' });
    const victimNumber = numbers[0] ?? '';
    const victim = join(dir, callerShardFile(victimNumber.replace(/\s/g, '')));
    const bytes = readFileSync(victim);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0xff;
    writeFileSync(victim, bytes);

    const again = await LocalCallerDirectory.open({ dir, clock, logger: silentLogger, dataKeys: keys });
    const [notice] = again.notices();
    expect(again.notices()).toHaveLength(1);
    expect(notice).toMatchObject({ code: 'file-blocked', reason: 'cannot-decrypt', file: victim });
    expect(notice?.message).toContain('could not be decrypted');
    expect(notice?.message).toContain('It is left untouched');
    expect(readFileSync(victim).equals(bytes)).toBe(true);
    const inVictim = numbers.filter((number) => join(dir, callerShardFile(number)) === victim);
    const elsewhere = numbers.filter((number) => !inVictim.includes(number));
    for (const number of elsewhere) expect(await again.lookup(number)).toBeDefined();
    // Other shards take writes; the damaged one refuses them rather than overwrite it.
    const other = elsewhere[0] ?? '';
    await expect(again.addFlag(other, { kind: 'insults', reason: 'again', author: 'Anna' })).resolves.toBeDefined();
    await expect(again.addFlag(victimNumber, { kind: 'insults', reason: 'x', author: 'Anna' })).rejects.toThrow(
      /Not saved/,
    );
    expect(readFileSync(victim).equals(bytes)).toBe(true);
  });

  it('keeps the web host key file private (mode 0600) and reuses it', async () => {
    const dir = tempDir();
    const keyFile = join(dir, 'keys', 'data-key.json');
    const first = await new FileDataKeyProvider(keyFile).dataKey();
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(await new FileDataKeyProvider(keyFile).dataKey()).toEqual(first);
    expect(chooseDataProtection({ dataDir: dir, keyFile }).view).toEqual({
      storesData: true,
      encrypted: true,
      keyStorage: 'key-file',
    });
    expect(chooseDataProtection({ dataDir: dir }).view).toEqual({
      storesData: true,
      encrypted: false,
      keyStorage: 'none',
    });
  });

  it('refuses to start, writing nothing, when encryption is required and there is no key', async () => {
    const dir = tempDir();
    const store = createMemoryStore({ dataProtection: { requireEncryption: true } });
    const options = {
      dataDir: dir,
      store,
      secrets: createMemorySecretStore(),
      clock: createFakeClock(),
      logger: silentLogger,
    };
    await expect(openCore(options)).rejects.toBeInstanceOf(EncryptionRequiredError);
    await expect(openCore(options)).rejects.toThrow(/did not start and wrote nothing/);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('retention of the directory, incidents and exports', () => {
  it('removes callers with no active flag and nothing recent; keeps flagged ones; drops old incidents', async () => {
    const dir = tempDir();
    const clock = createFakeClock();
    const directory = await LocalCallerDirectory.open({ dir, clock, logger: silentLogger });
    const old = clock.now();
    // A caller whose only flag was cleared, long ago.
    const cleared = await directory.addFlag('+4930111', { kind: 'insults', reason: 'r', author: 'A' });
    await directory.clearFlag('+4930111', cleared.id, 'A');
    // A caller with only a done follow-up, long ago.
    const done = await directory.addFollowUp('+4930222', {
      callId: 'c',
      kind: 'due-date',
      due: old,
      text: 't',
      author: 'A',
    });
    await directory.completeFollowUp('+4930222', done.id);
    // A caller still flagged, with an old threat incident.
    await directory.recordIncident('+4930333', {
      callId: 'c',
      kind: 'physical-threat',
      whatWasSaid: SECRETS.incident,
      occurredAt: old,
      recordedBy: 'A',
    });
    // A caller with a follow-up due soon (made long ago): still a commitment.
    clock.advance(400 * DAY);
    await directory.addFollowUp('+4930444', {
      callId: 'c',
      kind: 'due-date',
      due: clock.now() + DAY,
      text: 't',
      author: 'A',
    });
    // A recent caller with a cleared flag.
    const recent = await directory.addFlag('+4930555', { kind: 'insults', reason: 'r', author: 'A' });
    await directory.clearFlag('+4930555', recent.id, 'A');

    const schedule = scheduleRetention({
      history: { purgeOlderThan: () => Promise.reject(new Error('not in this test')) },
      clock,
      logger: silentLogger,
      days: () => undefined,
      directory,
      periods: () => ({ directoryDays: 365, incidentDays: 180 }),
      firstDelayMs: 1_000_000_000,
    });
    const report = await schedule.runNow();
    schedule.stop();
    expect(report).toEqual({ directory: { callersRemoved: 2, incidentsRemoved: 1 } });
    expect(await directory.lookup('+4930111')).toBeUndefined();
    expect(await directory.lookup('+4930222')).toBeUndefined();
    const flagged = await directory.lookup('+4930333');
    expect(flagged?.incidents).toEqual([]);
    expect(flagged?.flags).toHaveLength(1);
    // The flag the incident raised quoted it: the quote went with the incident.
    expect(flagged?.flags[0]?.reason).toBe(REDACTED_INCIDENT_REASON);
    expect(await directory.lookup('+4930444')).toBeDefined();
    expect(await directory.lookup('+4930555')).toBeDefined();
    expect(filesContaining(dir, SECRETS.incident)).toEqual([]);

    // And from disk: the removal was written, not only forgotten in memory.
    const reopened = await LocalCallerDirectory.open({ dir, clock, logger: silentLogger });
    expect(reopened.size).toBe(3);
    expect(await schedule.runNow()).toEqual({ directory: { callersRemoved: 0, incidentsRemoved: 0 } });
  });

  it('deletes exports older than their period, by the time in their name, and nothing else', async () => {
    const dir = tempDir();
    const clock = createFakeClock();
    const exported = (at: number) => ({
      fileBaseName: `calmline-caller-export-${fileTimestamp(at)}-abcdef`,
      markdown: 'm',
      json: '{}',
      data: {} as never,
    });
    await writeCallerExport(nodeStorageFs, dir, exported(clock.now() - 40 * DAY));
    await writeCallerExport(nodeStorageFs, dir, exported(clock.now() - 10 * DAY), new Uint8Array(32));
    writeFileSync(join(dir, `calmline-caller-4930123456-${fileTimestamp(clock.now() - 90 * DAY)}.md`), 'old style');
    writeFileSync(join(dir, 'README.txt'), 'not an export');
    expect(exportFileTime(`calmline-caller-export-${fileTimestamp(0)}-abcdef.json.enc`)).toBe(0);
    expect(exportFileTime('README.txt')).toBeUndefined();

    expect(await purgeExports(nodeStorageFs, dir, clock.now() - 30 * DAY)).toBe(3);
    expect(readdirSync(dir).sort()).toEqual([
      'README.txt',
      `calmline-caller-export-${fileTimestamp(clock.now() - 10 * DAY)}-abcdef.json.enc`,
      `calmline-caller-export-${fileTimestamp(clock.now() - 10 * DAY)}-abcdef.md.enc`,
    ]);
    expect(await purgeExports(nodeStorageFs, join(dir, 'missing'), clock.now())).toBe(0);
  });

  it('reads the periods from the settings, with documented defaults', () => {
    expect(retentionPeriodsFrom(createMemoryStore())).toEqual({
      directoryDays: 365,
      incidentDays: 1095,
      exportDays: 30,
    });
    expect(retentionPeriodsFrom(createMemoryStore({ retentionDays: 90 }))).toMatchObject({ directoryDays: 90 });
    expect(
      retentionPeriodsFrom(
        createMemoryStore({ directoryRetentionDays: null, incidentRetentionDays: 30, exportRetentionDays: 7 }),
      ),
    ).toEqual({ incidentDays: 30, exportDays: 7 });
  });

  it('sweeps every store through openAgentData', async () => {
    const dir = tempDir();
    const clock = createFakeClock();
    const data = await openAgentData({
      dir: join(dir, 'agent-data'),
      clock,
      logger: silentLogger,
      agentName: () => 'Anna',
      retentionDays: () => 30,
      exportDir: join(dir, 'exports'),
      periods: () => ({ directoryDays: 30, incidentDays: 30, exportDays: 30 }),
    });
    await data.directory.addFollowUp(NUMBER, {
      callId: 'c',
      kind: 'due-date',
      due: clock.now(),
      text: 't',
      author: 'A',
    });
    await data.writeExport(NUMBER, join(dir, 'exports'));
    clock.advance(31 * DAY);
    const report = await data.retention.runNow();
    expect(report.directory).toEqual({ callersRemoved: 1, incidentsRemoved: 0 });
    expect(report.exports).toEqual({ filesRemoved: 2 });
    expect(report.history).toBeDefined();
    await data.close();
  });
});
