import { useEffect, useEffectEvent } from 'react';
import type { HeadsetIntent } from '../headset/headset-controller';
import { onCallActionRequest } from '../state/call-requests';

/** Hands every request to press a call button (from the headset) to `onRequest` while mounted. */
export function useCallActionRequests(onRequest: (request: HeadsetIntent) => void): void {
  const handle = useEffectEvent((request: HeadsetIntent) => onRequest(request));
  useEffect(() => onCallActionRequest((request) => handle(request)), []);
}
