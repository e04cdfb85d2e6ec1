import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { commandErrorCodes, type CommandErrorCode } from '../../../shared/result';

function isKnownCode(code: string): code is CommandErrorCode {
  return (commandErrorCodes as readonly string[]).includes(code);
}

/**
 * Returns a function that turns a command's error code into a sentence for the
 * agent. Codes this build does not know (a newer main) get the generic sentence.
 */
export function useErrorText(): (code: string) => string {
  const { t } = useTranslation();
  return useCallback((code: string) => (isKnownCode(code) ? t(`errors.${code}`) : t('errors.generic')), [t]);
}
