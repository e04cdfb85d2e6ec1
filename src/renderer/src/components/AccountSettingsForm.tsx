import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { CalmlineApi } from '../../../shared/api';
import { MAX_DISPLAY_NAME_LENGTH, type AccountView } from '../../../shared/contract';
import type { CommandErrorCode } from '../../../shared/result';
import {
  accountFields,
  checkAccountForm,
  type AccountField,
  type AccountFormValues,
  type FieldProblem,
} from '../account-form';
import { usePolicyLocks } from '../hooks/use-policy-locks';
import { CommandErrorAlert } from './CommandErrorAlert';
import { TextField } from './TextField';

/** Props of {@link AccountSettingsForm}. */
export interface AccountSettingsFormProps {
  api: Pick<CalmlineApi, 'getAccount' | 'saveAccount' | 'getPolicyLocks'>;
  /** Called with what main stored, after a successful save. */
  onSaved?: (account: AccountView) => void;
  /** Shows a close button when given. */
  onClose?: () => void;
}

type Loaded = { account: AccountView | null; loadError: CommandErrorCode | null };

/**
 * The SIP account settings. Loads the saved account (never its password), checks
 * the input with the contract's schema before sending it, and shows what main said.
 */
export function AccountSettingsForm(props: AccountSettingsFormProps) {
  const { t } = useTranslation();
  const { api } = props;
  const [loaded, setLoaded] = useState<Loaded | null>(null);

  useEffect(() => {
    let current = true;
    api.getAccount().then(
      (result) => {
        if (!current) return;
        setLoaded(
          result.ok ? { account: result.value, loadError: null } : { account: null, loadError: result.error.code },
        );
      },
      () => {
        if (current) setLoaded({ account: null, loadError: 'internal' });
      },
    );
    return () => {
      current = false;
    };
  }, [api]);

  if (loaded === null) {
    return (
      <p className="muted" role="status">
        {t('account.loading')}
      </p>
    );
  }
  return <AccountForm {...props} initial={loaded.account} loadError={loaded.loadError} />;
}

type SaveState =
  { status: 'idle' } | { status: 'saving' } | { status: 'saved' } | { status: 'refused'; code: CommandErrorCode };

interface AccountFormProps extends AccountSettingsFormProps {
  initial: AccountView | null;
  loadError: CommandErrorCode | null;
}

function AccountForm({ api, onSaved, onClose, initial, loadError }: AccountFormProps) {
  const { t } = useTranslation();
  const headingId = useId();
  const [values, setValues] = useState<AccountFormValues>({
    wsUrl: initial?.wsUrl ?? '',
    sipUri: initial?.sipUri ?? '',
    displayName: initial?.displayName ?? '',
    password: '',
    noPassword: false,
  });
  const [hasPassword, setHasPassword] = useState(initial?.hasPassword ?? false);
  // Problems are shown from the first submit on, then follow every keystroke.
  const [submitted, setSubmitted] = useState(false);
  const [save, setSave] = useState<SaveState>({ status: 'idle' });
  const inputs = useRef<Partial<Record<AccountField, HTMLInputElement | null>>>({});
  const locks = usePolicyLocks(api);

  const check = checkAccountForm(values);
  const problems = submitted && !check.ok ? check.problems : {};

  const update = (change: Partial<AccountFormValues>) => {
    setValues((previous) => ({ ...previous, ...change }));
    if (save.status !== 'saving') setSave({ status: 'idle' });
  };

  const problemText = (problem: FieldProblem | undefined): string | undefined => {
    switch (problem?.kind) {
      case undefined:
        return undefined;
      case 'ws-url':
        return t('account.invalid.wsUrl');
      case 'sip-uri':
        return t('account.invalid.sipUri');
      case 'too-long':
        return t('account.invalid.tooLong', { max: problem.max });
      case 'invalid':
        return t('account.invalid.generic');
    }
  };

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (save.status === 'saving') return;
    setSubmitted(true);
    if (!check.ok) {
      const first = accountFields.find((field) => check.problems[field]);
      if (first) inputs.current[first]?.focus();
      return;
    }
    setSave({ status: 'saving' });
    api.saveAccount(check.input).then(
      (result) => {
        if (!result.ok) {
          setSave({ status: 'refused', code: result.error.code });
          return;
        }
        setSave({ status: 'saved' });
        setHasPassword(result.value.hasPassword);
        setValues((previous) => ({ ...previous, password: '', noPassword: false }));
        onSaved?.(result.value);
      },
      () => setSave({ status: 'refused', code: 'internal' }),
    );
  };

  return (
    <form className="account-form" noValidate aria-labelledby={headingId} onSubmit={submit}>
      <h2 id={headingId} className="section-heading">
        {t('account.heading')}
      </h2>
      {loadError !== null && <CommandErrorAlert code={loadError} lead={t('account.loadFailed')} />}
      <TextField
        label={t('account.wsUrl')}
        hint={t('account.wsUrlHint')}
        name="wsUrl"
        inputMode="url"
        dir="ltr"
        autoComplete="off"
        value={values.wsUrl}
        locked={locks.has('account.wsUrl')}
        onChange={(wsUrl) => update({ wsUrl })}
        error={problemText(problems.wsUrl)}
        inputRef={(element) => {
          inputs.current.wsUrl = element;
        }}
      />
      <TextField
        label={t('account.sipUri')}
        hint={t('account.sipUriHint')}
        name="sipUri"
        inputMode="url"
        dir="ltr"
        autoComplete="off"
        value={values.sipUri}
        locked={locks.has('account.sipUriTemplate')}
        onChange={(sipUri) => update({ sipUri })}
        error={problemText(problems.sipUri)}
        inputRef={(element) => {
          inputs.current.sipUri = element;
        }}
      />
      <TextField
        label={t('account.displayName')}
        name="displayName"
        dir="auto"
        autoComplete="off"
        maxLength={MAX_DISPLAY_NAME_LENGTH}
        value={values.displayName}
        locked={locks.has('account.displayNameTemplate')}
        onChange={(displayName) => update({ displayName })}
        error={problemText(problems.displayName)}
        inputRef={(element) => {
          inputs.current.displayName = element;
        }}
      />
      <TextField
        label={t('account.password')}
        type="password"
        name="password"
        autoComplete="off"
        placeholder={hasPassword ? t('account.passwordUnchanged') : undefined}
        hint={hasPassword ? t('account.passwordKeepHint') : undefined}
        disabled={values.noPassword}
        value={values.noPassword ? '' : values.password}
        onChange={(password) => update({ password })}
        error={problemText(problems.password)}
        inputRef={(element) => {
          inputs.current.password = element;
        }}
      />
      <NoPasswordBox
        label={t('account.noPassword')}
        checked={values.noPassword}
        onChange={(noPassword) => update({ noPassword })}
      />
      <div className="form-actions">
        <button type="submit" className="button button-primary">
          {save.status === 'saving' ? t('account.saving') : t('account.save')}
        </button>
        {onClose && (
          <button type="button" className="button button-quiet" onClick={onClose}>
            {t('app.closeSettings')}
          </button>
        )}
        <p className="form-status" role="status" data-testid="account-save-status">
          {save.status === 'saved' ? t('account.saved') : ''}
        </p>
      </div>
      {save.status === 'refused' && <CommandErrorAlert code={save.code} lead={t('account.refused')} />}
    </form>
  );
}

function NoPasswordBox(props: { label: string; checked: boolean; onChange(value: boolean): void }) {
  const id = useId();
  return (
    <div className="field field-checkbox">
      <input
        id={id}
        type="checkbox"
        name="noPassword"
        checked={props.checked}
        onChange={(event) => props.onChange(event.target.checked)}
      />
      <label htmlFor={id}>{props.label}</label>
    </div>
  );
}
