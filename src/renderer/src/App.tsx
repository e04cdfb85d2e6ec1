import { useEffect, useMemo } from 'react';
import { ClickToDialConfirm } from './components/ClickToDialConfirm';
import { HostBridgeMissing } from './components/HostBridgeMissing';
import { PhoneScreen } from './components/PhoneScreen';
import { useAppliedLanguage } from './hooks/use-language-setting';
import { readHostApi } from './host-api';
import { startMediaHost } from './media/media-host';
import { startHeadsetHost } from './headset/headset-host';
import { prefetchedCallersFor } from './state/prefetched-callers';

/** Props of {@link App}. */
export interface AppProps {
  /** Where the host installs the API; the window itself except in tests. */
  host?: Pick<Window, 'calmline'>;
  /** Starts the call audio for the window; component tests pass their own (or none). */
  startMedia?: ((api: NonNullable<ReturnType<typeof readHostApi>>) => () => void) | undefined;
  /** Starts headset call control (WebHID) for the window; component tests pass their own (or none). */
  startHeadset?: ((api: NonNullable<ReturnType<typeof readHostApi>>) => () => void) | undefined;
}

/** The whole window: the phone screen, or an explanation when the host bridge is missing. */
export function App({ host = window, startMedia = startMediaHost, startHeadset = startHeadsetHost }: AppProps) {
  const api = useMemo(() => readHostApi(host), [host]);
  // The call audio lives as long as the window: the engine answers main's media requests.
  useEffect(() => (api && startMedia ? startMedia(api) : undefined), [api, startMedia]);
  // The headset's buttons and LEDs follow the calls as long as the window lives (docs/desk.md#headset).
  useEffect(() => (api && startHeadset ? startHeadset(api) : undefined), [api, startHeadset]);
  // Listen for the caller records main pushes from the start, before any card mounts.
  if (api) prefetchedCallersFor(api);
  // The agent's language setting (main's) overrides the system language the window started in.
  useAppliedLanguage(api);
  return api ? (
    <>
      <PhoneScreen api={api} />
      <ClickToDialConfirm api={api} />
    </>
  ) : (
    <HostBridgeMissing />
  );
}
