/**
 * `npm run demo`: a local PBX, the app, and simulated customers ringing in.
 *
 * Starts Kamailio on loopback (the same test bed the integration tests use), then
 * Calmline registered as agent 1001 (Electron where its binary exists and a display
 * is available, otherwise the web host, whose URL is printed), then a SIPp caller
 * every so often, each a different person, one of them with a hostile display name.
 *
 * Options: --interval SECONDS between callers (default 25), --duration SECONDS to
 * stop by itself (default: run until Ctrl-C), --web to use the web host even where
 * Electron exists.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { sanitizeText } from '../src/main/core/phone/caller-identity';
import { findElectronBinary } from '../tests/support/electron-binary';
import { startKamailio } from '../tests/support/kamailio';
import { runSipp } from '../tests/support/sipp';

const { values } = parseArgs({
  options: {
    interval: { type: 'string', default: '25' },
    duration: { type: 'string' },
    web: { type: 'boolean', default: false },
  },
});

/** The people who call, in turn. The third one tests the agent's screen, not the agent. */
const CALLERS = [
  { name: 'Erika Mustermann', number: '+4930123456' },
  { name: 'Ola Nordmann', number: '+4722334455' },
  { name: '<img src=x onerror=alert(1)>\u202Emalicious caller with a very long name '.repeat(20), number: '+15550100' },
  { name: 'مریم رضایی', number: '+982112345678' },
  { name: 'Jean Dupont', number: '+33142685300' },
];

const root = resolve(import.meta.dirname, '..');
const agentUser = '1001';

const hasDisplay = process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);

const kamailio = await startKamailio({ frInvTimerMs: 40_000 });
console.log(`Kamailio (SIP registrar/proxy) on udp 127.0.0.1:${kamailio.udpPort}, ${kamailio.wsUrl}`);

const dataDir = mkdtempSync(join(tmpdir(), 'calmline-demo-'));
const appEnv = {
  ...process.env,
  CALMLINE_WS_URL: kamailio.wsUrl,
  CALMLINE_SIP_URI: `sip:${agentUser}@${kamailio.domain}`,
  CALMLINE_DISPLAY_NAME: 'Demo Agent',
  CALMLINE_USER_DATA_DIR: join(dataDir, 'electron'),
  // The demo's SIPp callers offer plain RTP, which a WebRTC engine cannot take without
  // a media relay: until the demo starts rtpengine, its calls are signalling only.
  CALMLINE_MEDIA: 'signalling',
};

let app: ChildProcess;
const electron = values.web ? undefined : findElectronBinary(root);
if (electron && hasDisplay) {
  console.log('Starting Calmline (Electron)…');
  app = spawn(electron, [root], { env: appEnv, stdio: 'inherit' });
} else {
  console.log(
    electron
      ? 'No display for Electron here; starting the web host instead.'
      : 'The Electron binary is not installed here; starting the web host instead (same core, same UI).',
  );
  app = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/webhost/main.ts'), '--data-dir', join(dataDir, 'web')], {
    env: appEnv,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

let stopping = false;
const runs = new Set<ReturnType<typeof runSipp>>();
async function stop(code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  clearInterval(ticker);
  await Promise.all([...runs].map((run) => run.kill()));
  // Let the app un-REGISTER before its registrar goes away.
  if (app.exitCode === null && app.signalCode === null) {
    const exited = new Promise((done) => app.once('exit', done));
    app.kill('SIGTERM');
    await Promise.race([exited, new Promise((done) => setTimeout(done, 5_000))]);
  }
  await kamailio.stop();
  process.exit(code);
}
app.on('exit', (code) => {
  if (!stopping) {
    console.log(`Calmline exited (${code ?? 'signal'}); stopping the demo.`);
    void stop(code ?? 1);
  }
});
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());

let turn = 0;
function ring(): void {
  const caller = CALLERS[turn % CALLERS.length]!;
  turn += 1;
  // The terminal deserves the same care as the screen: no bidi overrides in the log.
  const shown = sanitizeText(caller.name, 40);
  console.log(`☎  ${shown} (${caller.number}) is calling agent ${agentUser}`);
  const run = runSipp({
    scenario: 'demo-caller.xml',
    kamailio,
    service: agentUser,
    caller: caller.number,
    displayName: caller.name,
    recvTimeoutMs: 60_000,
    timeoutMs: 120_000,
  });
  runs.add(run);
  void run.done.then(() => runs.delete(run));
}

// The first caller rings soon after the app has registered.
setTimeout(ring, 4_000);
const ticker = setInterval(ring, Number(values.interval) * 1000);
if (values.duration) setTimeout(() => void stop(), Number(values.duration) * 1000);
console.log('Callers ring every', values.interval, 's. Press Ctrl-C to stop.');
