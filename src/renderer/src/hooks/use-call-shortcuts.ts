import { useEffect, useEffectEvent } from 'react';
import type { CallShortcut } from '../call-controls';

const byLetter: Readonly<Record<string, CallShortcut>> = { a: 'answer', h: 'hold', r: 'resume', u: 'hang-up' };

/**
 * The letter a key press stands for. Latin layouts give it in `key`; on a Persian
 * (or any non-Latin) layout `key` is another script, so the physical key (`code`)
 * is used instead, matching the Latin letter printed on the same key.
 */
function letterOf(event: Pick<KeyboardEvent, 'key' | 'code'>): string | null {
  if (/^[a-z]$/i.test(event.key)) return event.key.toLowerCase();
  if (event.key.length === 1 && /^[\p{L}]$/u.test(event.key)) {
    const physical = /^Key([A-Z])$/.exec(event.code);
    return physical?.[1]?.toLowerCase() ?? null;
  }
  return null;
}

/** Inputs that take no typed text: a letter pressed on them is still a shortcut. */
const NOT_TYPED = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file', 'image']);

/** True when the agent is typing somewhere, so a letter must stay a letter. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLInputElement) return !NOT_TYPED.has(target.type);
  return target.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"]') !== null;
}

/** True while a modal dialog is open: then its own keys (Escape, Tab) are the only ones. */
function modalOpen(): boolean {
  return document.querySelector('[aria-modal="true"]') !== null;
}

/**
 * The plain letter of a key press that may act as a shortcut (lower case), or null:
 * never while typing in a field, with a modifier key, held down, or while a dialog
 * is open.
 */
export function shortcutLetter(event: KeyboardEvent): string | null {
  if (event.defaultPrevented || event.repeat || event.isComposing) return null;
  if (event.ctrlKey || event.altKey || event.metaKey || event.shiftKey) return null;
  if (isTypingTarget(event.target) || modalOpen()) return null;
  return letterOf(event);
}

/** True for the `?` that opens the shortcut sheet (Shift is part of it), outside fields and dialogs. */
export function isSheetKey(event: KeyboardEvent): boolean {
  if (event.defaultPrevented || event.repeat || event.isComposing) return false;
  if (event.ctrlKey || event.altKey || event.metaKey) return false;
  if (isTypingTarget(event.target) || modalOpen()) return false;
  // The Persian layout's question mark is "؟" on the same key.
  return event.key === '?' || event.key === '؟';
}

/** The shortcut a key press asks for, or null when it is not one (or must be ignored). */
export function shortcutFor(event: KeyboardEvent): CallShortcut | null {
  const letter = shortcutLetter(event);
  return letter === null ? null : (byLetter[letter] ?? null);
}

/** Calls `onPress` for the plain letter `letter` (e.g. "f"), with the same rules as the call shortcuts. */
export function useLetterShortcut(letter: string, onPress: () => void, enabled = true): void {
  const handle = useEffectEvent((event: KeyboardEvent) => {
    if (!enabled || shortcutLetter(event) !== letter) return;
    event.preventDefault();
    onPress();
  });
  useEffect(() => {
    const listener = (event: KeyboardEvent) => handle(event);
    document.addEventListener('keydown', listener);
    return () => document.removeEventListener('keydown', listener);
  }, []);
}

/**
 * Listens for the call shortcuts on the whole document (A answer, H hold, R
 * resume, U hang up) and hands them to `onShortcut`. Ignored while the agent types in a field,
 * with a modifier key, or while a dialog is open.
 */
export function useCallShortcuts(onShortcut: (shortcut: CallShortcut) => void): void {
  const handle = useEffectEvent((event: KeyboardEvent) => {
    const shortcut = shortcutFor(event);
    if (shortcut === null) return;
    event.preventDefault();
    onShortcut(shortcut);
  });
  useEffect(() => {
    const listener = (event: KeyboardEvent) => handle(event);
    document.addEventListener('keydown', listener);
    return () => document.removeEventListener('keydown', listener);
  }, []);
}
