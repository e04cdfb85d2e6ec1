/**
 * Where managed policy comes from on each OS, behind one interface so tests drive
 * every reader from fixtures:
 *
 * - Windows: the registry, `HKLM\Software\Policies\Calmline` (locked) and its
 *   `Recommended` subkey (defaults), then the same under HKCU (per user, lower
 *   priority). Read through an injected {@link RegistryReader}; the real one runs
 *   `reg query` and parses its output.
 * - macOS: managed preferences written by an MDM profile,
 *   `/Library/Managed Preferences/<user>/com.calmline.app.plist` then
 *   `/Library/Managed Preferences/com.calmline.app.plist`; top-level keys are locked,
 *   the `Recommended` dictionary holds defaults.
 * - Linux: `/etc/calmline/policy.json`, the same shape as the plist.
 *
 * A reader never throws: an unreadable source comes back as an `error` naming it.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parsePlist } from 'plist';
import type { PolicyLevel } from '../../shared/policy';

/** What one source said at one level: raw values by key, or why it could not be read. */
export type PolicySourceRead =
  { source: string; level: PolicyLevel; values: Record<string, unknown> } | { source: string; error: string };

/** One value of a registry key, as `reg query` lists it. */
export interface RegistryValue {
  name: string;
  type: 'REG_SZ' | 'REG_EXPAND_SZ' | 'REG_DWORD' | 'REG_QWORD' | 'REG_MULTI_SZ' | 'REG_BINARY' | 'REG_NONE';
  /** Strings as they are, DWORD/QWORD as numbers, MULTI_SZ as a list of strings. */
  value: string | number | string[];
}

/** Reads one registry key's values; `undefined` when the key does not exist. */
export interface RegistryReader {
  readKey(path: string): Promise<RegistryValue[] | undefined>;
}

/** The registry keys read, highest priority first. */
export const WINDOWS_POLICY_KEYS: ReadonlyArray<{ path: string; level: PolicyLevel }> = [
  { path: 'HKLM\\Software\\Policies\\Calmline', level: 'locked' },
  { path: 'HKCU\\Software\\Policies\\Calmline', level: 'locked' },
  { path: 'HKLM\\Software\\Policies\\Calmline\\Recommended', level: 'recommended' },
  { path: 'HKCU\\Software\\Policies\\Calmline\\Recommended', level: 'recommended' },
];

/** The macOS preference domain (the bundle id). */
export const MAC_POLICY_DOMAIN = 'com.calmline.app';
/** The Linux policy file. */
export const LINUX_POLICY_FILE = '/etc/calmline/policy.json';

const REGISTRY_LINE = /^ {4}(.*?) {4}(REG_[A-Z_]+)(?: {4}(.*))?$/;

/**
 * Parses the output of `reg query <key>` (values only; subkeys are listed as bare
 * paths and skipped). DWORDs print as `0x1e`, MULTI_SZ joins its parts with `\0`.
 */
export function parseRegQueryOutput(output: string): RegistryValue[] {
  const values: RegistryValue[] = [];
  for (const line of output.split(/\r?\n/)) {
    const match = REGISTRY_LINE.exec(line);
    if (!match) continue;
    const [, rawName = '', type = 'REG_NONE', data = ''] = match;
    const name = rawName === '(Default)' ? '' : rawName;
    if (name === '') continue;
    switch (type) {
      case 'REG_DWORD':
      case 'REG_QWORD':
        values.push({ name, type, value: Number.parseInt(data, 16) });
        break;
      case 'REG_MULTI_SZ':
        values.push({ name, type, value: data === '' ? [] : data.split('\\0').filter((part) => part !== '') });
        break;
      case 'REG_SZ':
      case 'REG_EXPAND_SZ':
      case 'REG_BINARY':
      case 'REG_NONE':
        values.push({ name, type, value: data });
        break;
      default:
        // An unknown type is kept as text so the key is reported, not lost silently.
        values.push({ name, type: 'REG_NONE', value: data });
    }
  }
  return values;
}

/** Runs a command and answers its stdout, or the error (the `execFile` seam tests replace). */
export type RunCommand = (file: string, args: readonly string[]) => Promise<{ stdout: string; code: number }>;

/** Runs a real process. */
export const runCommand: RunCommand = (file, args) =>
  new Promise((resolve) => {
    execFile(file, [...args], { windowsHide: true, timeout: 10_000, encoding: 'utf8' }, (error, stdout) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ stdout, code });
    });
  });

/**
 * The real registry reader: `reg query "<key>"`. Exit code 1 with no output means
 * the key does not exist (no policy of that kind), which is not an error.
 */
export function createRegQueryReader(run: RunCommand = runCommand): RegistryReader {
  return {
    async readKey(path) {
      const { stdout, code } = await run('reg.exe', ['query', path]);
      if (code !== 0) return undefined;
      return parseRegQueryOutput(stdout);
    },
  };
}

/** Reads the four policy keys of the registry. */
export async function readWindowsPolicy(reader: RegistryReader): Promise<PolicySourceRead[]> {
  const reads: PolicySourceRead[] = [];
  for (const { path, level } of WINDOWS_POLICY_KEYS) {
    try {
      const values = await reader.readKey(path);
      if (values === undefined) continue;
      const record: Record<string, unknown> = {};
      for (const entry of values) record[entry.name] = entry.value;
      reads.push({ source: path, level, values: record });
    } catch (error) {
      reads.push({ source: path, error: `cannot be read: ${describe(error)}` });
    }
  }
  return reads;
}

/** A file reader the tests may replace; answers undefined when the file does not exist. */
export type ReadTextFile = (path: string) => Promise<string | undefined>;

const readTextFile: ReadTextFile = async (path) => {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
};

/** Splits a document `{ …locked keys, Recommended: { …defaults } }` into its two levels. */
function splitLevels(source: string, document: unknown): PolicySourceRead[] {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    return [{ source, error: 'must be a dictionary of policy keys' }];
  }
  const { Recommended: recommended, ...locked } = document as Record<string, unknown>;
  const reads: PolicySourceRead[] = [{ source, level: 'locked', values: locked }];
  if (recommended !== undefined) {
    if (typeof recommended !== 'object' || recommended === null || Array.isArray(recommended)) {
      reads.push({ source: `${source} (Recommended)`, error: 'Recommended must be a dictionary of policy keys' });
    } else {
      reads.push({
        source: `${source} (Recommended)`,
        level: 'recommended',
        values: recommended as Record<string, unknown>,
      });
    }
  }
  return reads;
}

/** Options of {@link readMacPolicy}. */
export interface MacPolicyOptions {
  /** The OS user name, for the per-user managed preferences. */
  username: string;
  /** Default: `/Library/Managed Preferences`. */
  root?: string;
  readText?: ReadTextFile;
  /** Converts a binary plist to XML (`plutil -convert xml1 -o - <file>` on a Mac). */
  run?: RunCommand;
}

/**
 * Reads the managed preferences an MDM profile installed: the user's first (they
 * win), then the machine's. Binary plists are converted with `plutil` first.
 */
export async function readMacPolicy(options: MacPolicyOptions): Promise<PolicySourceRead[]> {
  const root = options.root ?? '/Library/Managed Preferences';
  const read = options.readText ?? readTextFile;
  const paths = [join(root, options.username, `${MAC_POLICY_DOMAIN}.plist`), join(root, `${MAC_POLICY_DOMAIN}.plist`)];
  const reads: PolicySourceRead[] = [];
  for (const path of paths) {
    try {
      let text = await read(path);
      if (text === undefined) continue;
      if (text.startsWith('bplist')) {
        const converted = await (options.run ?? runCommand)('plutil', ['-convert', 'xml1', '-o', '-', path]);
        if (converted.code !== 0) throw new Error('plutil could not convert the binary plist');
        text = converted.stdout;
      }
      reads.push(...splitLevels(path, parsePlist(text)));
    } catch (error) {
      reads.push({ source: path, error: `cannot be read: ${describe(error)}` });
    }
  }
  return reads;
}

/** Reads `/etc/calmline/policy.json` (or `path`). */
export async function readLinuxPolicy(
  options: { path?: string; readText?: ReadTextFile } = {},
): Promise<PolicySourceRead[]> {
  const path = options.path ?? LINUX_POLICY_FILE;
  try {
    const text = await (options.readText ?? readTextFile)(path);
    if (text === undefined) return [];
    return splitLevels(path, JSON.parse(text));
  } catch (error) {
    return [{ source: path, error: `cannot be read: ${describe(error)}` }];
  }
}

/** Reads the policy of the OS this runs on. */
export async function readSystemPolicy(options: {
  platform: NodeJS.Platform;
  username: string;
  registry?: RegistryReader;
}): Promise<PolicySourceRead[]> {
  switch (options.platform) {
    case 'win32':
      return readWindowsPolicy(options.registry ?? createRegQueryReader());
    case 'darwin':
      return readMacPolicy({ username: options.username });
    default:
      return readLinuxPolicy();
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]!.slice(0, 200) : String(error).slice(0, 200);
}
