// Runs every check `npm test` promises, in order: typecheck, lint, then the unit,
// integration (real Kamailio + SIPp) and end-to-end (Chromium + web host) suites.
// It ends with one plain line, `N passed, N failed, N skipped`, summed over all of
// them (typecheck and lint count as one check each), and exits non-zero on any
// failure.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const resultsDir = 'test-results';
rmSync(resultsDir, { recursive: true, force: true });
mkdirSync(resultsDir, { recursive: true });

const totals = { passed: 0, failed: 0, skipped: 0 };
const lines = [];

function run(label, command, args) {
  console.log(`\n=== ${label}: ${command} ${args.join(' ')}`);
  const started = Date.now();
  const result = spawnSync(command, args, { stdio: 'inherit', env: process.env });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  return { ok: result.status === 0, seconds };
}

function check(label, command, args) {
  const { ok, seconds } = run(label, command, args);
  if (ok) totals.passed += 1;
  else totals.failed += 1;
  lines.push(`${label}: ${ok ? 'passed' : 'FAILED'} (${seconds} s)`);
}

/**
 * The end-to-end suite runs in a network namespace that has only loopback, where that
 * is possible (root, util-linux `unshare`, iproute2 `ip`): WebRTC's ICE then has 127.0.0.1
 * and nothing else to pair, so the audio tests cannot wander onto another interface
 * (docs/webrtc-audio.md#a1), and no test can reach past this machine.
 */
function loopbackOnly() {
  if (process.getuid?.() !== 0) return { wrap: undefined, why: 'not root' };
  const probe = spawnSync('unshare', ['--net', 'sh', '-c', 'ip link set lo up'], { stdio: 'ignore' });
  return probe.status === 0
    ? { wrap: ['unshare', '--net', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"'] }
    : { wrap: undefined, why: 'unshare --net failed' };
}

function suite(project) {
  const report = join(resultsDir, `${project}.json`);
  const vitest = [
    'npx',
    'vitest',
    'run',
    '--project',
    project,
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
  ];
  let command = vitest;
  if (project === 'e2e') {
    const { wrap, why } = loopbackOnly();
    if (wrap) command = [...wrap, ...vitest];
    lines.push(
      `e2e network: ${wrap ? 'a namespace with loopback only' : `the host's (${why}): ICE may also pair other interfaces`}`,
    );
  }
  const { ok, seconds } = run(project, command[0], command.slice(1));
  let counts = { passed: 0, failed: 0, skipped: 0 };
  try {
    const json = JSON.parse(readFileSync(report, 'utf8'));
    counts = {
      passed: json.numPassedTests,
      failed: json.numFailedTests,
      skipped: json.numPendingTests + json.numTodoTests,
    };
    // A suite that crashed before or after its tests still fails the run.
    if (!ok && counts.failed === 0) counts.failed = 1;
  } catch {
    counts.failed += 1;
  }
  totals.passed += counts.passed;
  totals.failed += counts.failed;
  totals.skipped += counts.skipped;
  lines.push(`${project}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped (${seconds} s)`);
}

check('typecheck', 'npm', ['run', '--silent', 'typecheck']);
check('lint', 'npm', ['run', '--silent', 'lint']);
for (const project of ['unit', 'integration', 'e2e']) suite(project);

console.log('\n=== Summary');
for (const line of lines) console.log(line);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed === 0 ? 0 : 1);
