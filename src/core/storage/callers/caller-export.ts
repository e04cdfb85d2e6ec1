/**
 * One caller's record as files to hand on (D5 in docs/practice.md: report the
 * threat to the right people, support the legal team): a Markdown report a person
 * can read, and JSON a program can. Both hold the flags, every threat incident (what was said, when, by
 * whom, in which call), the preferred form of address, follow-ups, and the calls
 * still in the history with their notes.
 *
 * All text in the Markdown comes from agents or the network, so it is escaped: a
 * note cannot inject links, HTML or headings into the report, nor reorder it with
 * bidi controls.
 *
 * File names carry no number (a folder listing must not reveal who called): a time
 * stamp and a random suffix. With a data key the files are encrypted like the rest
 * of the agent's data (`.md.enc`, `.json.enc`; `npm run open-export` decrypts one
 * with a key file).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import type { Clock } from '../../clock';
import { atomicWriteFile } from '../files/atomic-write';
import { sealFile, type FileCipher } from '../files/file-cipher';
import type { CallHistory } from '../history/call-history';
import { callRecordSchema, type CallRecord } from '../../../shared/call-record';
import { activeFlags, callerRecordSchema, type CallerDirectory } from './caller-directory';
import { callerKey } from './caller-key';
import { fileTimestamp } from '../files/quarantine';
import { StorageError } from '../files/storage-error';
import { PRIVATE_DIR_MODE, type StorageFs } from '../files/storage-fs';

/** The JSON export, versioned so a reader can check what it got. */
export const callerExportSchema = z.object({
  format: z.literal('calmline/caller-export'),
  version: z.literal(1),
  exportedAt: z.string(),
  exportedBy: z.string(),
  number: z.string(),
  caller: callerRecordSchema.nullable(),
  calls: z.array(callRecordSchema),
});

/** The JSON export's data. */
export type CallerExportData = z.infer<typeof callerExportSchema>;

/** A caller's record, rendered. */
export interface CallerExport {
  /** File name without extension and without the number, e.g. `calmline-caller-export-20250314T101500000Z-3fa9c2`. */
  fileBaseName: string;
  markdown: string;
  json: string;
  data: CallerExportData;
}

/** Where the export reads from. */
export interface CallerExportSources {
  directory: Pick<CallerDirectory, 'lookup'>;
  history: Pick<CallHistory, 'callsFor'>;
  clock: Clock;
  /** The agent exporting, named in the report. */
  exportedBy: string;
}

const MAX_EXPORTED_CALLS = 500;

// Bidi embeddings, overrides and isolates could reorder the report's lines; LRM/RLM stay.
// eslint-disable-next-line no-control-regex -- removing control characters is the point
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Agent or network text made inert for Markdown: emphasis, code, links, images, HTML,
 * entities and table pipes are escaped, and so are heading marks at the start of a line
 * (`#`, or a line of only `-`/`=`). List dashes and plain punctuation stay, so the file
 * still reads well as text.
 */
function md(text: string): string {
  return text
    .replace(UNSAFE, '')
    .replace(/[\\`*_[\]<>|~&]/g, (char) => `\\${char}`)
    .replace(/^(\s*)(#|[-=]+\s*$)/, '$1\\$2');
}

/** One line of text (a table cell, a list item). */
function mdLine(text: string): string {
  return md(text.replace(/\s+/g, ' ').trim());
}

/** Multi-line text as a block quote, each line escaped. */
function mdQuote(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  return lines.map((line) => (line.trim() === '' ? '>' : `> ${md(line)}`)).join('\n');
}

/** `2025-03-14 09:50 UTC`: unambiguous for whoever reads the report, wherever they are. */
function when(at: number): string {
  return `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function duration(call: CallRecord): string {
  if (call.endedAt === undefined) return 'unknown';
  const seconds = Math.max(0, Math.round((call.endedAt - call.startedAt) / 1000));
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

function humanKind(kind: string): string {
  return kind.replace(/-/g, ' ');
}

function renderMarkdown(data: CallerExportData, exportedAt: number): string {
  const { caller, calls } = data;
  const out: string[] = [];
  out.push(`# Caller record: ${mdLine(data.number)}`, '');
  out.push(`Exported ${when(exportedAt)} by ${mdLine(data.exportedBy)} from Calmline (caller export, format 1).`, '');
  const callsById = new Map(calls.map((call) => [call.callId, call]));

  const incidents = caller?.incidents ?? [];
  out.push(`## Threat incidents (${incidents.length})`, '');
  if (incidents.length === 0) out.push('None recorded.', '');
  for (const incident of [...incidents].sort((a, b) => a.occurredAt - b.occurredAt)) {
    const call = callsById.get(incident.callId);
    out.push(`### ${when(incident.occurredAt)}: ${humanKind(incident.kind)}`, '');
    out.push(`- **When:** ${when(incident.occurredAt)}`);
    out.push(`- **Said by:** ${mdLine(incident.saidBy)}`);
    const context = call ? ` (started ${when(call.startedAt)}, taken by ${mdLine(call.agent)})` : '';
    out.push(`- **Call:** ${mdLine(incident.callId)}${context}`);
    out.push(`- **Recorded by:** ${mdLine(incident.recordedBy)} at ${when(incident.recordedAt)}`);
    out.push('- **What was said:**', '', mdQuote(incident.whatWasSaid), '');
  }

  const flags = caller?.flags ?? [];
  out.push(`## Flags (${activeFlags(caller ?? undefined).length} active, ${flags.length} in all)`, '');
  if (flags.length === 0) out.push('None.', '');
  else {
    out.push('| Kind | Reason | Raised by | Raised at | Call | Cleared |', '| --- | --- | --- | --- | --- | --- |');
    for (const flag of flags) {
      const cleared =
        flag.clearedAt === undefined ? 'active' : `${when(flag.clearedAt)} by ${mdLine(flag.clearedBy ?? '')}`;
      const cells = [
        humanKind(flag.kind),
        mdLine(flag.reason),
        mdLine(flag.author),
        when(flag.createdAt),
        mdLine(flag.callId ?? ''),
        cleared,
      ];
      out.push(`| ${cells.join(' | ')} |`);
    }
    out.push('');
  }

  out.push('## Preferred form of address', '');
  const address = caller?.preferredAddress;
  out.push(
    address
      ? `${mdLine(address.text)} (set by ${mdLine(address.author)}, ${when(address.updatedAt)})`
      : 'Not recorded.',
    '',
  );

  const followUps = caller?.followUps ?? [];
  out.push(`## Follow-ups (${followUps.length})`, '');
  if (followUps.length === 0) out.push('None.', '');
  for (const followUp of [...followUps].sort((a, b) => a.due - b.due)) {
    out.push(
      `- [${followUp.done ? 'x' : ' '}] ${when(followUp.due)}, ${humanKind(followUp.kind)}: ${mdLine(followUp.text)} ` +
        `(call ${mdLine(followUp.callId)}, by ${mdLine(followUp.author)})`,
    );
  }
  if (followUps.length > 0) out.push('');

  out.push(`## Calls in the history (${calls.length})`, '');
  if (calls.length === 0) out.push('None (older calls are deleted after the retention period).', '');
  for (const call of calls) {
    out.push(`### ${when(call.startedAt)}, ${call.direction}, ${mdLine(call.name) || 'no name'}`, '');
    out.push(`- **Call:** ${mdLine(call.callId)}`);
    out.push(`- **Agent:** ${mdLine(call.agent)}`);
    out.push(`- **Duration:** ${duration(call)}`);
    if (call.note && call.note.text.trim() !== '') {
      out.push(
        `- **Note** (${mdLine(call.note.author)}, ${when(call.note.updatedAt)}):`,
        '',
        mdQuote(call.note.text),
        '',
      );
    } else {
      out.push('- **Note:** none', '');
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** Builds the Markdown and JSON export of one caller. */
export async function exportCallerRecord(number: string, sources: CallerExportSources): Promise<CallerExport> {
  const key = callerKey(number);
  if (key === undefined)
    throw new StorageError('invalid-input', 'An anonymous or invalid number has no record to export.');
  const [caller, calls] = await Promise.all([
    sources.directory.lookup(key),
    sources.history.callsFor(key, MAX_EXPORTED_CALLS),
  ]);
  const exportedAt = sources.clock.now();
  const data: CallerExportData = {
    format: 'calmline/caller-export',
    version: 1,
    exportedAt: new Date(exportedAt).toISOString(),
    exportedBy: sources.exportedBy,
    number: key,
    caller: caller ?? null,
    calls,
  };
  return {
    fileBaseName: `calmline-caller-export-${fileTimestamp(exportedAt)}-${randomBytes(3).toString('hex')}`,
    markdown: renderMarkdown(data, exportedAt),
    json: `${JSON.stringify(data, null, 2)}\n`,
    data,
  };
}

/** How an export file is encrypted: its own name is the authenticated context. */
export function exportFileCipher(dataKey: Uint8Array, fileName: string): FileCipher {
  return { key: dataKey, context: `calmline/caller-export ${fileName}` };
}

// Today's names and those of earlier versions (which held the number: retention deletes them too).
const EXPORT_FILE = /^calmline-caller-.*?(\d{8}T\d{9}Z)(?:-[0-9a-f]+)?\.(?:md|json)(?:\.enc)?$/;

/** When an export file was written, read from its name; undefined for any other file. */
export function exportFileTime(name: string): number | undefined {
  const match = EXPORT_FILE.exec(name)?.[1];
  if (!match) return undefined;
  const iso = `${match.slice(0, 4)}-${match.slice(4, 6)}-${match.slice(6, 8)}T${match.slice(9, 11)}:${match.slice(11, 13)}:${match.slice(13, 15)}.${match.slice(15, 18)}Z`;
  const at = Date.parse(iso);
  return Number.isNaN(at) ? undefined : at;
}

/**
 * Writes `<base>.md` and `<base>.json` into `dir` atomically (encrypted, as
 * `<base>.md.enc` and `<base>.json.enc`, when a data key is given); returns both paths.
 */
export async function writeCallerExport(
  fs: StorageFs,
  dir: string,
  exported: CallerExport,
  dataKey?: Uint8Array,
): Promise<{ markdownPath: string; jsonPath: string }> {
  await fs.mkdir(dir, PRIVATE_DIR_MODE);
  const suffix = dataKey ? '.enc' : '';
  const markdownName = `${exported.fileBaseName}.md${suffix}`;
  const jsonName = `${exported.fileBaseName}.json${suffix}`;
  const encode = (name: string, text: string): Uint8Array | string =>
    dataKey ? sealFile(exportFileCipher(dataKey, name), new TextEncoder().encode(text)) : text;
  const markdownPath = join(dir, markdownName);
  const jsonPath = join(dir, jsonName);
  await atomicWriteFile(fs, markdownPath, encode(markdownName, exported.markdown));
  await atomicWriteFile(fs, jsonPath, encode(jsonName, exported.json));
  return { markdownPath, jsonPath };
}
