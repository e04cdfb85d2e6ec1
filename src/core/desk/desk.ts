/**
 * The agent's desk in the core (docs/desk.md): the desk settings, what the host
 * could set up of them (tray, global shortcuts), click-to-dial links handed over by
 * the host, and the call commands a global shortcut stands for. Hosts do the
 * platform part (the tray, shortcuts and links in Electron's src/main; the web host
 * has none of it but the link hand-over).
 */
import type { CallView } from '../../shared/contract';
import {
  DEFAULT_DESK_SETTINGS,
  deskSettingsSchema,
  type DeskSettings,
  type DeskStatus,
  type DialLink,
  type GlobalShortcutAction,
} from '../../shared/desk';
import type { EmitCoreEvent } from '../core-events';
import type { CoreLogger } from '../logger';
import { StoredSetting, type KeyValueStore } from '../settings';
import { parseDialLink } from './dial-link';

/** What the desk needs from the core. */
export interface DeskOptions {
  store: KeyValueStore;
  logger: CoreLogger;
  emit: EmitCoreEvent<'settings:desk' | 'desk:status' | 'desk:dial-link'>;
  /** The agent's region for national numbers (the call policy's `defaultRegion`). */
  region(): string;
}

/** A call command a global shortcut stands for: the same command the window's button sends. */
export interface ShortcutCommand {
  channel: 'call:answer' | 'call:hang-up';
  callId: string;
}

/**
 * The call a global shortcut acts on: Answer takes the longest-ringing incoming call
 * the core allows answering; Hang up takes the active call (else a dialling one).
 */
export function shortcutCommand(action: GlobalShortcutAction, calls: readonly CallView[]): ShortcutCommand | null {
  if (action === 'answer') {
    const ringing = calls
      .filter((call) => call.state === 'ringing' && call.direction === 'incoming' && call.allowed.answer)
      .sort((a, b) => a.offeredAt - b.offeredAt)[0];
    return ringing ? { channel: 'call:answer', callId: ringing.id } : null;
  }
  const current =
    calls.find((call) => call.state === 'active' && call.allowed.hangUp) ??
    calls.find((call) => call.state === 'dialing' && call.allowed.hangUp);
  return current ? { channel: 'call:hang-up', callId: current.id } : null;
}

/** The desk's state in the core. */
export class Desk {
  private readonly setting: StoredSetting<DeskSettings>;
  private current: DeskStatus = { native: false, shortcuts: [] };
  private serial = 0;
  private pending: DialLink | null = null;

  constructor(private readonly options: DeskOptions) {
    this.setting = new StoredSetting(options.store, 'desk', deskSettingsSchema, DEFAULT_DESK_SETTINGS, options.logger);
  }

  settings(): DeskSettings {
    return this.setting.get();
  }

  /** Saves the desk settings; the host (tray, shortcuts, login item) follows the event. */
  save(settings: DeskSettings): DeskSettings {
    const saved = this.setting.save(settings);
    this.options.emit('settings:desk', saved);
    return saved;
  }

  status(): DeskStatus {
    return this.current;
  }

  /** The host reports what it could set up (the shortcuts it registered or not). */
  reportStatus(status: DeskStatus): void {
    this.current = status;
    this.options.emit('desk:status', status);
  }

  /**
   * A link the OS or a test handed to the host: parsed, and shown to the agent to
   * confirm (or refused with a reason). Never dials.
   */
  openLink(raw: unknown): DialLink {
    this.serial += 1;
    const id = `link-${this.serial}`;
    const parsed = parseDialLink(raw, this.options.region());
    const link: DialLink = parsed.ok
      ? { id, outcome: 'confirm', target: parsed.target, display: parsed.display }
      : { id, outcome: 'refused', reason: parsed.reason, excerpt: parsed.excerpt };
    if (!parsed.ok) this.options.logger.warn(`Refused a click-to-dial link (${parsed.reason}).`);
    this.pending = link;
    this.options.emit('desk:dial-link', link);
    return link;
  }

  /**
   * The latest link, once: a window that starts after the link arrived (the app was
   * launched by the link) shows it; the window that showed the event takes it so a
   * reload does not ask again.
   */
  takeLink(): DialLink | null {
    const link = this.pending;
    this.pending = null;
    return link;
  }
}
