import { useErrorText } from '../hooks/use-error-text';

/** Props of {@link CommandErrorAlert}. */
export interface CommandErrorAlertProps {
  /** The refused command's error code. */
  code: string;
  /** A sentence to say before the reason, e.g. "The settings were not saved." */
  lead?: string;
}

/** A refused command, said once to screen readers (role="alert") and shown in place. */
export function CommandErrorAlert({ code, lead }: CommandErrorAlertProps) {
  const errorText = useErrorText();
  return (
    <p role="alert" className="alert" data-error-code={code}>
      {lead ? `${lead} ${errorText(code)}` : errorText(code)}
    </p>
  );
}
