/** Types every `t()` key against the English strings, so a typo fails the build. */
import 'i18next';
import type { Messages } from './en';

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: Messages };
  }
}
