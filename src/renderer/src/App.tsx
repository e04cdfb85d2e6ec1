import { useMemo } from 'react';
import { HostBridgeMissing } from './components/HostBridgeMissing';
import { PhoneScreen } from './components/PhoneScreen';
import { readHostApi } from './host-api';

/** Props of {@link App}. */
export interface AppProps {
  /** Where the host installs the API; the window itself except in tests. */
  host?: Pick<Window, 'calmline'>;
}

/** The whole window: the phone screen, or an explanation when the host bridge is missing. */
export function App({ host = window }: AppProps) {
  const api = useMemo(() => readHostApi(host), [host]);
  return api ? <PhoneScreen api={api} /> : <HostBridgeMissing />;
}
