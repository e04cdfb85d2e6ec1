import { useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { CalmlineApi } from '../../../shared/api';
import { dialTargetSchema } from '../../../shared/contract';
import { useCommand } from '../hooks/use-command';
import { CommandErrorAlert } from './CommandErrorAlert';
import { TextField } from './TextField';

/** Props of {@link DialForm}. */
export interface DialFormProps {
  api: Pick<CalmlineApi, 'dial'>;
}

/**
 * "New call": a number or SIP address, checked with the contract's own schema
 * before it is sent, so the agent hears about a typo at once.
 */
export function DialForm({ api }: DialFormProps) {
  const { t } = useTranslation();
  const command = useCommand();
  const [target, setTarget] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const input = useRef<HTMLInputElement | null>(null);
  const parsed = dialTargetSchema.safeParse(target);
  const error = submitted && !parsed.success ? t('dial.invalid') : undefined;

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSubmitted(true);
    if (!parsed.success) {
      input.current?.focus();
      return;
    }
    const dialled = parsed.data;
    command.run(async () => {
      const result = await api.dial(dialled);
      if (result.ok) {
        setTarget('');
        setSubmitted(false);
      }
      return result;
    });
  };

  return (
    <form className="dial-form" noValidate onSubmit={submit} data-testid="dial-form">
      <div className="dial-row">
        <TextField
          label={t('dial.label')}
          hint={t('dial.hint')}
          name="dialTarget"
          inputMode="tel"
          dir="ltr"
          autoComplete="off"
          value={target}
          onChange={setTarget}
          error={error}
          inputRef={(element) => {
            input.current = element;
          }}
        />
        <button type="submit" className="button button-primary" aria-disabled={command.pending || undefined}>
          {command.pending ? t('dial.calling') : t('dial.call')}
        </button>
      </div>
      {command.error !== null && <CommandErrorAlert code={command.error} lead={t('dial.failed')} />}
    </form>
  );
}
