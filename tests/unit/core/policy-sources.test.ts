/**
 * Managed policy from each OS source, read from fixtures: the Windows registry through
 * an injected reader fed with real `reg query` output, the macOS managed-preferences
 * plist and the Linux JSON file; then invalid sources, reported with key and reason.
 */
import { mkdtemp, readFile, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolvePolicy, sipUserFromOsUser } from '../../../src/core/policy/policy';
import {
  createRegQueryReader,
  parseRegQueryOutput,
  readLinuxPolicy,
  readMacPolicy,
  readWindowsPolicy,
  type RunCommand,
} from '../../../src/core/policy/policy-sources';

const FIXTURES = join(import.meta.dirname, '../../fixtures/policy');
const fixture = (name: string) => readFile(join(FIXTURES, name), 'utf8');

/** `reg.exe query <key>` as Windows answers it: the fixture's output, or exit code 1 for a missing key. */
async function fakeRegExe(): Promise<{ run: RunCommand; calls: string[][] }> {
  const outputs: Record<string, string> = {
    'HKLM\\Software\\Policies\\Calmline': await fixture('reg-hklm.txt'),
    'HKLM\\Software\\Policies\\Calmline\\Recommended': await fixture('reg-hklm-recommended.txt'),
    'HKCU\\Software\\Policies\\Calmline': await fixture('reg-hkcu.txt'),
  };
  const calls: string[][] = [];
  const run: RunCommand = async (file, args) => {
    calls.push([file, ...args]);
    const out = outputs[args[1] ?? ''];
    return out === undefined ? { stdout: '', code: 1 } : { stdout: out, code: 0 };
  };
  return { run, calls };
}

describe('Windows registry policy', () => {
  it('parses reg query output: strings, DWORDs, JSON in a string; subkeys skipped', async () => {
    const values = parseRegQueryOutput(await fixture('reg-hklm.txt'));
    expect(values).toContainEqual({ name: 'account.wsUrl', type: 'REG_SZ', value: 'wss://pbx.example.com:8089/ws' });
    expect(values).toContainEqual({ name: 'retentionDays', type: 'REG_DWORD', value: 90 });
    expect(values.map((value) => value.name)).not.toContain(
      'HKEY_LOCAL_MACHINE\\Software\\Policies\\Calmline\\Recommended',
    );
  });

  it('reads HKLM over HKCU, locked over recommended, and expands the account template', async () => {
    const { run, calls } = await fakeRegExe();
    const reads = await readWindowsPolicy(createRegQueryReader(run));
    expect(calls.map((call) => call[2])).toEqual([
      'HKLM\\Software\\Policies\\Calmline',
      'HKCU\\Software\\Policies\\Calmline',
      'HKLM\\Software\\Policies\\Calmline\\Recommended',
      'HKCU\\Software\\Policies\\Calmline\\Recommended',
    ]);
    const policy = resolvePolicy(reads, { username: 'CALLCENTRE\\Anna.Berg' });
    const value = (key: string) => policy.values.get(key as never);
    // HKLM wins over HKCU for the same key.
    expect(value('account.wsUrl')).toMatchObject({ value: 'wss://pbx.example.com:8089/ws', level: 'locked' });
    expect(value('account.wsUrl')?.source).toBe('HKLM\\Software\\Policies\\Calmline');
    expect(value('updates.channel')?.value).toBe('pilot');
    // The domain part of a Windows login is dropped; the SIP user is lower case.
    expect(value('account.sipUriTemplate')?.value).toBe('sip:anna.berg@pbx.example.com');
    expect(value('workspacePolicy.wrapUpHoldsCalls')?.value).toBe(true);
    expect(value('retentionDays')?.value).toBe(90);
    expect(value('mediaPolicy.iceServers')?.value).toEqual([
      { urls: 'turn:turn.example.com:3478', username: 'calmline', credential: 's3cret' },
    ]);
    // HKCU still adds keys HKLM does not set.
    expect(value('diagnostics.logLevel')).toMatchObject({ value: 'debug', level: 'locked' });
    expect(value('language')).toMatchObject({ value: 'de', level: 'recommended' });
    expect(value('callPolicy.escalationTarget')).toMatchObject({ level: 'recommended' });
    // HKCU's bad values are reported with key and reason, and do not apply.
    expect(policy.issues).toContainEqual({
      source: 'HKCU\\Software\\Policies\\Calmline',
      key: 'workspacePolicy.snoozeMinutes',
      reason: expect.stringMatching(/60|too big|less than/i),
    });
    expect(policy.issues).toContainEqual({
      source: 'HKCU\\Software\\Policies\\Calmline',
      key: 'consent.enabled',
      reason: 'is not a Calmline policy key',
    });
    expect(value('workspacePolicy.snoozeMinutes')).toBeUndefined();
  });

  it('answers no policy when no key exists, and reports a reader that fails', async () => {
    const none = await readWindowsPolicy(createRegQueryReader(async () => ({ stdout: '', code: 1 })));
    expect(none).toEqual([]);
    const broken = await readWindowsPolicy({
      readKey: async () => {
        throw new Error('Access is denied.');
      },
    });
    expect(resolvePolicy(broken, { username: 'anna' }).issues[0]).toEqual({
      source: 'HKLM\\Software\\Policies\\Calmline',
      key: '(source)',
      reason: 'cannot be read: Access is denied.',
    });
  });
});

describe('macOS managed preferences', () => {
  it("reads the user's plist over the machine's; Recommended holds defaults", async () => {
    const root = '/Library/Managed Preferences';
    const files: Record<string, string> = {
      [join(root, 'com.calmline.app.plist')]: await fixture('com.calmline.app.plist'),
      [join(root, 'anna', 'com.calmline.app.plist')]: await fixture('user-com.calmline.app.plist'),
    };
    const reads = await readMacPolicy({ username: 'anna', readText: async (path) => files[path] });
    const policy = resolvePolicy(reads, { username: 'anna' });
    expect(policy.issues).toEqual([]);
    const value = (key: string) => policy.values.get(key as never);
    expect(value('workspacePolicy.regularBreakIntervalMinutes')).toMatchObject({
      value: 30,
      source: join(root, 'anna', 'com.calmline.app.plist'),
    });
    expect(value('workspacePolicy.eyeRestEnabled')).toMatchObject({ value: false, level: 'locked' });
    expect(value('account.sipUriTemplate')?.value).toBe('sip:anna@pbx.example.com');
    expect(value('mediaPolicy.iceServers')?.value).toEqual([{ urls: 'stun:stun.example.com:3478' }]);
    expect(value('language')).toMatchObject({ value: 'nb', level: 'recommended' });
    expect(value('workspacePolicy.greeting')?.value).toEqual({ en: 'Hello, you are through to the help desk.' });
  });

  it('converts a binary plist with plutil, and reports one it cannot parse', async () => {
    const xml = await fixture('user-com.calmline.app.plist');
    const runs: string[][] = [];
    const reads = await readMacPolicy({
      username: 'anna',
      readText: async (path) => (path.includes('anna') ? 'bplist00…' : '<plist><dict><key>x</key>'),
      run: async (file, args) => {
        runs.push([file, ...args]);
        return { stdout: xml, code: 0 };
      },
    });
    expect(runs[0]?.slice(0, 4)).toEqual(['plutil', '-convert', 'xml1', '-o']);
    const policy = resolvePolicy(reads, { username: 'anna' });
    expect(policy.values.get('workspacePolicy.regularBreakIntervalMinutes')?.value).toBe(30);
    expect(policy.issues).toHaveLength(1);
    expect(policy.issues[0]).toMatchObject({ key: '(source)', reason: expect.stringMatching(/^cannot be read/) });
  });
});

describe('Linux policy file', () => {
  it('reads /etc/calmline/policy.json in the same shape', async () => {
    const reads = await readLinuxPolicy({ path: join(FIXTURES, 'policy.json') });
    const policy = resolvePolicy(reads, { username: 'anna' });
    expect(policy.issues).toEqual([]);
    expect(policy.values.get('encryptionAtRest')).toMatchObject({ value: 'required', level: 'locked' });
    expect(policy.values.get('updates.enabled')?.value).toBe(false);
    expect(policy.values.get('retentionDays')).toMatchObject({ value: 0, level: 'recommended' });
  });

  it('is no policy at all when the file does not exist', async () => {
    expect(await readLinuxPolicy({ path: join(FIXTURES, 'missing.json') })).toEqual([]);
  });

  it('reports wrong types, unknown keys and bad JSON by key and reason; the rest applies', async () => {
    const reads = await readLinuxPolicy({ path: join(FIXTURES, 'policy-invalid.json') });
    const policy = resolvePolicy(reads, { username: 'anna' });
    const reasons = Object.fromEntries(policy.issues.map((issue) => [issue.key, issue.reason]));
    expect(Object.keys(reasons).sort()).toEqual(
      [
        '(source)',
        'account.wsUrl',
        'mediaPolicy.iceServers',
        'retentionDays',
        'updates.channel',
        'workspacePolicy.snoozeMinute',
      ].sort(),
    );
    expect(reasons['account.wsUrl']).toBe('must be a ws:// or wss:// URL');
    expect(reasons['updates.channel']).toBe('must be one of stable, pilot');
    expect(reasons['mediaPolicy.iceServers']).toBe('must be valid JSON');
    expect(reasons['workspacePolicy.snoozeMinute']).toBe('is not a Calmline policy key');
    expect(reasons['(source)']).toMatch(/Recommended must be a dictionary/);
    expect([...policy.values.keys()]).toEqual(['language']);
  });

  it('reports a file that is not JSON, or cannot be read, without throwing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'calmline-policy-'));
    const broken = join(dir, 'policy.json');
    await writeFile(broken, '{ "language": "de", ');
    const [read] = await readLinuxPolicy({ path: broken });
    expect(read).toMatchObject({ source: broken, error: expect.stringMatching(/^cannot be read: .*JSON/) });
    await writeFile(broken, '{}');
    await chmod(broken, 0o000);
    const unreadable = await readLinuxPolicy({
      path: broken,
      readText: async () => {
        throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
      },
    });
    expect(unreadable).toEqual([{ source: broken, error: 'cannot be read: EACCES: permission denied' }]);
    await chmod(broken, 0o600);
  });
});

describe('the OS user name in a SIP address', () => {
  it('keeps the user of DOMAIN\\user and user@domain, and refuses what cannot stand in a URI', () => {
    expect(sipUserFromOsUser('CORP\\Jo.Smith')).toBe('jo.smith');
    expect(sipUserFromOsUser('jo@corp.example')).toBe('jo');
    expect(sipUserFromOsUser('Jo Smith')).toBeUndefined();
    const policy = resolvePolicy(
      [{ source: 'test', level: 'locked', values: { 'account.sipUriTemplate': 'sip:${username}@pbx.example.com' } }],
      { username: 'Jo Smith' },
    );
    expect(policy.values.size).toBe(0);
    expect(policy.issues[0]?.reason).toMatch(/cannot stand in a SIP address/);
  });
});
