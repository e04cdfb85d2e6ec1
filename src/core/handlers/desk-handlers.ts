/** The desk's commands: its settings and what the host could set up (docs/desk.md). */
import type { CommandHandlers } from '../command-router';
import type { Desk } from '../desk/desk';

/** The channels these handlers answer. */
export type DeskCommand = 'settings:get-desk' | 'settings:save-desk' | 'desk:get-status' | 'desk:take-dial-link';

/** Builds the handlers of the desk commands. */
export function createDeskHandlers(
  desk: Pick<Desk, 'settings' | 'save' | 'status' | 'takeLink'>,
): Pick<CommandHandlers, DeskCommand> {
  return {
    'settings:get-desk': () => desk.settings(),
    'settings:save-desk': (settings) => desk.save(settings),
    'desk:get-status': () => desk.status(),
    'desk:take-dial-link': () => desk.takeLink(),
  };
}
