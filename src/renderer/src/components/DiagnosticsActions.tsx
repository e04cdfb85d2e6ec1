import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CalmlineApi } from '../../../shared/api';
import { useCommand } from '../hooks/use-command';
import { CommandErrorAlert } from './CommandErrorAlert';

/** Props of {@link DiagnosticsActions}. */
export interface DiagnosticsActionsProps {
  api: Pick<CalmlineApi, 'getDiagnostics' | 'saveDiagnostics'>;
}

type Done = { kind: 'copied' } | { kind: 'copy-failed' } | { kind: 'saved'; path: string } | null;

/**
 * For the IT helpdesk: "Copy diagnostics" puts the bundle main built (version, OS,
 * registration, recent errors, policy in force, never a secret) on the clipboard,
 * and "Save diagnostics file" writes it where IT can collect it.
 */
export function DiagnosticsActions({ api }: DiagnosticsActionsProps) {
  const { t } = useTranslation();
  const headingId = useId();
  const command = useCommand();
  const [done, setDone] = useState<Done>(null);

  const copy = () => {
    setDone(null);
    command.run(async () => {
      const result = await api.getDiagnostics();
      if (result.ok) {
        try {
          await navigator.clipboard.writeText(result.value.text);
          setDone({ kind: 'copied' });
        } catch {
          setDone({ kind: 'copy-failed' });
        }
      }
      return result;
    });
  };
  const save = () => {
    setDone(null);
    command.run(async () => {
      const result = await api.saveDiagnostics();
      if (result.ok) setDone({ kind: 'saved', path: result.value.path });
      return result;
    });
  };

  return (
    <section className="diagnostics-actions" aria-labelledby={headingId} data-testid="diagnostics-actions">
      <h2 id={headingId} className="section-heading">
        {t('diagnostics.heading')}
      </h2>
      <p className="field-hint">{t('diagnostics.hint')}</p>
      <div className="form-actions">
        <button type="button" className="button" onClick={copy} aria-disabled={command.pending || undefined}>
          {t('diagnostics.copy')}
        </button>
        <button type="button" className="button" onClick={save} aria-disabled={command.pending || undefined}>
          {t('diagnostics.save')}
        </button>
        <p className="form-status" role="status" data-testid="diagnostics-status">
          {done?.kind === 'copied' && t('diagnostics.copied')}
          {done?.kind === 'copy-failed' && t('diagnostics.copyFailed')}
          {done?.kind === 'saved' && (
            <>
              {t('diagnostics.saved')} <code dir="ltr">{done.path}</code>
            </>
          )}
        </p>
      </div>
      {command.error !== null && <CommandErrorAlert code={command.error} lead={t('diagnostics.failed')} />}
    </section>
  );
}
