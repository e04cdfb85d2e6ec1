/**
 * The diagnostics bundle for the IT helpdesk, as text: the version, the OS, where
 * the phone stands with the registrar, the last warnings and errors, the policy in
 * force with the source of every key, the update state and where the log files are.
 * The agent copies it ("Copy diagnostics") or saves it as a file IT collects. It
 * passes the same {@link Redactor} as the log, so it never carries a secret, a note
 * or a full caller number.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { arch, platform, release } from 'node:os';
import { join } from 'node:path';
import type { Registration } from '../../shared/contract';
import type { Clock } from '../clock';
import type { EffectivePolicy } from '../policy/policy';
import type { UpdateState } from '../updates/update-scheduler';
import type { LoggedProblem } from './file-log';
import type { Redactor } from './redactor';

/** Options of {@link Diagnostics}. */
export interface DiagnosticsOptions {
  appVersion: string;
  /** `electron` or `web host`, with the runtime versions worth knowing. */
  runtime: string;
  redactor: Redactor;
  policy: EffectivePolicy;
  clock: Clock;
  /** The log files, when the host writes one. */
  log?: { dir: string; recentProblems(): LoggedProblem[]; flush(): Promise<void> };
  updates?: () => UpdateState | undefined;
  /** Where saved bundles go. */
  outputDir?: string;
  /** For tests: the OS line. */
  os?: string;
}

/** Builds and saves the bundle. */
export class Diagnostics {
  constructor(private readonly options: DiagnosticsOptions) {}

  /** The bundle as text, redacted. */
  text(registration: Registration): string {
    const { options } = this;
    const lines: string[] = [];
    lines.push('# Calmline diagnostics', '');
    lines.push(`Generated: ${new Date(options.clock.now()).toISOString()}`);
    lines.push(`Version: ${options.appVersion}`);
    lines.push(`Runtime: ${options.runtime}`);
    lines.push(`OS: ${options.os ?? `${platform()} ${release()} (${arch()})`}`);
    lines.push('', '## Registration', describeRegistration(registration));
    lines.push('', '## Policy in force');
    const { policy } = options;
    if (policy.values.size === 0) lines.push('No managed policy applies.');
    for (const value of policy.values.values()) {
      lines.push(
        `- ${value.key} = ${JSON.stringify(withoutCredentials(value.value))} (${value.level}, ${value.source})`,
      );
    }
    lines.push(`Sources read: ${policy.sources.length ? policy.sources.join('; ') : 'none'}`);
    if (policy.issues.length) {
      lines.push('Policy problems (these keys were ignored; their defaults apply):');
      for (const issue of policy.issues) lines.push(`- ${issue.source}: ${issue.key}: ${issue.reason}`);
    }
    lines.push('', '## Updates', describeUpdates(options.updates?.()));
    lines.push('', '## Recent warnings and errors');
    const problems = options.log?.recentProblems() ?? [];
    if (problems.length === 0) lines.push('None.');
    for (const problem of problems) lines.push(`- ${problem.at} ${problem.level}: ${problem.message}`);
    lines.push('', '## Log files', options.log ? options.log.dir : 'This app writes no log file (stderr only).');
    return options.redactor.redact(lines.join('\n')) + '\n';
  }

  /** Writes the bundle to a file and answers its path. */
  async save(registration: Registration): Promise<string> {
    if (!this.options.outputDir) throw new Error('No folder for diagnostics is configured.');
    await this.options.log?.flush();
    await mkdir(this.options.outputDir, { recursive: true, mode: 0o700 });
    const stamp = new Date(this.options.clock.now()).toISOString().replace(/[:.]/g, '-');
    const path = join(this.options.outputDir, `calmline-diagnostics-${stamp}.txt`);
    await writeFile(path, this.text(registration), { mode: 0o600 });
    return path;
  }
}

function describeRegistration(registration: Registration): string {
  switch (registration.status) {
    case 'registered':
      return `registered as ${registration.aor}`;
    case 'failed':
      return `failed: ${registration.reason}`;
    default:
      return registration.status;
  }
}

function describeUpdates(state: UpdateState | undefined): string {
  if (!state) return 'Not managed by this app.';
  switch (state.status) {
    case 'disabled':
      return state.reason === 'policy' ? 'Switched off by policy.' : 'No update feed configured.';
    case 'idle':
      return state.lastCheckedAt
        ? `Up to date (checked ${new Date(state.lastCheckedAt).toISOString()}).`
        : 'Not checked yet.';
    case 'error':
      return `Last check failed at ${new Date(state.at).toISOString()}: ${state.message}`;
    case 'checking':
      return 'Checking.';
    default:
      return `${state.status} ${state.version}`;
  }
}

/** TURN passwords and the like never go into the bundle. */
function withoutCredentials(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutCredentials);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, field]) =>
        /credential|password|secret|token/i.test(key) ? [key, '[redacted]'] : [key, withoutCredentials(field)],
      ),
    );
  }
  return value;
}
