import { useEffect, useId, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import { Trans, useTranslation } from 'react-i18next';
import type { CalmlineApi } from '../../../shared/api';
import { dialLinkSchema, type DialLink } from '../../../shared/desk';
import type { CommandErrorCode } from '../../../shared/result';
import { useModalFocus } from '../hooks/use-modal-focus';
import { CommandErrorAlert } from './CommandErrorAlert';

/** Props of {@link ClickToDialConfirm}. */
export interface ClickToDialConfirmProps {
  api: Pick<CalmlineApi, 'onDialLink' | 'takeDialLink' | 'dial'>;
}

/**
 * A click-to-dial link from the CRM (docs/desk.md#click-to-dial): "Call +49 30 123456?"
 * with Call and Cancel. Only Call dials, through the same `dial` command as the dial
 * field. A link main refused shows why, and offers nothing to dial. A newer link
 * replaces one still waiting.
 */
export function ClickToDialConfirm({ api }: ClickToDialConfirmProps) {
  const [link, setLink] = useState<DialLink | null>(null);
  useEffect(() => {
    let live = true;
    const show = (value: unknown) => {
      const parsed = dialLinkSchema.safeParse(value);
      if (live && parsed.success) setLink(parsed.data);
    };
    const off = api.onDialLink((value) => {
      show(value);
      // Shown here: take it, so a reload does not ask again.
      void api.takeDialLink();
    });
    // A link that arrived before this window listened (it launched the app).
    void api.takeDialLink().then((result) => {
      if (result.ok && result.value) show(result.value);
    });
    return () => {
      live = false;
      off();
    };
  }, [api]);
  if (!link) return null;
  return <LinkDialog key={link.id} link={link} api={api} onClose={() => setLink(null)} />;
}

function LinkDialog({ link, api, onClose }: { link: DialLink; api: ClickToDialConfirmProps['api']; onClose(): void }) {
  const { t } = useTranslation();
  const titleId = useId();
  const bodyId = useId();
  const dialogRef = useRef<HTMLDivElement>(null);
  const primaryRef = useRef<HTMLButtonElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CommandErrorCode | null>(null);
  useModalFocus(dialogRef, {
    initialFocus: () => primaryRef.current,
    restoreFocus: () => null,
    onEscape: onClose,
  });

  const call = () => {
    if (link.outcome !== 'confirm') return;
    setBusy(true);
    setError(null);
    void api.dial(link.target).then(
      (result) => {
        setBusy(false);
        if (result.ok) onClose();
        else setError(result.error.code);
      },
      () => {
        setBusy(false);
        setError('internal');
      },
    );
  };

  const target = <bdi dir="ltr" className="consent-target" />;
  return createPortal(
    <div className="dialog-layer">
      <div
        ref={dialogRef}
        role={link.outcome === 'confirm' ? 'dialog' : 'alertdialog'}
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={bodyId}
        tabIndex={-1}
        className="consent-dialog"
        data-testid="dial-link-dialog"
        data-outcome={link.outcome}
      >
        <h2 id={titleId} className="dialog-title">
          {link.outcome === 'confirm' ? t('desk.dial.title') : t('desk.dial.refusedTitle')}
        </h2>
        {link.outcome === 'confirm' ? (
          <>
            <p id={bodyId} className="consent-ask">
              <Trans i18nKey="desk.dial.ask" values={{ target: link.display }} components={{ target }} />
            </p>
            {error !== null && <CommandErrorAlert code={error} />}
            <div className="dialog-actions">
              <button
                ref={primaryRef}
                type="button"
                className="button button-primary"
                disabled={busy}
                aria-label={t('desk.dial.callLabel', { target: link.display })}
                onClick={call}
              >
                {t('desk.dial.call')}
              </button>
              <button type="button" className="button button-secondary" onClick={onClose}>
                {t('desk.dial.cancel')}
              </button>
            </div>
          </>
        ) : (
          <>
            <div id={bodyId}>
              <p role="alert">{t(`desk.dial.refused.${link.reason}`)}</p>
              {link.excerpt !== '' && (
                <p className="muted">
                  <Trans i18nKey="desk.dial.excerpt" values={{ excerpt: link.excerpt }} components={{ target }} />
                </p>
              )}
            </div>
            <div className="dialog-actions">
              <button ref={primaryRef} type="button" className="button button-secondary" onClick={onClose}>
                {t('desk.dial.dismiss')}
              </button>
            </div>
          </>
        )}
      </div>
    </div>,
    document.body,
  );
}
