import { useEffect, useEffectEvent, useId, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import { useTranslation } from 'react-i18next';
import { CALL_SHORTCUT_KEYS, FINISH_WRAP_UP_KEY, SHORTCUT_SHEET_KEY } from '../call-controls';
import { isSheetKey } from '../hooks/use-call-shortcuts';
import { useModalFocus } from '../hooks/use-modal-focus';

/** The shortcuts the sheet lists, in the order an agent meets them on a call. */
const SHEET = [
  ['answer', CALL_SHORTCUT_KEYS.answer],
  ['hold', CALL_SHORTCUT_KEYS.hold],
  ['resume', CALL_SHORTCUT_KEYS.resume],
  ['hang-up', CALL_SHORTCUT_KEYS['hang-up']],
  ['finish-wrap-up', FINISH_WRAP_UP_KEY],
  ['sheet', SHORTCUT_SHEET_KEY],
] as const;

/**
 * The keyboard shortcuts, discoverable: a header button (and the `?` key) opens a
 * modal sheet that lists every key and says they never fire while typing.
 */
export function ShortcutSheet() {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const openerRef = useRef<HTMLButtonElement>(null);
  const handle = useEffectEvent((event: KeyboardEvent) => {
    if (open || !isSheetKey(event)) return;
    event.preventDefault();
    setOpen(true);
  });
  useEffect(() => {
    const listener = (event: KeyboardEvent) => handle(event);
    document.addEventListener('keydown', listener);
    return () => document.removeEventListener('keydown', listener);
  }, []);
  return (
    <>
      <button
        ref={openerRef}
        type="button"
        className="button button-quiet"
        aria-keyshortcuts={SHORTCUT_SHEET_KEY}
        aria-haspopup="dialog"
        title={t('calls.withShortcut', { action: t('shortcuts.open'), key: SHORTCUT_SHEET_KEY })}
        onClick={() => setOpen(true)}
      >
        {t('shortcuts.open')}
      </button>
      {open && <SheetDialog onClose={() => setOpen(false)} restoreFocus={() => openerRef.current} />}
    </>
  );
}

function SheetDialog({ onClose, restoreFocus }: { onClose(): void; restoreFocus(): HTMLElement | null }) {
  const { t } = useTranslation();
  const titleId = useId();
  const noteId = useId();
  const dialogRef = useRef<HTMLDivElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);
  useModalFocus(dialogRef, { initialFocus: () => closeRef.current, restoreFocus, onEscape: onClose });
  return createPortal(
    <div className="dialog-layer">
      <div
        ref={dialogRef}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={noteId}
        tabIndex={-1}
        className="consent-dialog shortcut-sheet"
        data-testid="shortcut-sheet"
      >
        <h2 id={titleId} className="dialog-title">
          {t('shortcuts.title')}
        </h2>
        <p id={noteId}>{t('shortcuts.notWhileTyping')}</p>
        <dl className="shortcut-list">
          {SHEET.map(([action, key]) => (
            <div key={action} className="shortcut-row">
              <dt>
                <kbd>{key}</kbd>
              </dt>
              <dd>{t(`shortcuts.actions.${action}`)}</dd>
            </div>
          ))}
        </dl>
        <div className="form-actions">
          <button ref={closeRef} type="button" className="button button-secondary" onClick={onClose}>
            {t('shortcuts.close')}
          </button>
        </div>
      </div>
    </div>,
    document.body,
  );
}
