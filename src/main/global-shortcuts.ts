/**
 * Global shortcuts (docs/desk.md#shortcuts): Answer and Hang up, registered with
 * Electron's `globalShortcut` so they work while another application has focus.
 * Registration refuses conflicts and says why, so the settings can show it. The
 * registry is injected, so this is tested in Node (tests/unit/main/desk-glue.test.ts).
 */
import { checkAccelerator, type DeskSettings, type DeskStatus, type GlobalShortcutAction } from '../shared/desk';

/** The part of Electron's `globalShortcut` used here. */
export interface ShortcutRegistry {
  register(accelerator: string, callback: () => void): boolean;
  unregister(accelerator: string): void;
  isRegistered(accelerator: string): boolean;
}

/** What one registration pass did. */
export interface AppliedShortcuts {
  /** The accelerators now registered by us (to unregister on the next pass). */
  registered: string[];
  status: DeskStatus['shortcuts'];
}

/**
 * Unregisters `previous`, then registers each binding in order. A binding is refused
 * as `invalid` when the accelerator is not one, `conflict` when an earlier binding or
 * another part of Calmline holds the same keys, and `taken` when the OS or another
 * application does (register fails). An empty binding is off and not listed.
 */
export function applyShortcuts(
  registry: ShortcutRegistry,
  previous: readonly string[],
  bindings: DeskSettings['shortcuts'],
  run: (action: GlobalShortcutAction) => void,
): AppliedShortcuts {
  for (const accelerator of previous) registry.unregister(accelerator);
  const registered: string[] = [];
  const status: DeskStatus['shortcuts'] = [];
  const entries: [GlobalShortcutAction, string][] = [
    ['answer', bindings.answer],
    ['hangUp', bindings.hangUp],
  ];
  for (const [action, raw] of entries) {
    const value = raw.trim();
    if (value === '') continue;
    const checked = checkAccelerator(value);
    if (!checked.ok) {
      status.push({ action, accelerator: value.slice(0, 64), refused: 'invalid' });
      continue;
    }
    const { accelerator } = checked;
    if (registered.includes(accelerator) || registry.isRegistered(accelerator)) {
      status.push({ action, accelerator, refused: 'conflict' });
      continue;
    }
    let ok: boolean;
    try {
      ok = registry.register(accelerator, () => run(action));
    } catch {
      // Electron throws on an accelerator the platform cannot take.
      ok = false;
    }
    if (ok) registered.push(accelerator);
    status.push({ action, accelerator, refused: ok ? null : 'taken' });
  }
  return { registered, status };
}
