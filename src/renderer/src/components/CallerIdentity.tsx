import type { CallerDisplay } from '../caller-display';

/** Props of {@link CallerIdentity}. */
export interface CallerIdentityProps {
  /** The prepared name and number (see `callerDisplay`). */
  display: CallerDisplay;
  /** What to show when the peer sent neither a name nor a number. */
  unknownLabel: string;
}

/**
 * The caller's name, large, and the number under it. Both are plain React text in
 * their own bidi-isolated, direction-detecting elements, so a right-to-left or
 * hostile name can neither run markup nor reorder the words around it.
 */
export function CallerIdentity({ display, unknownLabel }: CallerIdentityProps) {
  return (
    <div className="caller">
      <h3 className="caller-name" dir="auto" title={display.primary || undefined}>
        {display.primary || unknownLabel}
      </h3>
      {display.secondary !== '' && (
        <p className="caller-number" dir="auto">
          {display.secondary}
        </p>
      )}
    </div>
  );
}
