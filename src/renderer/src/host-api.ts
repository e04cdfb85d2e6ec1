/** Finding the host's API in the window, without trusting that it is there. */
import { API_GLOBAL, apiFunctionNames, type CalmlineApi } from '../../shared/api';

/**
 * Returns the API the host installed as `window.calmline`, or null when it is
 * missing or incomplete (a preload that failed to load, a page opened outside the
 * host), so the UI can say so instead of crashing on the first call. Complete means a
 * function for every command and event of the contract's tables.
 */
export function readHostApi(host: Pick<Window, typeof API_GLOBAL>): CalmlineApi | null {
  const api: unknown = host[API_GLOBAL];
  if (typeof api !== 'object' || api === null) return null;
  const complete = apiFunctionNames.every((name) => typeof (api as Record<string, unknown>)[name] === 'function');
  return complete ? (api as CalmlineApi) : null;
}
