// Makes sure the Debian packages Calmline's demo and tests need are installed:
// Kamailio with WebSocket modules (the SIP server), SIPp (simulated callers),
// Chromium (the UI tests' browser), rtpengine (the media relay of the interop
// test) and PostgreSQL (the caller directory service's database). Installs them
// when running as root; otherwise prints the apt line and fails.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';

const needs = [
  { pkg: 'kamailio', ok: () => has('kamailio') },
  {
    pkg: 'kamailio-websocket-modules',
    ok: () => existsSync('/usr/lib/x86_64-linux-gnu/kamailio/modules/websocket.so') || findModule('websocket.so'),
  },
  { pkg: 'sip-tester', ok: () => has('sipp') },
  { pkg: 'chromium', ok: () => existsSync('/usr/bin/chromium') },
  { pkg: 'rtpengine-daemon', ok: () => has('rtpengine') },
  // PostgreSQL 15: the caller directory service's database (tests start their own server).
  { pkg: 'postgresql', ok: () => existsSync('/usr/lib/postgresql/15/bin/initdb') },
];

function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function findModule(name) {
  const result = spawnSync('sh', ['-c', `ls /usr/lib/*/kamailio/modules/${name}`], { stdio: 'ignore' });
  return result.status === 0;
}

const missing = needs.filter((need) => !need.ok()).map((need) => need.pkg);
if (missing.length === 0) process.exit(0);

const aptLine = `apt-get install -y ${missing.join(' ')}`;
if (process.getuid?.() !== 0) {
  console.error(
    `Calmline needs these Debian packages: ${missing.join(', ')}.\nInstall them with:\n  sudo apt-get update && sudo ${aptLine}`,
  );
  process.exit(1);
}
console.log(`Installing Debian packages: ${missing.join(', ')}`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
// Debian's kamailio package enables a system service on :5060; we run our own
// instances on other ports and leave it alone (no systemd in CI containers anyway).

// rtpengine-daemon enables a system service too (ng on localhost:2223, iptables rules
// for its kernel table). The tests start their own user-space rtpengine and never use
// it, so switch it off: stop it if it was started, and keep it from starting at boot.
if (missing.includes('rtpengine-daemon')) {
  const quiet = { stdio: 'ignore', env };
  if (existsSync('/run/systemd/system')) {
    spawnSync('systemctl', ['disable', '--now', 'rtpengine-daemon.service'], quiet);
  } else {
    spawnSync('invoke-rc.d', ['rtpengine-daemon', 'stop'], quiet);
    if (has('systemctl')) spawnSync('systemctl', ['disable', 'rtpengine-daemon.service'], quiet);
  }
  spawnSync('update-rc.d', ['rtpengine-daemon', 'disable'], quiet);
  console.log('Switched off the rtpengine-daemon system service (the tests run their own rtpengine).');
}

// postgresql creates a system cluster (15/main on :5432) and may start it. The tests and
// `npm run directory` start private servers on their own ports and never use it: stop it,
// and mark it manual so it does not start at boot.
if (missing.includes('postgresql')) {
  const quiet = { stdio: 'ignore', env };
  spawnSync('pg_ctlcluster', ['15', 'main', 'stop'], quiet);
  if (existsSync('/etc/postgresql/15/main/start.conf')) writeFileSync('/etc/postgresql/15/main/start.conf', 'manual\n');
  console.log('Switched off the PostgreSQL system cluster (the tests run their own servers).');
}
