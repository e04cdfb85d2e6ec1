/**
 * Click-to-dial links reaching the running app (docs/desk.md#click-to-dial): Calmline
 * registers as the handler of `tel:`, `callto:`, `sip:` and `sips:` (the protocol
 * client on Windows and macOS; on Linux the desktop file's MimeType does it), and a
 * link arrives as `open-url` on macOS, or on the command line of a second instance
 * (Windows, Linux) and of the first start. Links wait until the core is ready.
 * Thin; `app` is injected (tests/unit/main/desk-glue.test.ts).
 */
import { resolve } from 'node:path';
import { dialLinksInArgs } from '../core/desk/dial-link';

/** The schemes Calmline handles. */
export const DIAL_SCHEMES = ['tel', 'callto', 'sip', 'sips'] as const;

/** The part of Electron's `app` used here. */
export interface LinkApp {
  setAsDefaultProtocolClient(protocol: string, path?: string, args?: string[]): boolean;
  on(event: 'open-url', listener: (event: { preventDefault(): void }, url: string) => void): unknown;
}

/** Options of {@link installLinkHandoff}. */
export interface LinkHandoffOptions {
  app: LinkApp;
  platform: NodeJS.Platform;
  /** This process's command line (links the first start was opened with). */
  argv: readonly string[];
  /** `process.defaultApp`: running from `electron .` in development. */
  defaultApp: boolean;
  execPath: string;
  warn(message: string): void;
}

/** The hand-over: call `ready` with the receiver once the core runs; `fromArgs` on `second-instance`. */
export interface LinkHandoff {
  ready(receive: (link: string) => void): void;
  fromArgs(argv: readonly string[]): void;
}

/** Registers the schemes and starts collecting links; see the module comment. */
export function installLinkHandoff(options: LinkHandoffOptions): LinkHandoff {
  const { app, platform } = options;
  if (platform === 'win32' || platform === 'darwin') {
    for (const scheme of DIAL_SCHEMES) {
      // In development Electron runs our script: the OS must start it with that path.
      const registered = options.defaultApp
        ? app.setAsDefaultProtocolClient(scheme, options.execPath, [resolve(options.argv[1] ?? '.')])
        : app.setAsDefaultProtocolClient(scheme);
      if (!registered) options.warn(`Calmline could not register as the ${scheme}: link handler.`);
    }
  }
  const waiting: string[] = [];
  let receiver: ((link: string) => void) | undefined;
  const take = (link: string) => {
    if (receiver) receiver(link);
    else if (waiting.length < 8) waiting.push(link);
  };
  app.on('open-url', (event, url) => {
    event.preventDefault();
    take(url);
  });
  for (const link of dialLinksInArgs(options.argv.slice(1))) take(link);
  return {
    ready(receive) {
      receiver = receive;
      for (const link of waiting.splice(0)) receive(link);
    },
    fromArgs(argv) {
      for (const link of dialLinksInArgs(argv.slice(1))) take(link);
    },
  };
}
