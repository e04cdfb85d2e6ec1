/**
 * The text of src/shared/api-routes.ts, computed from the contract's tables. Kept
 * apart from the generator script so the command-table test can compare it with the
 * file on disk.
 */
import { commandChannels, commands, eventChannels, events, type ArgMapping } from './contract';

/** The TypeScript source of the routes module, before formatting. */
export function apiRoutesSource(): string {
  const commandRows = commandChannels.map((channel) => {
    const entry: { method: string; args?: ArgMapping } = commands[channel];
    const args = entry.args === undefined ? '' : `, args: ${JSON.stringify(entry.args)}`;
    return `  ${JSON.stringify(channel)}: { method: ${JSON.stringify(entry.method)}${args} },`;
  });
  const eventRows = eventChannels.map(
    (channel) => `  ${JSON.stringify(channel)}: ${JSON.stringify(events[channel].method)},`,
  );
  return [
    '/**',
    ' * Generated from the command and event tables of src/shared/contract.ts by',
    ' * scripts/generate-api-routes.ts (`npm run generate`): do not edit. Each channel with',
    ' * its renderer method and argument mapping, and no schema, so the preload and the web',
    ' * bridge build the API without loading zod. The `satisfies` clauses make the compiler',
    ' * refuse a file that disagrees with the contract.',
    ' */',
    "import type { CommandChannel, commands, EventChannel, events } from './contract';",
    '',
    '/** Each command channel: its renderer method and how the arguments map onto the request. */',
    'export const commandRoutes = {',
    ...commandRows,
    '} as const satisfies {',
    "  [C in CommandChannel]: Pick<(typeof commands)[C], 'method'> & {",
    '    args?: (typeof commands)[C] extends { readonly args: infer A } ? A : never;',
    '  };',
    '};',
    '',
    '/** Each event channel: its renderer subscribe method. */',
    'export const eventRoutes = {',
    ...eventRows,
    "} as const satisfies { [E in EventChannel]: (typeof events)[E]['method'] };",
    '',
  ].join('\n');
}
