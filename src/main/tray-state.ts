/**
 * What the tray shows (docs/desk.md#tray): the agent's state from the calls and the
 * workspace, its icon colour and tooltip, and the tray menu. Pure, tested in Node
 * (tests/unit/main/desk-glue.test.ts); src/main/desk-glue.ts puts it on the Tray.
 */
import type { CallView } from '../shared/contract';
import type { WorkspaceView } from '../shared/workspace/workspace-view';

/** The states the tray tells apart. */
export const trayStates = ['available', 'ringing', 'in-call', 'wrap-up', 'on-break'] as const;
export type TrayState = (typeof trayStates)[number];

const IN_CALL = new Set<CallView['state']>(['active', 'held', 'transferring', 'dialing']);

/**
 * The agent's state for the tray. A ringing call wins (the agent must see it), then
 * a call in progress, then the workspace's wrap-up or break, else available.
 */
export function trayStateFor(calls: readonly CallView[], status: WorkspaceView['status'] | null): TrayState {
  const live = calls.filter((call) => call.state !== 'ended');
  if (live.some((call) => call.state === 'ringing' && call.direction === 'incoming')) return 'ringing';
  if (live.some((call) => IN_CALL.has(call.state)) || status === 'in-call') return 'in-call';
  if (status === 'wrap-up') return 'wrap-up';
  if (status === 'on-break') return 'on-break';
  return 'available';
}

/** True while quitting would end a call (ringing callers are turned away too). */
export function quitEndsCalls(calls: readonly CallView[]): boolean {
  return calls.some((call) => call.state !== 'ended');
}

/** The languages the tray speaks (the window's languages). */
export type TrayLanguage = 'en' | 'de' | 'nb' | 'fa';

interface TrayTexts {
  state: Record<TrayState, string>;
  show: string;
  startBreak: string;
  endBreak: string;
  quit: string;
  quitTitle: string;
  quitMessage: string;
  quitAnyway: string;
  cancel: string;
}

/** The tray's strings; the tray lives in main, outside the window's i18n. */
export const TRAY_TEXTS: Readonly<Record<TrayLanguage, TrayTexts>> = {
  en: {
    state: {
      available: 'Available',
      ringing: 'Ringing',
      'in-call': 'In a call',
      'wrap-up': 'Wrap-up',
      'on-break': 'On break',
    },
    show: 'Show Calmline',
    startBreak: 'Take a break',
    endBreak: 'End break',
    quit: 'Quit Calmline',
    quitTitle: 'Quit during a call?',
    quitMessage: 'Quitting Calmline ends the calls in progress and turns away ringing callers.',
    quitAnyway: 'Quit and end the calls',
    cancel: 'Cancel',
  },
  de: {
    state: {
      available: 'Verfügbar',
      ringing: 'Es klingelt',
      'in-call': 'Im Gespräch',
      'wrap-up': 'Nachbearbeitung',
      'on-break': 'In der Pause',
    },
    show: 'Calmline anzeigen',
    startBreak: 'Pause machen',
    endBreak: 'Pause beenden',
    quit: 'Calmline beenden',
    quitTitle: 'Während eines Anrufs beenden?',
    quitMessage: 'Wenn Sie Calmline beenden, werden laufende Anrufe beendet und klingelnde Anrufer abgewiesen.',
    quitAnyway: 'Beenden und Anrufe beenden',
    cancel: 'Abbrechen',
  },
  nb: {
    state: {
      available: 'Tilgjengelig',
      ringing: 'Det ringer',
      'in-call': 'I samtale',
      'wrap-up': 'Etterarbeid',
      'on-break': 'På pause',
    },
    show: 'Vis Calmline',
    startBreak: 'Ta en pause',
    endBreak: 'Avslutt pausen',
    quit: 'Avslutt Calmline',
    quitTitle: 'Avslutte under en samtale?',
    quitMessage: 'Avslutter du Calmline, avsluttes pågående samtaler og innringere som venter blir avvist.',
    quitAnyway: 'Avslutt og legg på',
    cancel: 'Avbryt',
  },
  fa: {
    state: {
      available: 'آماده',
      ringing: 'در حال زنگ',
      'in-call': 'در تماس',
      'wrap-up': 'جمع‌بندی',
      'on-break': 'در استراحت',
    },
    show: 'نمایش Calmline',
    startBreak: 'استراحت',
    endBreak: 'پایان استراحت',
    quit: 'خروج از Calmline',
    quitTitle: 'در میان تماس خارج می‌شوید؟',
    quitMessage: 'با خروج از Calmline تماس‌های جاری قطع و تماس‌گیرندگان منتظر رد می‌شوند.',
    quitAnyway: 'خروج و قطع تماس‌ها',
    cancel: 'لغو',
  },
};

/** The tray language for a language setting (`auto` follows the OS locale). */
export function trayLanguage(setting: string, locale: string): TrayLanguage {
  const wanted = setting === 'auto' ? locale.toLowerCase().split(/[-_]/)[0] : setting;
  if (wanted === 'de' || wanted === 'fa') return wanted;
  if (wanted === 'nb' || wanted === 'no' || wanted === 'nn') return 'nb';
  return 'en';
}

/** The icon colour of each state (RGB), as the window's availability badge shows it. */
export const TRAY_COLOURS: Readonly<Record<TrayState, readonly [number, number, number]>> = {
  available: [46, 139, 87],
  ringing: [230, 126, 34],
  'in-call': [192, 57, 43],
  'wrap-up': [41, 128, 185],
  'on-break': [127, 140, 141],
};

/** A tray menu entry, in Electron's template shape. */
export type TrayMenuItem =
  { id: 'show' | 'start-break' | 'end-break' | 'quit'; label: string; enabled: boolean } | { type: 'separator' };

/** The tooltip and menu for a state. A break starts only while available, and ends only on a break. */
export function trayView(state: TrayState, language: TrayLanguage): { tooltip: string; menu: TrayMenuItem[] } {
  const texts = TRAY_TEXTS[language];
  const menu: TrayMenuItem[] = [{ id: 'show', label: texts.show, enabled: true }];
  if (state === 'on-break') menu.push({ id: 'end-break', label: texts.endBreak, enabled: true });
  else menu.push({ id: 'start-break', label: texts.startBreak, enabled: state === 'available' });
  menu.push({ type: 'separator' }, { id: 'quit', label: texts.quit, enabled: true });
  return { tooltip: `Calmline: ${texts.state[state]}`, menu };
}
