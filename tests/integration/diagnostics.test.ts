/**
 * Diagnostics with real parts: the core registered with a password to a real
 * Kamailio, a SIPp caller with a full E.164 number answered, a note typed, and the
 * log written by pino through pino-roll at debug level. Lines that would leak (the
 * note, the password, a whole SIP message, the caller's number) are also logged on
 * purpose, as a careless code path would. Neither the log files nor the diagnostics
 * bundle (copied or saved) may contain any of them unmasked.
 */
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock';
import { Diagnostics } from '../../src/core/diagnostics/diagnostics';
import { openFileLog, type FileLog } from '../../src/core/diagnostics/file-log';
import { Redactor } from '../../src/core/diagnostics/redactor';
import { resolvePolicy } from '../../src/core/policy/policy';
import { DEFAULT_DIAGNOSTICS_SETTINGS } from '../../src/shared/policy';
import { startAgent, type TestAgent } from '../support/agent';
import { startKamailio, type Kamailio } from '../support/kamailio';
import { formatSippResult, runSipp } from '../support/sipp';

const PASSWORD = 'Tr0ub4dor&3-horse';
const CALLER = '+4930123456';
const NOTE = 'Kunde droht mit dem Anwalt wegen Rechnung 4711, sehr aufgebracht';
const TURN_SECRET = 'turn-credential-77';

let kamailio: Kamailio;
let agent: TestAgent;
let log: FileLog;
let logDir: string;
let dataDir: string;

beforeAll(async () => {
  kamailio = await startKamailio({ auth: { users: { '1001': PASSWORD } } });
  dataDir = await mkdtemp(join(tmpdir(), 'calmline-diagnostics-'));
  logDir = join(dataDir, 'logs');
  const redactor = new Redactor();
  log = await openFileLog({
    dir: logDir,
    settings: { ...DEFAULT_DIAGNOSTICS_SETTINGS, logLevel: 'debug' },
    redactor,
  });
  const policy = resolvePolicy(
    [
      {
        source: '/etc/calmline/policy.json',
        level: 'locked',
        values: {
          'mediaPolicy.iceServers': [{ urls: 'turn:turn.example.com:3478', username: 'cl', credential: TURN_SECRET }],
          'diagnostics.logLevel': 'debug',
        },
      },
    ],
    { username: '1001' },
  );
  const diagnostics = new Diagnostics({
    appVersion: '0.1.0',
    runtime: `Node ${process.versions.node}`,
    redactor,
    policy,
    clock: systemClock,
    log,
    outputDir: join(dataDir, 'diagnostics'),
  });
  agent = await startAgent(kamailio, { user: '1001', password: PASSWORD, logger: log, redactor, diagnostics, dataDir });
});

afterAll(async () => {
  await agent?.stop();
  await log?.close();
  await kamailio?.stop();
});

async function logText(): Promise<string> {
  await log.flush();
  const names = await readdir(logDir);
  const texts = await Promise.all(names.map((name) => readFile(join(logDir, name), 'utf8')));
  return texts.join('\n');
}

function expectNothingLeaks(text: string, where: string) {
  expect(text, where).not.toContain(PASSWORD);
  expect(text, where).not.toContain(NOTE);
  expect(text, where).not.toContain('Rechnung 4711');
  expect(text, where).not.toContain('4930123456');
  expect(text, where).not.toContain('30123456');
  expect(text, where).not.toContain(TURN_SECRET);
  expect(text, where).not.toMatch(/Via: SIP\/2\.0/);
}

describe('diagnostics', () => {
  it('logs a call with a number, a note and a password without any of them in the clear', async () => {
    const sipp = runSipp({
      scenario: 'caller-answered-agent-hangs-up.xml',
      kamailio,
      service: '1001',
      caller: CALLER,
      displayName: 'Erika Mustermann',
    });
    const ringing = await agent.waitForCall((c) => c.state === 'ringing' && c.remoteNumber === CALLER);
    await agent.must('call:answer', { callId: ringing.id });
    await agent.waitForCall((c) => c.id === ringing.id && c.state === 'active');
    await agent.must('notes:edit', { callId: ringing.id, text: NOTE });
    // What a careless debug line would write: every one of these must be scrubbed.
    log.debug(`Note for ${CALLER} saved: ${NOTE}`);
    log.warn(
      `Unexpected message: INVITE sip:1001@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060\r\nFrom: "Erika" <sip:${CALLER}@127.0.0.1>\r\nContent-Length: 0\r\n\r\n`,
    );
    log.error(`Registration with password=${PASSWORD} for sip:${CALLER}@127.0.0.1 failed (tel ${CALLER})`);
    await agent.must('call:hang-up', { callId: ringing.id });
    await agent.waitForCall((c) => c.id === ringing.id && c.state === 'ended');
    const result = await sipp.done;
    expect(result.passed, formatSippResult(result)).toBe(true);

    const text = await logText();
    expectNothingLeaks(text, 'log file');
    // The lines are there, masked: the helpdesk still sees what happened.
    expect(text).toContain('Note for •••56 saved: [redacted]');
    expect(text).toMatch(/\[SIP INVITE message, \d+ bytes, not logged\]/);
    expect(text).toContain('password=[redacted]');
    // One JSON line per entry, as pino writes them, with an ISO time.
    const first = JSON.parse(text.split('\n')[0]!) as { level: number; time: string; msg: string };
    expect(first.time).toMatch(/^\d{4}-\d\d-\d\dT/);
    // One file for today, named by date.
    expect(await readdir(logDir)).toEqual([expect.stringMatching(/^calmline\.\d{4}-\d\d-\d\d\.1\.log$/)]);
  });

  it('copies and saves a bundle with version, OS, registration, errors and policy, and no secret', async () => {
    const { text } = await agent.must<{ text: string }>('diagnostics:get');
    expect(text).toContain('Version: 0.1.0');
    expect(text).toMatch(/OS: linux /);
    expect(text).toContain('registered as sip:1001@127.0.0.1');
    expect(text).toContain('- mediaPolicy.iceServers = ');
    expect(text).toContain('(locked, /etc/calmline/policy.json)');
    expect(text).toContain('"credential":"[redacted]"');
    expect(text).toMatch(/error: Registration with password=\[redacted\]/);
    expect(text).toContain(logDir);
    expectNothingLeaks(text, 'copied bundle');

    const { path } = await agent.must<{ path: string }>('diagnostics:save');
    expect(path.startsWith(join(dataDir, 'diagnostics'))).toBe(true);
    const saved = await readFile(path, 'utf8');
    expect(saved).toContain('# Calmline diagnostics');
    expectNothingLeaks(saved, 'saved bundle');
  });
});
