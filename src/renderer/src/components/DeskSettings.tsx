import { useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { CalmlineApi } from '../../../shared/api';
import {
  checkAccelerator,
  deskStatusSchema,
  sameAccelerator,
  type DeskSettings as DeskSettingsValue,
  type DeskStatus,
} from '../../../shared/desk';
import type { CommandErrorCode } from '../../../shared/result';
import { CommandErrorAlert } from './CommandErrorAlert';

/** Props of {@link DeskSettings}. */
export interface DeskSettingsProps {
  api: Pick<CalmlineApi, 'getDeskSettings' | 'saveDeskSettings' | 'getDeskStatus' | 'onDeskStatus'>;
}

type Toggle = 'closeToTray' | 'startAtLogin' | 'startMinimised' | 'bringToFrontOnRing';
const TOGGLES = [
  ['closeToTray', 'desk.settings.closeToTray'],
  ['startAtLogin', 'desk.settings.startAtLogin'],
  ['startMinimised', 'desk.settings.startMinimised'],
  ['bringToFrontOnRing', 'desk.settings.bringToFront'],
] as const satisfies readonly (readonly [Toggle, string])[];

/**
 * The desk settings (docs/desk.md#tray, docs/desk.md#shortcuts): close to tray, start
 * at login and minimised, bring the window forward on ring, and the two global
 * shortcuts, with what the host could register of them.
 */
export function DeskSettings({ api }: DeskSettingsProps) {
  const { t } = useTranslation();
  const headingId = useId();
  const [draft, setDraft] = useState<DeskSettingsValue | null>(null);
  const [deskStatus, setDeskStatus] = useState<DeskStatus | null>(null);
  const [status, setStatus] = useState<'idle' | 'saving' | 'saved'>('idle');
  const [error, setError] = useState<CommandErrorCode | null>(null);

  useEffect(() => {
    let live = true;
    void api.getDeskSettings().then((result) => {
      if (!live) return;
      if (result.ok) setDraft(result.value);
      else setError(result.error.code);
    });
    void api.getDeskStatus().then((result) => live && result.ok && setDeskStatus(result.value));
    const off = api.onDeskStatus((value) => {
      const parsed = deskStatusSchema.safeParse(value);
      if (parsed.success) setDeskStatus(parsed.data);
    });
    return () => {
      live = false;
      off();
    };
  }, [api]);

  if (!draft) return error ? <CommandErrorAlert code={error} /> : null;

  const shortcutProblem = (which: 'answer' | 'hangUp'): string | undefined => {
    const value = draft.shortcuts[which].trim();
    if (value !== '' && !checkAccelerator(value).ok) return t('desk.settings.invalidShortcut');
    if (which === 'hangUp' && sameAccelerator(draft.shortcuts.answer, value)) return t('desk.settings.sameShortcut');
    return undefined;
  };
  const problems = { answer: shortcutProblem('answer'), hangUp: shortcutProblem('hangUp') };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (problems.answer || problems.hangUp) return;
    setStatus('saving');
    setError(null);
    // The headset is chosen in its own section: keep whatever is saved for it.
    void api
      .getDeskSettings()
      .then((current) => (current.ok ? api.saveDeskSettings({ ...draft, headset: current.value.headset }) : current))
      .then(
        (result) => {
          if (result.ok) {
            setDraft(result.value);
            setStatus('saved');
          } else {
            setError(result.error.code);
            setStatus('idle');
          }
        },
        () => {
          setError('internal');
          setStatus('idle');
        },
      );
  };

  const change = (next: DeskSettingsValue) => {
    setDraft(next);
    setStatus('idle');
  };

  return (
    <form className="desk-form" aria-labelledby={headingId} onSubmit={submit} data-testid="desk-settings" noValidate>
      <h2 id={headingId} className="section-heading">
        {t('desk.settings.heading')}
      </h2>
      {deskStatus && !deskStatus.native && <p className="field-hint">{t('desk.settings.webHost')}</p>}
      {TOGGLES.map(([key, label]) => (
        <div key={key} className="field field-checkbox">
          <input
            id={`${headingId}-${key}`}
            type="checkbox"
            name={key}
            checked={draft[key]}
            onChange={(event) => change({ ...draft, [key]: event.target.checked })}
          />
          <label htmlFor={`${headingId}-${key}`}>{t(label)}</label>
        </div>
      ))}
      {(['answer', 'hangUp'] as const).map((which) => {
        const refused = deskStatus?.shortcuts.find((entry) => entry.action === which && entry.refused !== null);
        const inputId = `${headingId}-${which}`;
        const problem = problems[which];
        return (
          <div key={which} className="field">
            <label className="field-label" htmlFor={inputId}>
              {t(which === 'answer' ? 'desk.settings.shortcutAnswer' : 'desk.settings.shortcutHangUp')}
            </label>
            <input
              id={inputId}
              name={`shortcut-${which}`}
              className="field-input"
              dir="ltr"
              autoComplete="off"
              spellCheck={false}
              value={draft.shortcuts[which]}
              aria-invalid={problem ? true : undefined}
              aria-describedby={`${inputId}-hint`}
              onChange={(event) => change({ ...draft, shortcuts: { ...draft.shortcuts, [which]: event.target.value } })}
            />
            <p id={`${inputId}-hint`} className={problem ? 'field-error' : 'field-hint'}>
              {problem ??
                (refused?.refused
                  ? t(`desk.settings.shortcutRefused.${refused.refused}`, { key: refused.accelerator })
                  : t('desk.settings.shortcutHint'))}
            </p>
          </div>
        );
      })}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={status === 'saving'}>
          {t('desk.settings.save')}
        </button>
        <p className="form-status" role="status">
          {status === 'saved' ? t('desk.settings.saved') : ''}
        </p>
      </div>
      {error !== null && <CommandErrorAlert code={error} />}
    </form>
  );
}
