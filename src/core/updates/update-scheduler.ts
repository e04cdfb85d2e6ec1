/**
 * When Calmline checks for, downloads and installs updates. The decision is here, in
 * the core, on an injected clock and an injected {@link Updater} (electron-updater in
 * src/main/auto-updater.ts; the feed reader in update-feed.ts for Node), so it is
 * tested without Electron.
 *
 * The rules, from the policy `updates.*` (src/shared/policy.ts):
 * - nothing happens when `updates.enabled` is false or no feed URL is set;
 * - the first check runs a minute after start, then every `checkIntervalHours`;
 * - a newer version downloads in the background;
 * - a downloaded update installs only when the agent cannot be interrupted: on quit,
 *   or when the agent has been unavailable (on a break) with no call for
 *   `idleInstallAfterMs`. Never while a call is ringing, connected or held, and never
 *   in wrap-up: an install restarts the app.
 *
 *   disabled                         (policy off, or no feed)
 *   idle ──check──▶ checking ──newer──▶ downloading ──▶ downloaded ──safe──▶ installing
 *     ▲               │ none / error          │ error
 *     └───────────────┴───────────────────────┘
 */
import type { WorkspaceView } from '../../shared/workspace/workspace-view';
import type { UpdateSettings } from '../../shared/policy';
import type { Clock, TimerHandle } from '../clock';
import type { CoreLogger } from '../logger';

/** A newer version the feed offers. */
export interface AvailableUpdate {
  version: string;
}

/** What the scheduler needs from an updater (electron-updater's autoUpdater, or the feed reader). */
export interface Updater {
  /** Points the updater at the feed and channel. */
  configure(feed: { url: string; channel: UpdateSettings['channel'] }): void;
  /** Asks the feed; answers the newer version, or null when this one is current. */
  check(): Promise<AvailableUpdate | null>;
  /** Downloads (and verifies) the update found by the last check. */
  download(): Promise<void>;
  /** Quits the app, installs the downloaded update and starts it again. */
  install(): void;
}

/** The agent's activity as the scheduler reads it. */
export interface AgentActivity {
  /** The workspace's availability (src/shared/workspace/workspace-view.ts). */
  status: WorkspaceView['status'];
  /** Calls that are not ended. */
  liveCalls: number;
}

/** Where updating stands. */
export type UpdateState =
  | { status: 'disabled'; reason: 'policy' | 'no-feed' }
  | { status: 'idle'; lastCheckedAt: number | null }
  | { status: 'checking' }
  | { status: 'downloading'; version: string }
  | { status: 'downloaded'; version: string }
  | { status: 'installing'; version: string }
  | { status: 'error'; message: string; at: number };

/** Options of {@link UpdateScheduler}. */
export interface UpdateSchedulerOptions {
  settings: UpdateSettings;
  updater: Updater;
  clock: Clock;
  logger: CoreLogger;
  activity(): AgentActivity;
  /** Delay of the first check after start (default 60 s). */
  firstCheckAfterMs?: number;
  /** How long the agent must be on a break with no call before an install (default 2 min). */
  idleInstallAfterMs?: number;
}

const HOUR_MS = 3_600_000;

/** Decides when to check, download and install. */
export class UpdateScheduler {
  private state: UpdateState;
  private checkTimer: TimerHandle | undefined;
  private idleTimer: TimerHandle | undefined;
  private readonly listeners = new Set<(state: UpdateState) => void>();
  private stopped = false;

  constructor(private readonly options: UpdateSchedulerOptions) {
    const { settings } = options;
    if (!settings.enabled) this.state = { status: 'disabled', reason: 'policy' };
    else if (!settings.feedUrl) this.state = { status: 'disabled', reason: 'no-feed' };
    else this.state = { status: 'idle', lastCheckedAt: null };
  }

  /** Where updating stands now. */
  current(): UpdateState {
    return this.state;
  }

  onChange(listener: (state: UpdateState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Configures the updater and schedules the first check (nothing when disabled). */
  start(): void {
    if (this.state.status === 'disabled') {
      this.options.logger.info(
        this.state.reason === 'policy' ? 'Updates are switched off by policy.' : 'No update feed is configured.',
      );
      return;
    }
    this.options.updater.configure({ url: this.options.settings.feedUrl, channel: this.options.settings.channel });
    this.scheduleCheck(this.options.firstCheckAfterMs ?? 60_000);
  }

  /** Stops every timer (the app is closing). */
  stop(): void {
    this.stopped = true;
    this.clearTimer('check');
    this.clearTimer('idle');
  }

  /** Checks now; a newer version starts downloading in the background. */
  async checkNow(): Promise<UpdateState> {
    if (this.state.status === 'disabled' || this.state.status === 'installing') return this.state;
    if (this.state.status === 'checking' || this.state.status === 'downloading') return this.state;
    if (this.state.status === 'downloaded') return this.state;
    this.set({ status: 'checking' });
    let found: AvailableUpdate | null;
    try {
      found = await this.options.updater.check();
    } catch (error) {
      return this.failed('The update check failed', error);
    }
    if (!found) {
      this.set({ status: 'idle', lastCheckedAt: this.options.clock.now() });
      return this.state;
    }
    this.options.logger.info(
      `Update ${found.version} found on the ${this.options.settings.channel} channel; downloading.`,
    );
    this.set({ status: 'downloading', version: found.version });
    try {
      await this.options.updater.download();
    } catch (error) {
      return this.failed(`The download of ${found.version} failed`, error);
    }
    this.options.logger.info(`Update ${found.version} downloaded; it installs when no call can be interrupted.`);
    this.set({ status: 'downloaded', version: found.version });
    this.activityChanged();
    return this.state;
  }

  /**
   * The agent's activity changed (call, wrap-up, break): with an update downloaded,
   * start the idle countdown when it is safe, cancel it when it is not.
   */
  activityChanged(): void {
    if (this.state.status !== 'downloaded' || this.stopped) return;
    if (this.isSafeToRestart()) {
      if (this.idleTimer) return;
      this.idleTimer = this.options.clock.setTimeout(() => {
        this.idleTimer = undefined;
        // Look again: a call may have come in at the last moment.
        if (this.isSafeToRestart()) this.install('idle');
        else this.activityChanged();
      }, this.options.idleInstallAfterMs ?? 120_000);
    } else {
      this.clearTimer('idle');
    }
  }

  /**
   * The app is quitting: answers true when a downloaded update installs now (the
   * host then calls no other quit path). Calls have already been ended by the quit.
   */
  installOnQuit(): boolean {
    if (this.state.status !== 'downloaded') return false;
    this.install('quit');
    return true;
  }

  private isSafeToRestart(): boolean {
    const activity = this.options.activity();
    return activity.status === 'on-break' && activity.liveCalls === 0;
  }

  private install(when: 'idle' | 'quit'): void {
    if (this.state.status !== 'downloaded') return;
    const { version } = this.state;
    this.options.logger.info(
      when === 'quit'
        ? `Installing update ${version} as the app quits.`
        : `Installing update ${version}: the agent is on a break with no call.`,
    );
    this.set({ status: 'installing', version });
    this.stop();
    this.options.updater.install();
  }

  private scheduleCheck(delayMs: number): void {
    this.clearTimer('check');
    this.checkTimer = this.options.clock.setTimeout(() => {
      this.checkTimer = undefined;
      void this.checkNow().finally(() => {
        if (!this.stopped && this.state.status !== 'installing') {
          this.scheduleCheck(this.options.settings.checkIntervalHours * HOUR_MS);
        }
      });
    }, delayMs);
  }

  private failed(what: string, error: unknown): UpdateState {
    const message = `${what}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
    this.options.logger.warn(message);
    this.set({ status: 'error', message, at: this.options.clock.now() });
    return this.state;
  }

  private clearTimer(which: 'check' | 'idle'): void {
    const timer = which === 'check' ? this.checkTimer : this.idleTimer;
    if (timer) this.options.clock.clearTimeout(timer);
    if (which === 'check') this.checkTimer = undefined;
    else this.idleTimer = undefined;
  }

  private set(state: UpdateState): void {
    this.state = state;
    for (const listener of [...this.listeners]) listener(state);
  }
}
