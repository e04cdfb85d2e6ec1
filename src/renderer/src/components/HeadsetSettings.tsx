import { useEffect, useId, useState, useSyncExternalStore, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { CalmlineApi } from '../../../shared/api';
import type { HeadsetChoice } from '../../../shared/desk';
import type { CommandErrorCode } from '../../../shared/result';
import type { TelephonyHidDevice } from '../headset/headset-controller';
import {
  browserHid,
  headsetState,
  requestTelephonyDevice,
  telephonyDevices,
  type HidLike,
} from '../headset/headset-host';
import { CommandErrorAlert } from './CommandErrorAlert';

/** Props of {@link HeadsetSettings}. */
export interface HeadsetSettingsProps {
  api: Pick<CalmlineApi, 'getDeskSettings' | 'saveDeskSettings'>;
  /** Default: `navigator.hid`. */
  hid?: HidLike | undefined;
}

const keyOf = (choice: Pick<HeadsetChoice, 'vendorId' | 'productId'>) => `${choice.vendorId}:${choice.productId}`;

/**
 * The headset whose buttons answer, hang up and mute (docs/desk.md#headset), chosen
 * next to the microphone and remembered in the desk settings by its USB ids. The
 * list holds the telephony headsets this window may use; "Find a headset…" asks the
 * browser's device chooser (Electron grants the first telephony headset itself).
 */
export function HeadsetSettings({ api, hid = browserHid() }: HeadsetSettingsProps) {
  const { t } = useTranslation();
  const headingId = useId();
  const selectId = useId();
  const state = useSyncExternalStore(headsetState.subscribe, headsetState.getSnapshot);
  const [devices, setDevices] = useState<TelephonyHidDevice[]>([]);
  const [saved, setSaved] = useState<HeadsetChoice | null | undefined>(undefined);
  const [draft, setDraft] = useState<HeadsetChoice | null>(null);
  const [status, setStatus] = useState<'idle' | 'saving' | 'saved'>('idle');
  const [error, setError] = useState<CommandErrorCode | null>(null);

  useEffect(() => {
    let live = true;
    void api.getDeskSettings().then((result) => {
      if (!live) return;
      if (result.ok) {
        setSaved(result.value.headset);
        setDraft(result.value.headset);
      } else setError(result.error.code);
    });
    void telephonyDevices(hid).then((list) => live && setDevices(list));
    return () => {
      live = false;
    };
  }, [api, hid]);

  if (saved === undefined) return error ? <CommandErrorAlert code={error} /> : null;

  const present = draft === null || devices.some((device) => keyOf(device) === keyOf(draft));
  const choose = (key: string) => {
    const device = devices.find((candidate) => keyOf(candidate) === key);
    setDraft(
      device
        ? { vendorId: device.vendorId, productId: device.productId, name: device.productName }
        : key === ''
          ? null
          : draft,
    );
    setStatus('idle');
  };

  const find = () => {
    void requestTelephonyDevice(hid).then(async (device) => {
      setDevices(await telephonyDevices(hid));
      if (device) {
        setDraft({ vendorId: device.vendorId, productId: device.productId, name: device.productName });
        setStatus('idle');
      }
    });
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setStatus('saving');
    setError(null);
    // The desk settings are one document: save the headset onto the latest one.
    void api
      .getDeskSettings()
      .then((current) => (current.ok ? api.saveDeskSettings({ ...current.value, headset: draft }) : current))
      .then(
        (result) => {
          if (result.ok) {
            setSaved(result.value.headset);
            setStatus('saved');
          } else {
            setError(result.error.code);
            setStatus('idle');
          }
        },
        () => {
          setError('internal');
          setStatus('idle');
        },
      );
  };

  const unchanged =
    (draft === null && saved === null) || (draft !== null && saved !== null && keyOf(draft) === keyOf(saved));
  return (
    <form className="headset-form" aria-labelledby={headingId} onSubmit={submit} data-testid="headset-settings">
      <h2 id={headingId} className="section-heading">
        {t('desk.headset.heading')}
      </h2>
      <p className="field-hint">{t('desk.headset.hint')}</p>
      {!state.supported && !hid ? (
        <p className="field-hint">{t('desk.headset.unsupported')}</p>
      ) : (
        <>
          <div className="field">
            <label className="field-label" htmlFor={selectId}>
              {t('desk.headset.device')}
            </label>
            <select
              id={selectId}
              name="headset"
              className="field-input"
              value={draft ? keyOf(draft) : ''}
              onChange={(event) => choose(event.target.value)}
            >
              <option value="">{t('desk.headset.none')}</option>
              {devices.map((device, index) => (
                <option key={keyOf(device)} value={keyOf(device)}>
                  {device.productName || t('desk.headset.unnamed', { index: index + 1 })}
                </option>
              ))}
              {!present && draft && (
                <option value={keyOf(draft)}>
                  {t('desk.headset.missing', { name: draft.name || t('desk.headset.unnamed', { index: 0 }) })}
                </option>
              )}
            </select>
          </div>
          <p className="field-hint" role="status" data-testid="headset-status" data-status={state.status}>
            {t(`desk.headset.status.${state.status}`)}
          </p>
          <div className="form-actions">
            <button type="button" className="button button-secondary" onClick={find}>
              {t('desk.headset.add')}
            </button>
            <button type="submit" className="button button-primary" disabled={status === 'saving' || unchanged}>
              {t('desk.headset.save')}
            </button>
            <p className="form-status" role="status">
              {status === 'saved' ? t('desk.headset.saved') : ''}
            </p>
          </div>
        </>
      )}
      {error !== null && <CommandErrorAlert code={error} />}
    </form>
  );
}
