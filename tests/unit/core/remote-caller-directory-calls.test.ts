/**
 * What the app sends for a finished call (`POST /v1/callers/{e164}/calls`): outcome and
 * commitment through the outbox with an idempotency key, the note text only where the
 * centre shares it. The service side is tests/integration/shared-directory.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RemoteCallerDirectory } from '../../../src/core/directory/remote-caller-directory';
import { silentLogger } from '../../../src/core/logger';
import type { CallerDirectory } from '../../../src/core/storage/callers/caller-directory';
import { createFakeClock } from '../../support/fake-clock';

const dirs: string[] = [];
const open: RemoteCallerDirectory[] = [];

afterEach(async () => {
  for (const directory of open.splice(0)) await directory.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface Sent {
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

async function openDirectory(shareNoteText?: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'calmline-remote-calls-'));
  dirs.push(dir);
  const sent: Sent[] = [];
  const fetch = vi.fn(async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const href = String(url);
    if (href.endsWith('/v1/events')) return new Response('down', { status: 503 });
    sent.push({
      url: href,
      headers: init?.headers as Record<string, string>,
      body: JSON.parse(String(init?.body)) as unknown,
    });
    return new Response('{}', { status: 201, headers: { 'content-type': 'application/json' } });
  });
  const directory = await RemoteCallerDirectory.open({
    url: 'http://127.0.0.1:9/',
    token: () => 'token',
    local: {} as CallerDirectory,
    dir,
    clock: createFakeClock(),
    logger: silentLogger,
    fetch: fetch as typeof globalThis.fetch,
    ...(shareNoteText === undefined ? {} : { shareNoteText }),
  });
  open.push(directory);
  return { directory, sent };
}

/** Resolves once the outbox is empty (told by the directory's status events). */
function drained(directory: RemoteCallerDirectory): Promise<void> {
  return new Promise((resolve) => {
    if (directory.status().queued === 0) return resolve();
    const stop = directory.onStatus((status) => {
      if (status.queued === 0) {
        stop();
        resolve();
      }
    });
  });
}

const call = {
  callId: 'c1',
  outcome: 'follow-up' as const,
  commitment: '  Refund by Monday ',
  note: 'Was upset about the delay',
  endedAt: 1_700_000_000_000,
};

describe('RemoteCallerDirectory.recordCall', () => {
  it('queues outcome and commitment with an idempotency key, and no note text by default', async () => {
    const { directory, sent } = await openDirectory();
    await directory.recordCall('+4930123456', call);
    await drained(directory);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.url).toBe('http://127.0.0.1:9/v1/callers/%2B4930123456/calls');
    expect(sent[0]!.headers['idempotency-key']).toMatch(/^calmline-/);
    expect(sent[0]!.body).toEqual({
      callId: 'c1',
      outcome: 'follow-up',
      commitment: 'Refund by Monday',
      endedAt: 1_700_000_000_000,
    });
  });

  it('sends the note where the centre shares note text, and nothing for a caller that is not E.164', async () => {
    const { directory, sent } = await openDirectory(true);
    await directory.recordCall('1002', call);
    expect(directory.status().queued).toBe(0);
    await directory.recordCall('+4930123456', call);
    await drained(directory);
    expect(sent.map((s) => s.body)).toEqual([
      {
        callId: 'c1',
        outcome: 'follow-up',
        commitment: 'Refund by Monday',
        note: 'Was upset about the delay',
        endedAt: 1_700_000_000_000,
      },
    ]);
  });
});
