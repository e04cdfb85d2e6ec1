import { useCallback, useRef, useState } from 'react';
import type { CommandErrorCode, Result } from '../../../shared/result';

/** The state of one button's command to main, for showing its failure. */
export interface CommandRunner {
  /** True while a command runs; further `run` calls are ignored meanwhile. */
  pending: boolean;
  /** The code of the last failure, cleared when the next command starts. */
  error: CommandErrorCode | null;
  /** Sends the command unless one is already running. */
  run(command: () => Promise<Result<unknown>>): void;
}

/**
 * Runs commands one at a time and remembers the last refusal. A double click on
 * Answer therefore sends one command, not two; a rejected promise (a host that
 * broke mid-call) is shown like an internal error instead of being lost.
 */
export function useCommand(): CommandRunner {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<CommandErrorCode | null>(null);
  const running = useRef(false);

  const run = useCallback((command: () => Promise<Result<unknown>>) => {
    if (running.current) return;
    running.current = true;
    setPending(true);
    setError(null);
    const finish = (code: CommandErrorCode | null) => {
      running.current = false;
      setPending(false);
      setError(code);
    };
    command().then(
      (result) => finish(result.ok ? null : result.error.code),
      () => finish('internal'),
    );
  }, []);

  return { pending, error, run };
}
