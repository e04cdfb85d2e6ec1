import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/logger';
import type { CallRecordInput } from '../../../src/shared/call-record';
import { FileCallHistory } from '../../../src/core/storage/history/file-call-history';
import { foldText, tokenize } from '../../../src/core/storage/history/search-index';
import { createFakeClock } from '../../support/fake-clock';
import { tempDir } from './storage-test-kit';

const T0 = Date.UTC(2025, 2, 14, 9, 0);
const HOUR = 3_600_000;

async function seeded() {
  const history = await FileCallHistory.open({ dir: tempDir(), clock: createFakeClock(T0), logger: silentLogger });
  const calls: [CallRecordInput, string][] = [
    [
      {
        callId: 'c1',
        number: '+49301234567',
        name: 'Jürgen Müller',
        direction: 'inbound',
        startedAt: T0,
        agent: 'Anna',
      },
      'Router defekt, Techniker-Termin am Freitag zugesagt.',
    ],
    [
      {
        callId: 'c2',
        number: '+49301234567',
        name: 'Jürgen Müller',
        direction: 'inbound',
        startedAt: T0 + HOUR,
        agent: 'Ben',
      },
      'Refund requested for invoice 88231; promised status update.',
    ],
    [
      {
        callId: 'c3',
        number: '+4740000111',
        name: 'Kari Nordmann',
        direction: 'outbound',
        startedAt: T0 + 2 * HOUR,
        agent: 'Anna',
      },
      'Faktura feil. Refunded the difference.',
    ],
    [
      {
        callId: 'c4',
        number: '+982188776655',
        name: 'سارا احمدی',
        direction: 'inbound',
        startedAt: T0 + 3 * HOUR,
        agent: 'Anna',
      },
      'مشکل اینترنت؛ قرار بازدید تکنسین',
    ],
    [
      {
        callId: 'c5',
        number: '2000',
        name: 'Strauß GmbH',
        direction: 'inbound',
        startedAt: T0 + 26 * HOUR,
        agent: 'Ben',
      },
      'No note worth mentioning.',
    ],
  ];
  for (const [input, note] of calls) {
    await history.recordCall(input);
    await history.saveNote(input.callId, note, input.agent);
  }
  return history;
}

async function ids(history: FileCallHistory, text: string): Promise<string[]> {
  return (await history.search({ text })).hits.map((hit) => hit.callId);
}

describe('search over past calls', () => {
  it('finds calls by a fragment of the number, with or without formatting', async () => {
    const history = await seeded();
    expect(await ids(history, '1234567')).toEqual(['c2', 'c1']);
    expect(await ids(history, '+49 30 123')).toEqual(['c2', 'c1']);
    expect(await ids(history, '2000')).toEqual(['c5']);
  });

  it('finds calls by name, ignoring case and accents, by word prefix', async () => {
    const history = await seeded();
    expect(await ids(history, 'muller')).toEqual(['c2', 'c1']);
    expect(await ids(history, 'MÜLL')).toEqual(['c2', 'c1']);
    expect(await ids(history, 'strauss')).toEqual(['c5']);
    expect(await ids(history, 'سارا')).toEqual(['c4']);
  });

  it('finds calls by words in notes; every word must match', async () => {
    const history = await seeded();
    expect(await ids(history, 'refund')).toEqual(['c3', 'c2']);
    expect(await ids(history, 'refund invoice')).toEqual(['c2']);
    expect(await ids(history, 'techniker freitag')).toEqual(['c1']);
    expect(await ids(history, 'تکنسین')).toEqual(['c4']);
    expect(await ids(history, 'refund nordmann')).toEqual(['c3']);
    expect(await ids(history, 'refund zebra')).toEqual([]);
    expect(await ids(history, '  ,;  ')).toEqual([]);
  });

  it('answers newest first with the total beyond the limit, and a snippet of the note', async () => {
    const history = await seeded();
    const result = await history.search({ text: 'muller', limit: 1 });
    expect(result.total).toBe(2);
    expect(result.hits.map((hit) => hit.callId)).toEqual(['c2']);
    const [hit] = (await history.search({ text: 'invoice' })).hits;
    expect(hit).toMatchObject({ callId: 'c2', number: '+49301234567', name: 'Jürgen Müller', agent: 'Ben' });
    expect(hit?.snippet).toContain('invoice 88231');
  });

  it('follows note edits: old words stop matching, new ones match', async () => {
    const history = await seeded();
    await history.saveNote('c1', 'Kunde zufrieden, Fall geschlossen.', 'Anna');
    expect(await ids(history, 'router')).toEqual([]);
    expect(await ids(history, 'zufrieden')).toEqual(['c1']);
  });

  it('forgets purged calls', async () => {
    const history = await seeded();
    await history.purgeOlderThan(1, T0 + 26 * HOUR + 30 * 60_000);
    expect(await ids(history, 'refund')).toEqual([]);
    expect(await ids(history, 'mentioning')).toEqual(['c5']);
    expect(await ids(history, '1234567')).toEqual([]);
  });

  it('builds its index from disk after a restart', async () => {
    const history = await seeded();
    const dir = (history as unknown as { options: { dir: string } }).options.dir;
    const reopened = await FileCallHistory.open({ dir, clock: createFakeClock(T0), logger: silentLogger });
    expect(await ids(reopened, 'refund invoice')).toEqual(['c2']);
  });
});

describe('tokenize', () => {
  it('folds case and accents and splits on anything but letters and digits', () => {
    expect([...tokenize('Müller-Lüdenscheidt, Rechnung #4711!')]).toEqual([
      'muller',
      'ludenscheidt',
      'rechnung',
      '4711',
    ]);
    expect(foldText('ÉCOLE Straße')).toBe('ecole strasse');
  });
});
