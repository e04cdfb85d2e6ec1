/**
 * The one redactor, rule by rule, and the rolling log file: pino through pino-roll
 * keeps the folder under its cap however much is written, and the level set by
 * policy decides what is written.
 */
import { readdir, readFile, stat, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openFileLog } from '../../../src/core/diagnostics/file-log';
import { maskNumber, Redactor } from '../../../src/core/diagnostics/redactor';
import { DEFAULT_DIAGNOSTICS_SETTINGS } from '../../../src/shared/policy';

describe('redactor', () => {
  const redactor = new Redactor();

  it('masks phone numbers but for their last two digits, in text and in SIP URIs', () => {
    expect(redactor.redact('call from +49 30 1234567 ended')).toBe('call from •••67 ended');
    expect(redactor.redact('From: <sip:+4930123456@pbx.example.com>')).toBe('From: <sip:•••56@pbx.example.com>');
    expect(redactor.redact('tel:030-123456;phone-context=x')).toBe('tel:•••56;phone-context=x');
    expect(maskNumber('(030) 12 34 56')).toBe('•••56');
  });

  it('leaves extensions, times, dates, ports, addresses and versions alone', () => {
    const text = 'agent sip:1001@127.0.0.1 at 2026-12-04T20:12:07.504Z via ws://127.0.0.1:17448/ws, v1.2.0, 486 Busy';
    expect(redactor.redact(text)).toBe(text);
  });

  it('blanks passwords, credentials and Authorization headers', () => {
    expect(redactor.redact('password=hunter22 user=1001')).toBe('password=[redacted] user=1001');
    expect(redactor.redact('{"credential": "abc123", "urls": "turn:x"}')).toBe(
      '{"credential": "[redacted]", "urls": "turn:x"}',
    );
    expect(redactor.redact('Authorization: Digest username="1001", response="9f0e"')).toBe('Authorization: [redacted]');
  });

  it('summarises a whole SIP message in one line', () => {
    const message = 'SIP/2.0 200 OK\r\nVia: SIP/2.0/WSS x\r\nFrom: <sip:+4930123456@x>\r\nCall-ID: abc\r\n\r\nv=0';
    expect(redactor.redact(`received ${message}`)).toBe(
      `received [SIP 200 response message, ${message.length} bytes, not logged]`,
    );
  });

  it('scrubs what the agent typed about callers and the password, as they pass as commands', () => {
    const scrubbing = new Redactor();
    scrubbing.observeCommand({ callId: 'c1', text: 'He threatened to sue over invoice 4711' });
    scrubbing.observeCommand({ wsUrl: 'wss://x', sipUri: 'sip:1001@x', displayName: 'Anna', password: 'opensesame' });
    scrubbing.observeCommand({ number: '+4930123456', callId: 'c1', kind: 'legal', whatWasSaid: 'I will find you' });
    expect(
      scrubbing.redact('failed to save "He threatened to sue over invoice 4711" with opensesame: I will find you'),
    ).toBe('failed to save "[redacted]" with [redacted]: [redacted]');
    // Short values are not protected (they would blank ordinary words).
    scrubbing.protect('ok');
    expect(scrubbing.redact('ok')).toBe('ok');
  });
});

describe('the rolling log file', () => {
  it('keeps the folder under (keep + 1) × max size however much is written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'calmline-log-'));
    const log = await openFileLog({
      dir,
      settings: { ...DEFAULT_DIAGNOSTICS_SETTINGS, keepLogFiles: 2 },
      redactor: new Redactor(),
      maxFileSize: '4k',
    });
    const line = 'x'.repeat(180);
    for (let i = 0; i < 600; i++) {
      log.info(`${i} ${line}`);
      if (i % 50 === 49) await log.flush();
    }
    await log.close();
    // pino-roll removes old files after each roll, asynchronously.
    await expect.poll(async () => (await readdir(dir)).length, { timeout: 10_000 }).toBeLessThanOrEqual(3);
    const names = (await readdir(dir)).sort();
    const sizes = await Promise.all(names.map(async (name) => (await stat(join(dir, name))).size));
    const total = sizes.reduce((a, b) => a + b, 0);
    // Each file may pass its size by the lines written before the roll took effect.
    expect(total).toBeLessThanOrEqual(3 * (4 * 1024 + 50 * 260));
    for (const name of names) expect(name).toMatch(/^calmline\.\d{4}-\d\d-\d\d\.\d+\.log$/);
    // The newest lines are kept; the first ones rolled away.
    const all = (await Promise.all(names.map((name) => readFile(join(dir, name), 'utf8')))).join('');
    expect(all).toContain('"msg":"599 ');
    expect(all).not.toContain('"msg":"0 ');
  });

  it('writes only from the level policy sets, and keeps the last problems for the bundle', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'calmline-log-'));
    const log = await openFileLog({
      dir,
      settings: { ...DEFAULT_DIAGNOSTICS_SETTINGS, logLevel: 'warn' },
      redactor: new Redactor(),
    });
    log.debug('a debug line');
    log.info('an info line');
    log.warn('a warning about +4930123456');
    log.error('an error');
    await log.close();
    const [name] = await readdir(dir);
    const text = await readFile(join(dir, name!), 'utf8');
    expect(text).not.toContain('debug line');
    expect(text).not.toContain('info line');
    expect(text).toContain('a warning about •••56');
    expect(log.recentProblems().map((p) => `${p.level}: ${p.message}`)).toEqual([
      'warn: a warning about •••56',
      'error: an error',
    ]);
  });
});
