/**
 * The one IPC contract between the main process (the authority) and the renderer.
 *
 * Every renderer→main command and main→renderer event is listed here with a runtime
 * schema; the static types are derived from the schemas so the two can never drift.
 * The main process parses every incoming payload with these schemas (see
 * `src/main/core/command-router.ts`); the preload and the web bridge only forward.
 */
import { z } from 'zod';

/** Longest caller name the core hands to the renderer, in user-perceived characters. */
export const MAX_DISPLAY_NAME_LENGTH = 64;

const callId = z.string().min(1).max(128);

/** Where the SIP user agent stands with the registrar. */
export const registrationSchema = z.discriminatedUnion('status', [
  /** No SIP account is configured yet. */
  z.object({ status: z.literal('unconfigured') }),
  z.object({ status: z.literal('connecting') }),
  z.object({ status: z.literal('registered'), aor: z.string() }),
  z.object({ status: z.literal('failed'), reason: z.string() }),
  z.object({ status: z.literal('stopped') }),
]);
export type Registration = z.infer<typeof registrationSchema>;

export const callStates = ['ringing', 'dialing', 'active', 'ended'] as const;
/** The states a call moves through; see `src/main/core/phone/call-state.ts`. */
export type CallState = (typeof callStates)[number];

export const callEndReasons = [
  'local-hangup',
  'remote-hangup',
  'declined',
  'caller-cancelled',
  'failed',
] as const;
export type CallEndReason = (typeof callEndReasons)[number];

/**
 * A call as the renderer sees it: plain data, already sanitised (the name is safe
 * to show as text; it never contains markup meant to be interpreted, control or
 * bidi-override characters, and is at most MAX_DISPLAY_NAME_LENGTH long).
 */
export const callViewSchema = z.object({
  id: callId,
  direction: z.enum(['incoming', 'outgoing']),
  state: z.enum(callStates),
  /** Sanitised caller (or callee) name; empty when the peer sent none. */
  remoteName: z.string(),
  /** Sanitised number or SIP user part, for display and lookups. */
  remoteNumber: z.string(),
  offeredAt: z.number(),
  answeredAt: z.number().nullable(),
  endedAt: z.number().nullable(),
  endReason: z.enum(callEndReasons).nullable(),
});
export type CallView = z.infer<typeof callViewSchema>;

/** Everything the first screen needs, pushed whole on every change. */
export const phoneStateSchema = z.object({
  registration: registrationSchema,
  calls: z.array(callViewSchema),
});
export type PhoneState = z.infer<typeof phoneStateSchema>;

const wsUrl = z
  .string()
  .trim()
  .max(2048)
  .refine((value) => /^wss?:\/\/[^\s/]+/i.test(value) && URL.canParse(value), {
    message: 'ws-url',
  });

const sipUri = z
  .string()
  .trim()
  .max(512)
  .regex(/^sips?:[^@\s<>"]+@[^@\s<>";]+$/i, { message: 'sip-uri' });

/** The SIP account as the renderer may see it: never the password itself. */
export const accountViewSchema = z.object({
  wsUrl: z.string(),
  sipUri: z.string(),
  displayName: z.string(),
  hasPassword: z.boolean(),
});
export type AccountView = z.infer<typeof accountViewSchema>;

/**
 * What the settings form sends. `password` absent means "keep the stored one";
 * an empty string clears it (for servers without authentication).
 */
export const accountInputSchema = z.object({
  wsUrl,
  sipUri,
  displayName: z.string().trim().max(MAX_DISPLAY_NAME_LENGTH),
  password: z.string().max(256).optional(),
});
export type AccountInput = z.infer<typeof accountInputSchema>;

const callRef = z.object({ callId });

/**
 * Renderer→main commands: channel name → request and response schema.
 * Adding a command here is the only way to add one.
 */
export const commands = {
  'phone:get-state': { request: z.undefined(), response: phoneStateSchema },
  'call:answer': { request: callRef, response: z.void() },
  'call:decline': { request: callRef, response: z.void() },
  'call:hang-up': { request: callRef, response: z.void() },
  'settings:get-account': { request: z.undefined(), response: accountViewSchema },
  'settings:save-account': { request: accountInputSchema, response: accountViewSchema },
} as const;

/** Main→renderer events: channel name → payload schema. */
export const events = {
  'phone:state': phoneStateSchema,
} as const;

export type CommandChannel = keyof typeof commands;
export type EventChannel = keyof typeof events;
export type CommandRequest<C extends CommandChannel> = z.infer<(typeof commands)[C]['request']>;
export type CommandResponse<C extends CommandChannel> = z.infer<(typeof commands)[C]['response']>;
export type EventPayload<E extends EventChannel> = z.infer<(typeof events)[E]>;

/** True when `channel` names a command of the contract (and not, say, `__proto__`). */
export function isCommandChannel(channel: unknown): channel is CommandChannel {
  return typeof channel === 'string' && Object.hasOwn(commands, channel);
}
