import { useTranslation } from 'react-i18next';
import { GREETING_PROMPT_MS } from '../call-controls';
import { useNow } from '../hooks/use-now';

/** Props of {@link GreetingPrompt}. */
export interface GreetingPromptProps {
  /** When the agent answered, in main's milliseconds since the epoch. */
  answeredAt: number;
  /** The greeting IT configured, already in the agent's language; else the built-in line. */
  text?: string | undefined;
}

/**
 * The opening line to say (rule P2 of docs/practice.md), shown for the first
 * GREETING_PROMPT_MS after the agent answers, then out of the way.
 */
export function GreetingPrompt({ answeredAt, text }: GreetingPromptProps) {
  const { t } = useTranslation();
  const now = useNow();
  if (now - answeredAt >= GREETING_PROMPT_MS) return null;
  return (
    <p className="call-prompt" data-testid="greeting-prompt" dir="auto">
      {text ?? t('calls.greeting')}
    </p>
  );
}
