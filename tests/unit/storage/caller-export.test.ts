import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/logger';
import {
  callerExportSchema,
  exportCallerRecord,
  writeCallerExport,
} from '../../../src/core/storage/callers/caller-export';
import { FileCallHistory } from '../../../src/core/storage/history/file-call-history';
import { LocalCallerDirectory } from '../../../src/core/storage/callers/local-caller-directory';
import { nodeStorageFs } from '../../../src/core/storage/files/storage-fs';
import { createFakeClock } from '../../support/fake-clock';
import { tempDir } from './storage-test-kit';

const T0 = Date.UTC(2025, 2, 14, 9, 0);

async function seeded() {
  const dir = tempDir();
  const clock = createFakeClock(T0);
  const history = await FileCallHistory.open({ dir: `${dir}/history`, clock, logger: silentLogger });
  const directory = await LocalCallerDirectory.open({ dir: `${dir}/callers`, clock, logger: silentLogger });
  await history.recordCall({
    callId: 'c-17',
    number: '+49301234567',
    name: 'Jürgen Müller',
    direction: 'inbound',
    startedAt: T0 - 600_000,
    endedAt: T0 - 60_000,
    agent: 'Anna',
  });
  await history.saveNote(
    'c-17',
    'Customer angry about invoice.\nSaid: [click here](javascript:alert(1)) <script>x</script>\n# not a heading',
    'Anna',
  );
  await history.recordCall({
    callId: 'other',
    number: '+4940555',
    name: 'Someone Else',
    direction: 'inbound',
    startedAt: T0,
    agent: 'Anna',
  });
  await directory.recordIncident('+49 30 1234567', {
    callId: 'c-17',
    kind: 'legal-threat',
    whatWasSaid: 'My lawyer will sue you | and your *whole* company.',
    occurredAt: T0 - 300_000,
    recordedBy: 'Anna',
  });
  await directory.addFlag('+49301234567', {
    kind: 'abusive-language',
    reason: 'Swore \u202Eat the agent',
    author: 'Anna',
    callId: 'c-17',
  });
  await directory.setPreferredAddress('+49301234567', 'Herr Müller', 'Anna');
  await directory.addFollowUp('+49301234567', {
    callId: 'c-17',
    kind: 'status-update',
    due: T0 + 86_400_000,
    text: 'Status of the invoice check.',
    author: 'Anna',
  });
  return { dir, clock, history, directory };
}

describe('exportCallerRecord', () => {
  it('renders the incident (what, when, by whom, which call), flags, address, follow-ups and notes as Markdown', async () => {
    const { history, directory, clock } = await seeded();
    const exported = await exportCallerRecord('0049 30 1234567', {
      history,
      directory,
      clock,
      exportedBy: 'Anna Agent',
    });
    const md = exported.markdown;
    expect(md).toContain('# Caller record: +49301234567');
    expect(md).toContain('Exported 2025-03-14 09:00 UTC by Anna Agent');
    expect(md).toContain('## Threat incidents (1)');
    expect(md).toContain('### 2025-03-14 08:55 UTC: legal threat');
    expect(md).toContain('- **Said by:** the caller');
    expect(md).toContain('- **Call:** c-17 (started 2025-03-14 08:50 UTC, taken by Anna)');
    expect(md).toContain('> My lawyer will sue you \\| and your \\*whole\\* company.');
    expect(md).toContain('| abusive language | Swore at the agent | Anna |');
    expect(md).toContain('Herr Müller (set by Anna');
    expect(md).toContain('- [ ] 2025-03-15 09:00 UTC, status update: Status of the invoice check.');
    expect(md).toContain('## Calls in the history (1)');
    expect(md).toContain('- **Duration:** 9 min 0 s');
    expect(md).not.toContain('Someone Else');
    // No number in the name: a folder listing must not say who called.
    expect(exported.fileBaseName).toMatch(/^calmline-caller-export-20250314T090000000Z-[0-9a-f]{6}$/);
  });

  it('makes note text inert: no links, HTML or headings, no bidi overrides', async () => {
    const { history, directory, clock } = await seeded();
    const { markdown } = await exportCallerRecord('+49301234567', { history, directory, clock, exportedBy: 'A' });
    expect(markdown).toContain('> Said: \\[click here\\](javascript:alert(1)) \\<script\\>x\\</script\\>');
    expect(markdown).toContain('> \\# not a heading');
    expect(markdown).not.toMatch(/\u202E/);
  });

  it('gives JSON that validates against the export schema and holds the same record', async () => {
    const { history, directory, clock } = await seeded();
    const { json } = await exportCallerRecord('+49301234567', { history, directory, clock, exportedBy: 'A' });
    const data = callerExportSchema.parse(JSON.parse(json));
    expect(data.caller?.incidents[0]).toMatchObject({
      callId: 'c-17',
      whatWasSaid: 'My lawyer will sue you | and your *whole* company.',
      saidBy: 'the caller',
      recordedBy: 'Anna',
    });
    expect(data.calls.map((call) => call.callId)).toEqual(['c-17']);
    expect(data.calls[0]?.note?.text).toContain('# not a heading');
  });

  it('exports a caller nobody flagged, and writes both files', async () => {
    const { history, directory, clock, dir } = await seeded();
    const exported = await exportCallerRecord('+4940555', { history, directory, clock, exportedBy: 'A' });
    expect(exported.markdown).toContain('## Threat incidents (0)');
    expect(exported.data.caller).toBeNull();
    const paths = await writeCallerExport(nodeStorageFs, `${dir}/exports`, exported);
    expect(readFileSync(paths.markdownPath, 'utf8')).toBe(exported.markdown);
    expect(JSON.parse(readFileSync(paths.jsonPath, 'utf8'))).toEqual(exported.data);
    await expect(exportCallerRecord('anonymous', { history, directory, clock, exportedBy: 'A' })).rejects.toMatchObject(
      { code: 'invalid-input' },
    );
  });
});
