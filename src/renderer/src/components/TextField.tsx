import { useId, type Ref } from 'react';
import { LockedBadge } from './LockedBadge';

/** Props of {@link TextField}. */
export interface TextFieldProps {
  label: string;
  value: string;
  onChange(value: string): void;
  /** Shown under the label and read with the field. */
  hint?: string;
  /** Shown under the field; marks it invalid for assistive technology too. */
  error?: string;
  type?: 'text' | 'password';
  name?: string;
  placeholder?: string;
  autoComplete?: string;
  inputMode?: 'text' | 'url' | 'tel';
  /** `ltr` for addresses, which read left to right in every language. */
  dir?: 'ltr' | 'auto';
  maxLength?: number;
  disabled?: boolean;
  inputRef?: Ref<HTMLInputElement>;
  /** IT's policy locks this setting: the field is disabled and says "Set by your organisation". */
  locked?: boolean;
}

/** A labelled input whose hint and error are linked with aria-describedby. */
export function TextField({
  label,
  value,
  onChange,
  hint,
  error,
  type = 'text',
  inputRef,
  locked = false,
  ...inputProps
}: TextFieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const lockedId = `${id}-locked`;
  const describedBy = [locked ? lockedId : null, hint ? hintId : null, error ? errorId : null]
    .filter(Boolean)
    .join(' ');

  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      {locked && <LockedBadge id={lockedId} />}
      {hint && (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      )}
      <input
        {...inputProps}
        disabled={inputProps.disabled === true || locked}
        ref={inputRef}
        id={id}
        type={type}
        className="field-input"
        value={value}
        onChange={(event) => onChange(event.target.value)}
        spellCheck={false}
        autoCapitalize="off"
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy || undefined}
      />
      {error && (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}
