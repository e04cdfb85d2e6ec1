/**
 * The Electron shell's decisions, pure and tested in Node with an injected `app`
 * (tests/unit/main/desktop-policy.test.ts): what the window loads, whether DevTools
 * and the default menu exist, which links may leave the app, how the spellchecker
 * gets its dictionaries, what an incoming call's OS notification says, and whether a
 * crashed page is reloaded. window.ts, index.ts and incoming-call-notifier.ts apply
 * them. The IT switches come from the `desktopPolicy` setting (src/core/settings.ts).
 */
import type { DesktopPolicy } from '../core/settings';
import type { CallView } from '../shared/contract';

/** The part of Electron's `app` these decisions read. */
export interface AppFacts {
  readonly isPackaged: boolean;
}

/**
 * The dev server URL, honoured only in a development build: in a packaged app
 * `ELECTRON_RENDERER_URL` would load any page with the full API and the microphone.
 * Only http(s) on a loopback host is a dev server.
 */
export function devServerUrl(app: AppFacts, env: Record<string, string | undefined>): string | undefined {
  const raw = env.ELECTRON_RENDERER_URL;
  if (app.isPackaged || !raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  return (url.protocol === 'http:' || url.protocol === 'https:') && loopback ? url.href : undefined;
}

/** DevTools: always while developing; in a packaged build only when IT allows them. */
export function devToolsAllowed(app: AppFacts, policy: Pick<DesktopPolicy, 'allowDevTools'>): boolean {
  return !app.isPackaged || policy.allowDevTools;
}

/**
 * The default application menu (View → Toggle DevTools, Reload, …) only while
 * developing; a packaged build has none (`Menu.setApplicationMenu(null)`).
 */
export function defaultMenuAllowed(app: AppFacts): boolean {
  return !app.isPackaged;
}

/**
 * True when `url` may go to `shell.openExternal`: an https URL whose origin IT listed.
 * The UI itself has no links, so by default nothing leaves the app.
 */
export function externalUrlAllowed(url: string, policy: Pick<DesktopPolicy, 'externalLinkOrigins'>): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'https:' || parsed.username !== '' || parsed.password !== '') return false;
  return policy.externalLinkOrigins.some((allowed) => {
    try {
      return new URL(allowed).origin === parsed.origin;
    } catch {
      return false;
    }
  });
}

/** How the spellchecker runs: on, with dictionaries from `downloadUrl`, or off. */
export interface SpellcheckPlan {
  enabled: boolean;
  /** Passed to `session.setSpellCheckerDictionaryDownloadURL`. */
  downloadUrl?: string;
}

/**
 * macOS checks spelling with its own dictionaries (no download). Windows and Linux
 * would download Hunspell dictionaries from Google's CDN: only from IT's own server,
 * and without one spellchecking is off.
 */
export function spellcheckPlan(
  platform: NodeJS.Platform,
  policy: Pick<DesktopPolicy, 'spellcheckDictionaryUrl'>,
): SpellcheckPlan {
  if (platform === 'darwin') return { enabled: true };
  if (policy.spellcheckDictionaryUrl) return { enabled: true, downloadUrl: policy.spellcheckDictionaryUrl };
  return { enabled: false };
}

/** The text of an incoming call's OS notification. */
export interface NotificationText {
  title: string;
  body: string;
}

/**
 * What the notification says, by the `notificationText` setting. The default names
 * nobody: the screen may be shared or seen by others, and the window shows the rest.
 */
export function incomingCallNotification(
  call: Pick<CallView, 'remoteName' | 'remoteNumber'>,
  policy: Pick<DesktopPolicy, 'notificationText'>,
): NotificationText {
  const title = 'Incoming call';
  if (policy.notificationText === 'generic') return { title, body: 'Calmline' };
  const parts = policy.notificationText === 'name' ? [call.remoteName] : [call.remoteName, call.remoteNumber];
  return { title, body: parts.filter(Boolean).join(' · ') || 'Unknown caller' };
}

/** Why the page's process went (Electron's `render-process-gone` reasons). */
export type RendererGoneReason =
  | 'clean-exit'
  | 'abnormal-exit'
  | 'killed'
  | 'crashed'
  | 'oom'
  | 'launch-failed'
  | 'integrity-failure'
  | 'memory-eviction';

/** Reloads of a crashed page allowed per run before Calmline stops trying. */
export const MAX_RENDERER_RELOADS = 3;

/**
 * Whether to reload the window after its page's process went. Calls live in main, so
 * a reload brings the agent back to them; a page that keeps crashing is left alone
 * after {@link MAX_RENDERER_RELOADS} reloads, and a clean exit is not a crash.
 */
export function reloadAfterRendererGone(reason: RendererGoneReason | string, reloadsSoFar: number): boolean {
  if (reason === 'clean-exit' || reason === 'launch-failed' || reason === 'integrity-failure') return false;
  return reloadsSoFar < MAX_RENDERER_RELOADS;
}
