/**
 * A SIP account preset from the environment, so IT scripts, the demo and the tests
 * can start a configured app without clicking through the settings form.
 *
 *   CALMLINE_WS_URL, CALMLINE_SIP_URI, CALMLINE_DISPLAY_NAME, CALMLINE_SIP_PASSWORD
 */
import { accountInputSchema, type AccountInput } from '../shared/contract';
import { describeIssues } from './command-router';

/** The preset account, `undefined` when none is set, or an error naming the bad variable. */
export function accountFromEnvironment(
  env: Record<string, string | undefined>,
): { account: AccountInput } | { error: string } | undefined {
  if (!env.CALMLINE_WS_URL && !env.CALMLINE_SIP_URI) return undefined;
  const parsed = accountInputSchema.safeParse({
    wsUrl: env.CALMLINE_WS_URL ?? '',
    sipUri: env.CALMLINE_SIP_URI ?? '',
    displayName: env.CALMLINE_DISPLAY_NAME ?? '',
    password: env.CALMLINE_SIP_PASSWORD,
  });
  if (!parsed.success) return { error: `CALMLINE_* account preset ignored: ${describeIssues(parsed.error)}` };
  return { account: parsed.data };
}
