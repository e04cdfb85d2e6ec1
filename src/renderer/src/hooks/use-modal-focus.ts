import { useEffect, useEffectEvent, type RefObject } from 'react';

const FOCUSABLE = [
  'button:not([disabled])',
  'input:not([disabled]):not([type="hidden"])',
  'select:not([disabled])',
  'textarea:not([disabled])',
  'a[href]',
  '[tabindex]:not([tabindex="-1"])',
].join(', ');

/** The elements Tab stops at inside `root`, in order (one per radio group). */
export function tabStops(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((element) => {
    if (!(element instanceof HTMLInputElement) || element.type !== 'radio' || element.checked) {
      return true;
    }
    // An unchecked radio is a tab stop only when its group has no checked one.
    const radios = root.querySelectorAll<HTMLInputElement>('input[type="radio"]');
    return ![...radios].some((radio) => radio.name === element.name && radio.checked);
  });
}

/** Options of {@link useModalFocus}. */
export interface ModalFocusOptions {
  /** Where focus goes when the dialog opens; the dialog itself when null. */
  initialFocus(): HTMLElement | null;
  /** Where focus goes back when it closes (the button that opened it). */
  restoreFocus(): HTMLElement | null;
  /** Escape pressed inside the dialog. */
  onEscape(): void;
}

/**
 * Makes `dialogRef` behave as a modal: everything else in the page is inert
 * while it is open, Tab and Shift+Tab cycle inside it, focus that escapes anyway
 * is brought back, Escape calls `onEscape`, and on close focus returns to
 * `restoreFocus()` (or to what had it before).
 */
export function useModalFocus(dialogRef: RefObject<HTMLElement | null>, options: ModalFocusOptions): void {
  const initialFocus = useEffectEvent(() => options.initialFocus());
  const restoreFocus = useEffectEvent(() => options.restoreFocus());
  const onEscape = useEffectEvent(() => options.onEscape());

  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    const previouslyFocused = document.activeElement instanceof HTMLElement ? document.activeElement : null;

    // The rest of the page becomes inert: not focusable, not clickable, hidden
    // from assistive technology (aria-modal alone is not honoured everywhere).
    const madeInert: Element[] = [];
    const layer = [...document.body.children].find((child) => child.contains(dialog));
    for (const child of document.body.children) {
      // Live regions (data-live-region) keep announcing, e.g. a new incoming call.
      if (child === layer || child.hasAttribute('inert') || child.hasAttribute('data-live-region')) {
        continue;
      }
      child.setAttribute('inert', '');
      madeInert.push(child);
    }

    (initialFocus() ?? dialog).focus();

    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        event.stopPropagation();
        onEscape();
        return;
      }
      if (event.key !== 'Tab') return;
      const stops = tabStops(dialog);
      const first = stops[0];
      const last = stops.at(-1);
      if (!first || !last) {
        event.preventDefault();
        return;
      }
      const active = document.activeElement;
      if (event.shiftKey && (active === first || active === dialog)) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && (active === last || active === dialog)) {
        event.preventDefault();
        first.focus();
      }
    };
    const onFocusIn = (event: FocusEvent) => {
      if (event.target instanceof Node && !dialog.contains(event.target)) {
        (tabStops(dialog)[0] ?? dialog).focus();
      }
    };
    dialog.addEventListener('keydown', onKeyDown);
    document.addEventListener('focusin', onFocusIn);

    return () => {
      dialog.removeEventListener('keydown', onKeyDown);
      document.removeEventListener('focusin', onFocusIn);
      // Inert elements cannot take focus: lift it before giving focus back.
      for (const element of madeInert) element.removeAttribute('inert');
      const target = restoreFocus();
      if (target?.isConnected) target.focus();
      else if (previouslyFocused?.isConnected) previouslyFocused.focus();
    };
  }, [dialogRef]);
}
