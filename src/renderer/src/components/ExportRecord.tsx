import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CalmlineApi } from '../../../shared/api';
import type { CommandResponse } from '../../../shared/contract';
import { useCommand } from '../hooks/use-command';
import { CommandErrorAlert } from './CommandErrorAlert';

/** Props of {@link ExportRecord}. */
export interface ExportRecordProps {
  number: string;
  caller: string;
  api: Pick<CalmlineApi, 'exportCallerRecord'>;
  /** Puts text on the clipboard; the browser's clipboard by default. */
  copyText?: (text: string) => Promise<void>;
}

type Written = CommandResponse<'callers:export-record'>;

/** What the status line says; a key, so it follows a change of language. */
type Status = 'exporting' | 'done' | 'copied' | 'copyFailed';

const hostFailed = { ok: false as const, error: { code: 'internal' as const, message: 'the host failed' } };

function browserCopy(text: string): Promise<void> {
  // Absent outside a secure context; the agent can still select the path by hand.
  if (!navigator.clipboard) return Promise.reject(new Error('no clipboard'));
  return navigator.clipboard.writeText(text);
}

/**
 * "Export record" (D5 in docs/practice.md): main writes the caller's record (flags, incidents,
 * follow-ups, calls and notes) as Markdown and JSON for a report, and the card says
 * where, as selectable text with a Copy button each, so the agent can attach the
 * files to the report or hand the paths to the legal team.
 */
export function ExportRecord({ number, caller, api, copyText = browserCopy }: ExportRecordProps) {
  const { t } = useTranslation();
  const command = useCommand();
  const [written, setWritten] = useState<Written | null>(null);
  const [status, setStatus] = useState<Status | null>(null);

  const exportRecord = () =>
    command.run(async () => {
      setStatus('exporting');
      const result = await api.exportCallerRecord(number).catch(() => hostFailed);
      // On failure, paths from an earlier export could be mistaken for this one's.
      setWritten(result.ok ? result.value : null);
      setStatus(result.ok ? 'done' : null);
      return result;
    });

  const copy = (path: string) => {
    copyText(path).then(
      () => setStatus('copied'),
      () => setStatus('copyFailed'),
    );
  };

  const files = written
    ? ([
        ['markdown', 'Markdown', written.markdownPath],
        ['json', 'JSON', written.jsonPath],
      ] as const)
    : [];

  return (
    <div className="card-block export-record">
      <button
        type="button"
        className="button button-secondary button-small"
        aria-label={t('exportRecord.actionLabel', { caller })}
        aria-disabled={command.pending || undefined}
        onClick={exportRecord}
      >
        {t('exportRecord.action')}
      </button>
      {written && (
        <div className="export-result" data-testid="export-result">
          <p>{t('exportRecord.written')}</p>
          <dl className="export-files">
            {files.map(([key, format, path]) => (
              <div key={key} className="export-file" data-testid={`export-${key}`}>
                <dt>{t(`exportRecord.${key}`)}</dt>
                <dd>
                  {/* A path reads left to right in every language. */}
                  <code className="file-name export-path" dir="ltr" data-testid="export-path">
                    {path}
                  </code>
                  <button
                    type="button"
                    className="button button-quiet button-small"
                    aria-label={t('exportRecord.copyLabel', { format })}
                    onClick={() => copy(path)}
                  >
                    {t('exportRecord.copy')}
                  </button>
                </dd>
              </div>
            ))}
          </dl>
        </div>
      )}
      <p className={status === 'copyFailed' ? 'field-error' : 'form-status'} role="status" data-testid="export-status">
        {status ? t(`exportRecord.${status}`) : ''}
      </p>
      {command.error !== null && <CommandErrorAlert code={command.error} lead={t('exportRecord.failed')} />}
    </div>
  );
}
