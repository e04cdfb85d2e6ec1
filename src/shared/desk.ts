/**
 * The agent's desk: the headset, the tray, global shortcuts, start with the session,
 * and click-to-dial links (docs/desk.md). The schemas the contract's desk commands
 * and events use, and the accelerator check both sides share.
 */
import { z } from 'zod';

/** The headset chosen for call control, recognised again by its USB ids (the WebHID device id changes). */
export const headsetChoiceSchema = z.object({
  vendorId: z.number().int().min(0).max(0xffff),
  productId: z.number().int().min(0).max(0xffff),
  name: z.string().max(256),
});
export type HeadsetChoice = z.infer<typeof headsetChoiceSchema>;

/** What a global shortcut does. */
export const globalShortcutActions = ['answer', 'hangUp'] as const;
export type GlobalShortcutAction = (typeof globalShortcutActions)[number];

const MODIFIERS = new Set([
  'command',
  'cmd',
  'control',
  'ctrl',
  'commandorcontrol',
  'cmdorctrl',
  'alt',
  'option',
  'altgr',
  'shift',
  'super',
  'meta',
]);
const NAMED_KEYS = new Set([
  'plus',
  'space',
  'tab',
  'backspace',
  'delete',
  'insert',
  'return',
  'enter',
  'up',
  'down',
  'left',
  'right',
  'home',
  'end',
  'pageup',
  'pagedown',
  'escape',
  'esc',
  'printscreen',
  'mediaplaypause',
  'mediastop',
  'medianexttrack',
  'mediaprevioustrack',
]);

/** Why an accelerator cannot be used. */
export type AcceleratorProblem = 'syntax' | 'no-modifier';

/**
 * Checks an Electron accelerator (`CommandOrControl+Shift+A`): known modifiers, one
 * key, and at least one modifier other than Shift unless the key is a function or
 * media key (a bare letter taken globally would stop the agent typing it anywhere).
 * Answers the accelerator in a canonical spelling, so equal keys compare equal.
 */
export function checkAccelerator(
  value: string,
): { ok: true; accelerator: string } | { ok: false; problem: AcceleratorProblem } {
  if (value.length === 0 || value.length > 64) return { ok: false, problem: 'syntax' };
  const parts = value.split('+').map((part) => part.trim());
  const key = parts.at(-1) ?? '';
  const modifiers = parts.slice(0, -1).map((part) => part.toLowerCase());
  if (modifiers.some((part) => !MODIFIERS.has(part)) || new Set(modifiers).size !== modifiers.length) {
    return { ok: false, problem: 'syntax' };
  }
  const lower = key.toLowerCase();
  const functionKey = /^f([1-9]|1[0-9]|2[0-4])$/.test(lower);
  const mediaKey = lower.startsWith('media');
  const known = /^[a-z0-9]$/.test(lower) || functionKey || NAMED_KEYS.has(lower) || /^[-=[\];',./\\`]$/.test(key);
  if (!known) return { ok: false, problem: 'syntax' };
  if (!functionKey && !mediaKey && !modifiers.some((part) => part !== 'shift'))
    return { ok: false, problem: 'no-modifier' };
  const canonical = (name: string) => {
    const spelled: Record<string, string> = {
      cmd: 'Command',
      command: 'Command',
      ctrl: 'Control',
      control: 'Control',
      cmdorctrl: 'CommandOrControl',
      commandorcontrol: 'CommandOrControl',
      option: 'Alt',
      alt: 'Alt',
      altgr: 'AltGr',
      shift: 'Shift',
      super: 'Super',
      meta: 'Super',
    };
    return spelled[name] ?? name;
  };
  const order = ['CommandOrControl', 'Command', 'Control', 'Alt', 'AltGr', 'Shift', 'Super'];
  const mods = modifiers.map(canonical).sort((a, b) => order.indexOf(a) - order.indexOf(b));
  const keyName = key.length === 1 ? key.toUpperCase() : key.charAt(0).toUpperCase() + key.slice(1);
  return { ok: true, accelerator: [...mods, keyName].join('+') };
}

/** True when two accelerators name the same keys (however they are spelled). */
export function sameAccelerator(a: string, b: string): boolean {
  const first = checkAccelerator(a);
  const second = checkAccelerator(b);
  return first.ok && second.ok && first.accelerator === second.accelerator;
}

/** An accelerator, or '' for no shortcut. */
const acceleratorSchema = z
  .string()
  .trim()
  .max(64)
  .refine((value) => value === '' || checkAccelerator(value).ok, { message: 'accelerator' });

/** The agent's desk settings (`desk`). */
export const deskSettingsSchema = z
  .object({
    /** The headset whose buttons control calls; null: none. */
    headset: headsetChoiceSchema.nullable(),
    /** Closing the window keeps Calmline running in the tray. */
    closeToTray: z.boolean(),
    /** Start Calmline when the agent logs in. */
    startAtLogin: z.boolean(),
    /** Start in the tray, without showing the window. */
    startMinimised: z.boolean(),
    /** Bring the window to the front when a call rings. */
    bringToFrontOnRing: z.boolean(),
    /** Global shortcuts, working while another application has focus. */
    shortcuts: z.object({ answer: acceleratorSchema, hangUp: acceleratorSchema }),
  })
  .refine(({ shortcuts }) => !sameAccelerator(shortcuts.answer, shortcuts.hangUp), {
    message: 'shortcut-conflict',
    path: ['shortcuts', 'hangUp'],
  });
export type DeskSettings = z.infer<typeof deskSettingsSchema>;

/** The defaults: no headset, close to tray, shortcuts Ctrl/Cmd+Shift+A and +U. */
export const DEFAULT_DESK_SETTINGS: DeskSettings = {
  headset: null,
  closeToTray: true,
  startAtLogin: false,
  startMinimised: false,
  bringToFrontOnRing: true,
  shortcuts: { answer: 'CommandOrControl+Shift+A', hangUp: 'CommandOrControl+Shift+U' },
};

/** Why a global shortcut is not active. */
export const shortcutRefusals = ['conflict', 'taken', 'invalid', 'unavailable'] as const;

/** What the host could set up of the desk, reported by the host. */
export const deskStatusSchema = z.object({
  /** The host has a tray, global shortcuts and a login item (Electron); the web host has none. */
  native: z.boolean(),
  shortcuts: z.array(
    z.object({
      action: z.enum(globalShortcutActions),
      accelerator: z.string().max(64),
      /** null: registered and working. */
      refused: z.enum(shortcutRefusals).nullable(),
    }),
  ),
});
export type DeskStatus = z.infer<typeof deskStatusSchema>;

/** Why a click-to-dial link was refused. */
export const dialLinkRefusals = [
  'too-long',
  'control-characters',
  'unsupported-scheme',
  'malformed',
  'invalid-number',
] as const;
export type DialLinkRefusal = (typeof dialLinkRefusals)[number];

/** A link handed to Calmline, parsed: ask the agent to confirm, or tell them why not. */
export const dialLinkSchema = z.discriminatedUnion('outcome', [
  z.object({
    id: z.string().max(64),
    outcome: z.literal('confirm'),
    /** What `dial` gets: E.164, an extension, or a SIP URI. */
    target: z.string().max(256),
    /** How the agent is asked: `+49 30 123456`. */
    display: z.string().max(256),
  }),
  z.object({
    id: z.string().max(64),
    outcome: z.literal('refused'),
    reason: z.enum(dialLinkRefusals),
    /** A safe excerpt of what arrived (no control characters, at most 80 characters). */
    excerpt: z.string().max(96),
  }),
]);
export type DialLink = z.infer<typeof dialLinkSchema>;
