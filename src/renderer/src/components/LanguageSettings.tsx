import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { CalmlineApi } from '../../../shared/api';
import { languageChoices } from '../../../shared/contract';
import { useCommand } from '../hooks/use-command';
import { useLanguageSetting } from '../hooks/use-language-setting';
import { usePolicyLocks } from '../hooks/use-policy-locks';
import { pickLanguage, type SupportedLanguage } from '../i18n';
import { nativeLanguageNames, systemLanguages, type LanguageChoice } from '../ui-language';
import { CommandErrorAlert } from './CommandErrorAlert';
import { LockedBadge } from './LockedBadge';

/** Props of {@link LanguageSettings}. */
export interface LanguageSettingsProps {
  api: Pick<CalmlineApi, 'getLanguage' | 'saveLanguage' | 'onLanguage' | 'getPolicyLocks'>;
}

const isLanguageChoice = (value: string): value is LanguageChoice =>
  (languageChoices as readonly string[]).includes(value);

/**
 * The language Calmline speaks: the system's, or one the agent picks. Each language
 * is named in its own language. Saving goes to main, which tells every window; the
 * app then switches (see useAppliedLanguage). A Save button rather than switching on
 * every change of the select, because arrow keys on a closed select change its value
 * and the whole screen would change language under the agent's fingers.
 */
export function LanguageSettings({ api }: LanguageSettingsProps) {
  const { t } = useTranslation();
  const headingId = useId();
  const selectId = useId();
  const hintId = useId();
  const saved = useLanguageSetting(api);
  // null: nothing picked yet, so the select shows what is saved.
  const [draft, setDraft] = useState<LanguageChoice | null>(null);
  const [justSaved, setJustSaved] = useState(false);
  const command = useCommand();
  const locked = usePolicyLocks(api).has('language');
  const lockedId = useId();

  if (saved.setting === null && saved.problem === null) {
    return (
      <p className="muted" role="status">
        {t('language.loading')}
      </p>
    );
  }

  const chosen = draft ?? saved.setting ?? 'auto';
  const system: SupportedLanguage = pickLanguage(systemLanguages());

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setJustSaved(false);
    command.run(async () => {
      const result = await api.saveLanguage({ language: chosen });
      if (result.ok) {
        setDraft(null);
        setJustSaved(true);
      }
      return result;
    });
  };

  return (
    <form className="language-form" aria-labelledby={headingId} onSubmit={submit} data-testid="language-settings">
      <h2 id={headingId} className="section-heading">
        {t('language.heading')}
      </h2>
      {saved.problem !== null && (
        <CommandErrorAlert
          code={saved.problem === 'invalid-update' ? 'internal' : saved.problem}
          lead={t('language.loadFailed')}
        />
      )}
      <div className="field">
        <label className="field-label" htmlFor={selectId}>
          {t('language.label')}
        </label>
        {locked && <LockedBadge id={lockedId} />}
        <p className="field-hint" id={hintId}>
          {t('language.hint')}
        </p>
        <select
          id={selectId}
          name="language"
          className="field-input"
          aria-describedby={locked ? `${lockedId} ${hintId}` : hintId}
          disabled={locked}
          value={chosen}
          onChange={(event) => {
            if (isLanguageChoice(event.target.value)) setDraft(event.target.value);
            setJustSaved(false);
          }}
        >
          <option value="auto">{t('language.system', { language: nativeLanguageNames[system] })}</option>
          {/* lang lets a screen reader say "Deutsch" with a German voice, whatever the UI language. */}
          {(Object.keys(nativeLanguageNames) as SupportedLanguage[]).map((language) => (
            <option key={language} value={language} lang={language}>
              {nativeLanguageNames[language]}
            </option>
          ))}
        </select>
      </div>
      <div className="form-actions">
        <button
          type="submit"
          className="button button-primary"
          disabled={locked}
          aria-disabled={command.pending || undefined}
        >
          {t('language.save')}
        </button>
        {/* Said in the new language: the app has switched by the time it renders. */}
        <p className="form-status" role="status" data-testid="language-save-status">
          {justSaved ? t('language.saved') : ''}
        </p>
      </div>
      {command.error !== null && <CommandErrorAlert code={command.error} lead={t('language.notSaved')} />}
    </form>
  );
}
