/**
 * The helpdesk's diagnostics: the bundle as text for "Copy diagnostics", and the
 * same saved as a file. Built and redacted in src/core/diagnostics/diagnostics.ts.
 */
import type { Registration } from '../../shared/contract';
import type { CommandHandler, CommandHandlers } from '../command-router';
import type { Diagnostics } from '../diagnostics/diagnostics';
import { PhoneError } from '../phone/phone-error';

/** The channels these handlers answer. */
export type DiagnosticsCommand = 'diagnostics:get' | 'diagnostics:save';

/** What the diagnostics handlers need. */
export interface DiagnosticsHandlerDeps {
  diagnostics: Diagnostics;
  registration(): Registration;
}

/** Builds the handlers of the diagnostics commands. */
export function createDiagnosticsHandlers(deps: DiagnosticsHandlerDeps): Pick<CommandHandlers, DiagnosticsCommand> {
  const handleGet: CommandHandler<'diagnostics:get'> = () => ({ text: deps.diagnostics.text(deps.registration()) });
  const handleSave: CommandHandler<'diagnostics:save'> = async () => {
    try {
      return { path: await deps.diagnostics.save(deps.registration()) };
    } catch {
      throw new PhoneError('storage-unavailable', 'The diagnostics file could not be written.');
    }
  };
  return { 'diagnostics:get': handleGet, 'diagnostics:save': handleSave };
}
