/**
 * The main process's boundary for commands: every payload arrives as `unknown`, is
 * parsed with the contract's schema, dispatched to its handler, and answered as a
 * `Result`. Both hosts (Electron IPC and the web host's WebSocket) call the same
 * router, so validation cannot differ between them.
 */
import type { z } from 'zod';
import {
  commands,
  isCommandChannel,
  type CommandChannel,
  type CommandRequest,
  type CommandResponse,
} from '../shared/contract';
import { fail, ok, type Result } from '../shared/result';
import { toCommandError } from './command-error';
import type { CoreLogger } from './logger';

/** One handler per command of the contract; the compiler checks none is missing. */
export type CommandHandlers = {
  [C in CommandChannel]: (request: CommandRequest<C>) => Promise<CommandResponse<C>> | CommandResponse<C>;
};

/** The handler of the command `C`. */
export type CommandHandler<C extends CommandChannel> = CommandHandlers[C];

/** Dispatches an untrusted command; never throws. */
export type CommandRouter = (channel: unknown, payload: unknown) => Promise<Result<unknown>>;

/** Formats zod issues as `path: message` lines without echoing the input back. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(payload)'}: ${issue.message}`)
    .join('; ');
}

/** Builds the router over a complete set of handlers. */
export function createCommandRouter(handlers: CommandHandlers, logger: CoreLogger): CommandRouter {
  return async (channel, payload) => {
    if (!isCommandChannel(channel)) {
      return fail('unknown-channel', 'Unknown command.');
    }
    const schema = commands[channel];
    const parsed = schema.request.safeParse(payload);
    if (!parsed.success) {
      return fail('invalid-payload', describeIssues(parsed.error));
    }
    try {
      const handler = handlers[channel] as (request: unknown) => unknown;
      const value = await handler(parsed.data);
      // Parsing the answer too strips anything the contract does not name, so a
      // handler can never leak a field (a password, a sip.js object) to the renderer.
      const answer = schema.response.safeParse(value);
      if (!answer.success) {
        logger.error(`Handler for ${channel} broke the contract: ${describeIssues(answer.error)}`);
        return fail('internal', 'The app answered in an unexpected shape.');
      }
      return ok(answer.data);
    } catch (error) {
      const refusal = toCommandError(error, (unexpected) =>
        logger.error(
          `Command ${channel} failed: ${unexpected instanceof Error ? (unexpected.stack ?? unexpected.message) : String(unexpected)}`,
        ),
      );
      return fail(refusal.code, refusal.message);
    }
  };
}
