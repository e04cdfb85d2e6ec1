/**
 * Everything the agent writes, opened together from one data folder: the call
 * history with notes (`history/`), the caller directory (`callers/`), the notes
 * autosaver and the retention sweep. This is what a host creates at start and
 * closes (flushing notes) at quit; the IPC handlers call into it.
 *
 * Settings are not here: the host opens them first (`openConfSettingsStore`, or
 * electron-store after `prepareJsonStoreFile`) because the retention period and the
 * agent's name come from them.
 */
import { join } from 'node:path';
import type { Clock } from '../clock';
import type { CoreLogger } from '../logger';
import { exportCallerRecord, writeCallerExport, type CallerExport } from './callers/caller-export';
import type { DataKeyProvider } from './files/data-key';
import { FileCallHistory } from './history/file-call-history';
import { LocalCallerDirectory } from './callers/local-caller-directory';
import { NotesAutosaver, type FlushResult } from './history/notes-autosaver';
import { scheduleRetention, type RetentionPeriods, type RetentionSchedule } from './retention';
import { nodeStorageFs, type StorageFs } from './files/storage-fs';
import type { StorageNotice } from './files/storage-notice';

/** What `openAgentData` needs. */
export interface AgentDataOptions {
  /** The data folder (Electron: `userData`; web host: `--data-dir`). */
  dir: string;
  clock: Clock;
  logger: CoreLogger;
  fs?: StorageFs;
  /** The agent's name, written as author of notes and exports. */
  agentName: () => string;
  /** Retention period in days; undefined keeps all history. */
  retentionDays: () => number | undefined;
  /**
   * Encrypts everything written about callers at rest with the key it supplies: notes,
   * call records, the caller directory and exports. Off (clear text) without.
   */
  dataKeys?: DataKeyProvider;
  /** The export folder, swept by retention (the handler writes exports there). */
  exportDir?: string;
  /** The directory's, incidents' and exports' retention periods, read at each sweep. */
  periods?: () => RetentionPeriods;
}

/** The opened stores. */
export interface AgentData {
  readonly history: FileCallHistory;
  readonly directory: LocalCallerDirectory;
  readonly notes: NotesAutosaver;
  readonly retention: RetentionSchedule;
  /** Unreadable files found so far (at open, and as older history loads). */
  notices(): StorageNotice[];
  /** Called for notices found after opening; returns the unsubscribe function. */
  onNotice(listener: (notice: StorageNotice) => void): () => void;
  exportCaller(number: string): Promise<CallerExport>;
  /** Renders the caller's record and writes it into `dir` (encrypted when the data is). */
  writeExport(number: string, dir: string): Promise<{ markdownPath: string; jsonPath: string }>;
  /** True when what is written about callers is encrypted at rest. */
  readonly encrypted: boolean;
  /** Saves every unsaved note, stops the timers and the history's index worker (window close, app quit). */
  close(): Promise<FlushResult>;
}

/** Opens the history and the directory, starts loading older history in the background. */
export async function openAgentData(options: AgentDataOptions): Promise<AgentData> {
  const { clock, logger } = options;
  const fs = options.fs ?? nodeStorageFs;
  // One key for all of it; asked for once, before the stores open.
  const dataKey = options.dataKeys ? await options.dataKeys.dataKey() : undefined;
  const [history, directory] = await Promise.all([
    FileCallHistory.open({
      dir: join(options.dir, 'history'),
      clock,
      logger,
      fs,
      ...(options.dataKeys ? { dataKeys: options.dataKeys } : {}),
    }),
    LocalCallerDirectory.open({
      dir: join(options.dir, 'callers'),
      clock,
      logger,
      fs,
      ...(options.dataKeys ? { dataKeys: options.dataKeys } : {}),
    }),
  ]);
  // Search and a caller's past calls wait for this; note saves for today's calls do not.
  void history.warmUp().catch((error: unknown) => logger.error(`Loading the call history failed: ${String(error)}`));
  const notes = new NotesAutosaver({ history, clock, logger, author: options.agentName });
  const retention = scheduleRetention({
    history,
    clock,
    logger,
    days: options.retentionDays,
    directory,
    ...(options.exportDir ? { exports: { fs, dir: options.exportDir } } : {}),
    ...(options.periods ? { periods: options.periods } : {}),
  });
  const exportCaller = (number: string) =>
    exportCallerRecord(number, { directory, history, clock, exportedBy: options.agentName() });
  return {
    history,
    directory,
    notes,
    retention,
    notices: () => [...directory.notices(), ...history.notices()],
    onNotice: (listener) => history.onNotice(listener),
    exportCaller,
    writeExport: async (number, dir) => writeCallerExport(fs, dir, await exportCaller(number), dataKey),
    encrypted: dataKey !== undefined,
    close: async () => {
      retention.stop();
      const result = await notes.flush();
      notes.dispose();
      await history.close();
      return result;
    },
  };
}
