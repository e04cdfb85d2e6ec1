/**
 * What the account settings form sends, checked with the contract's own schema so
 * the renderer's messages can never disagree with what main accepts.
 */
import type { z } from 'zod';
import { accountInputSchema, type AccountInput } from '../../shared/contract';

/** The form's fields, named as in `AccountInput`. */
export const accountFields = ['wsUrl', 'sipUri', 'displayName', 'password'] as const;
export type AccountField = (typeof accountFields)[number];

/** What the agent typed. */
export interface AccountFormValues {
  wsUrl: string;
  sipUri: string;
  displayName: string;
  /** Empty means "keep the saved password" unless `noPassword` is set. */
  password: string;
  /** The server needs no password: clear the saved one. */
  noPassword: boolean;
}

/** Why a field's value was refused, for choosing the message. */
export type FieldProblem =
  { kind: 'ws-url' } | { kind: 'sip-uri' } | { kind: 'too-long'; max: number } | { kind: 'invalid' };

/** The outcome of checking the form: the input to send, or a problem per field. */
export type AccountFormCheck =
  { ok: true; input: AccountInput } | { ok: false; problems: Partial<Record<AccountField, FieldProblem>> };

/**
 * Turns the form's values into the command's input. An empty password field means
 * "unchanged" (`password: undefined`); the "no password" box sends `''`, which
 * clears the stored one.
 */
export function checkAccountForm(values: AccountFormValues): AccountFormCheck {
  const password = values.noPassword ? '' : values.password === '' ? undefined : values.password;
  const parsed = accountInputSchema.safeParse({
    wsUrl: values.wsUrl,
    sipUri: values.sipUri,
    displayName: values.displayName,
    password,
  });
  if (parsed.success) {
    const { wsUrl, sipUri, displayName } = parsed.data;
    return { ok: true, input: { wsUrl, sipUri, displayName, password: parsed.data.password } };
  }
  const problems: Partial<Record<AccountField, FieldProblem>> = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path[0];
    if (!isAccountField(field) || problems[field]) continue;
    problems[field] = toProblem(issue);
  }
  return { ok: false, problems };
}

function isAccountField(value: unknown): value is AccountField {
  return typeof value === 'string' && (accountFields as readonly string[]).includes(value);
}

function toProblem(issue: z.core.$ZodIssue): FieldProblem {
  if (issue.code === 'too_big') return { kind: 'too-long', max: Number(issue.maximum) };
  // The contract names its two format checks by message.
  if (issue.message === 'ws-url') return { kind: 'ws-url' };
  if (issue.message === 'sip-uri') return { kind: 'sip-uri' };
  return { kind: 'invalid' };
}
