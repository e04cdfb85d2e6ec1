import { useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { CalmlineApi } from '../../../shared/api';
import type { AudioDevices } from '../../../shared/contract';
import type { CommandErrorCode } from '../../../shared/result';
import { CommandErrorAlert } from './CommandErrorAlert';

type DeviceKind = 'microphone' | 'speaker' | 'ringer';

const MEDIA_KIND: Record<DeviceKind, MediaDeviceKind> = {
  microphone: 'audioinput',
  speaker: 'audiooutput',
  ringer: 'audiooutput',
};

/** Props of {@link AudioDeviceSettings}. */
export interface AudioDeviceSettingsProps {
  api: Pick<CalmlineApi, 'getAudioDevices' | 'saveAudioDevices'>;
  /** Default: the browser's device list. */
  listDevices?: () => Promise<MediaDeviceInfo[]>;
}

function browserDevices(): Promise<MediaDeviceInfo[]> {
  return navigator.mediaDevices?.enumerateDevices() ?? Promise.resolve([]);
}

/**
 * The agent's headset set-up: microphone, call speaker and a separate ringing device,
 * plus the ringtone switch. Saved in main's settings; the media engine follows at once.
 * A saved device that is not plugged in stays listed (marked) so re-plugging it brings
 * it back without choosing again; until then the system default plays.
 */
export function AudioDeviceSettings({ api, listDevices = browserDevices }: AudioDeviceSettingsProps) {
  const { t } = useTranslation();
  const headingId = useId();
  const [saved, setSaved] = useState<AudioDevices | null>(null);
  const [draft, setDraft] = useState<AudioDevices | null>(null);
  const [devices, setDevices] = useState<MediaDeviceInfo[]>([]);
  const [status, setStatus] = useState<'idle' | 'saving' | 'saved'>('idle');
  const [error, setError] = useState<CommandErrorCode | null>(null);

  useEffect(() => {
    let live = true;
    void api.getAudioDevices().then((result) => {
      if (!live) return;
      if (result.ok) {
        setSaved(result.value);
        setDraft(result.value);
      } else setError(result.error.code);
    });
    const refresh = () => {
      void listDevices()
        .then((list) => live && setDevices(list))
        .catch(() => undefined);
    };
    refresh();
    navigator.mediaDevices?.addEventListener?.('devicechange', refresh);
    return () => {
      live = false;
      navigator.mediaDevices?.removeEventListener?.('devicechange', refresh);
    };
  }, [api, listDevices]);

  if (!draft) return error ? <CommandErrorAlert code={error} /> : null;

  const choose = (kind: DeviceKind, id: string) => {
    const device = devices.find((candidate) => candidate.kind === MEDIA_KIND[kind] && candidate.deviceId === id);
    setDraft({ ...draft, [kind]: { id, label: device?.label ?? '' } });
    setStatus('idle');
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setStatus('saving');
    setError(null);
    void api.saveAudioDevices(draft).then(
      (result) => {
        if (result.ok) {
          setSaved(result.value);
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

  const unlabelled = !devices.some((device) => device.label);
  return (
    <form className="audio-devices-form" aria-labelledby={headingId} onSubmit={submit} data-testid="audio-devices">
      <h2 id={headingId} className="section-heading">
        {t('media.devices.heading')}
      </h2>
      {unlabelled && <p className="field-hint">{t('media.devices.permissionHint')}</p>}
      {(['microphone', 'speaker', 'ringer'] as const).map((kind) => (
        <DeviceSelect
          key={kind}
          label={t(`media.devices.${kind}`)}
          name={kind}
          choice={draft[kind]}
          devices={devices.filter((device) => device.kind === MEDIA_KIND[kind] && device.deviceId !== 'default')}
          onChange={(id) => choose(kind, id)}
        />
      ))}
      <div className="field field-checkbox">
        <input
          id={`${headingId}-ringtone`}
          type="checkbox"
          name="ringtone"
          checked={draft.ringtone}
          onChange={(event) => {
            setDraft({ ...draft, ringtone: event.target.checked });
            setStatus('idle');
          }}
        />
        <label htmlFor={`${headingId}-ringtone`}>{t('media.devices.ringtone')}</label>
      </div>
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={status === 'saving' || draft === saved}>
          {t('media.devices.save')}
        </button>
        <p className="form-status" role="status">
          {status === 'saved' ? t('media.devices.saved') : ''}
        </p>
      </div>
      {error !== null && <CommandErrorAlert code={error} />}
    </form>
  );
}

function DeviceSelect(props: {
  label: string;
  name: string;
  choice: { id: string; label: string };
  devices: MediaDeviceInfo[];
  onChange(id: string): void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const present = props.choice.id === '' || props.devices.some((device) => device.deviceId === props.choice.id);
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {props.label}
      </label>
      <select
        id={id}
        name={props.name}
        className="field-input"
        value={props.choice.id}
        onChange={(event) => props.onChange(event.target.value)}
      >
        <option value="">{t('media.devices.systemDefault')}</option>
        {props.devices.map((device, index) => (
          <option key={device.deviceId} value={device.deviceId}>
            {device.label || t('media.devices.unnamed', { index: index + 1 })}
          </option>
        ))}
        {!present && (
          <option value={props.choice.id}>
            {t('media.devices.missing', { label: props.choice.label || t('media.devices.unnamed', { index: 0 }) })}
          </option>
        )}
      </select>
    </div>
  );
}
