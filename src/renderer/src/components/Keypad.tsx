import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CalmlineApi } from '../../../shared/api';
import type { CommandErrorCode } from '../../../shared/result';
import { KEYPAD_TONES } from '../call-controls';
import { CommandErrorAlert } from './CommandErrorAlert';

// The last digits sent, shown so the agent can check them against what the
// caller's menu asked for.
const MAX_SHOWN_TONES = 24;

/** Props of {@link Keypad}. */
export interface KeypadProps {
  id: string;
  callId: string;
  caller: string;
  api: Pick<CalmlineApi, 'sendDtmf'>;
}

/**
 * DTMF keys for one call. Digits go out one after another in the order pressed,
 * even when the agent types faster than the phone system answers.
 */
export function Keypad({ id, callId, caller, api }: KeypadProps) {
  const { t } = useTranslation();
  const [sent, setSent] = useState('');
  const [error, setError] = useState<CommandErrorCode | null>(null);
  const queue = useRef<Promise<void>>(Promise.resolve());

  const press = (tone: string) => {
    queue.current = queue.current.then(async () => {
      const result = await api.sendDtmf(callId, tone).catch(() => null);
      if (result?.ok) {
        setError(null);
        setSent((previous) => (previous + tone).slice(-MAX_SHOWN_TONES));
      } else {
        setError(result ? result.error.code : 'internal');
      }
    });
  };

  const toneLabel = (tone: string) =>
    tone === '*' ? t('calls.keypadStar') : tone === '#' ? t('calls.keypadHash') : undefined;

  return (
    <div className="keypad" id={id} data-testid="keypad">
      <div
        className="keypad-keys"
        role="group"
        aria-label={t('calls.keypadGroup', { caller })}
        // A phone's keypad reads 1 2 3 from the left in every language.
        dir="ltr"
      >
        {KEYPAD_TONES.map((tone) => (
          <button
            key={tone}
            type="button"
            className="button button-key"
            aria-label={toneLabel(tone)}
            onClick={() => press(tone)}
          >
            {tone}
          </button>
        ))}
      </div>
      <p className="keypad-sent" dir="ltr" data-testid="keypad-sent">
        {sent === '' ? '' : t('calls.tonesSent', { tones: sent })}
      </p>
      {error !== null && <CommandErrorAlert code={error} />}
    </div>
  );
}
