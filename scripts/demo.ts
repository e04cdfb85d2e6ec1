/**
 * `npm run demo`: a local PBX, the app, and simulated customers ringing in.
 *
 * Starts rtpengine and Kamailio on loopback (the same test bed the tests use: the
 * PBX bridges the app's WebRTC audio to the callers' plain RTP), then Calmline
 * registered as agent 1001 (Electron where its binary exists and a display is
 * available, otherwise the web host, whose URL is printed), then a SIPp caller every
 * so often, each a different person, one of them with a hostile display name. Each
 * caller "speaks" (a generated murmur) once answered, and hears the agent.
 *
 * Options: --interval SECONDS between callers (default 25), --duration SECONDS to
 * stop by itself (default: run until Ctrl-C), --web to use the web host even where
 * Electron exists.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { sanitizeDisplayText } from '../src/shared/display-text';
import { findElectronBinary } from '../tests/support/electron-binary';
import { linearToUlaw, PCMU_RATE } from '../tests/support/audio/pcmu';
import { startKamailio } from '../tests/support/kamailio';
import { startRtpEngine } from '../tests/support/rtpengine';
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

// rtpengine first: Kamailio checks that it answers when it starts.
const rtpengine = await startRtpEngine({ mediaPorts: 200 });
const kamailio = await startKamailio({ frInvTimerMs: 40_000, rtpengine: { ngSocket: rtpengine.ngSocket } });
console.log(`Kamailio (SIP registrar/proxy) on udp 127.0.0.1:${kamailio.udpPort}, ${kamailio.wsUrl}`);
console.log(`rtpengine (media relay: the app's WebRTC ↔ the callers' plain RTP) on ${rtpengine.ngSocket}`);

const dataDir = mkdtempSync(join(tmpdir(), 'calmline-demo-'));
const voiceFile = join(dataDir, 'caller-voice.ulaw');
writeFileSync(voiceFile, murmur());
// SIPp reads rtp_stream's file name when it loads the scenario, before any keyword is
// replaced: the scenario gets the file's path written in.
const callerScenario = join(dataDir, 'demo-caller.xml');
writeFileSync(
  callerScenario,
  readFileSync(join(import.meta.dirname, '../tests/sipp/demo-caller.xml'), 'utf8').replace(
    'rtp_stream="[voice],',
    `rtp_stream="${voiceFile},`,
  ),
);

/**
 * Eight seconds of something like a voice on a phone line, as raw PCMU for SIPp's
 * rtp_stream: "syllables" of a gliding 110–190 Hz pitch with a few harmonics shaped
 * like vowels, in phrases with pauses. Soft, so a demo left running is not a nuisance.
 */
function murmur(): Buffer {
  const seconds = 8;
  // Silence is PCMU 0xFF, not 0x00 (which is full scale).
  const samples = Buffer.alloc(seconds * PCMU_RATE, linearToUlaw(0));
  let random = 7;
  const next = () => (random = (random * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  let t = 0.3;
  const syllables: Array<{ start: number; length: number; pitch: number; vowel: number }> = [];
  while (t < seconds - 0.6) {
    const words = 3 + Math.floor(next() * 5);
    for (let w = 0; w < words && t < seconds - 0.4; w += 1) {
      const length = 0.12 + next() * 0.2;
      syllables.push({ start: t, length, pitch: 110 + next() * 80, vowel: Math.floor(next() * 3) });
      t += length + 0.03 + next() * 0.06;
    }
    t += 0.35 + next() * 0.5; // a breath between phrases
  }
  // Harmonic weights that sound roughly like "a", "o" and "e".
  const vowels = [
    [1, 0.7, 0.9, 0.5, 0.3, 0.15],
    [1, 0.9, 0.4, 0.2, 0.1, 0.05],
    [1, 0.4, 0.2, 0.5, 0.6, 0.3],
  ];
  for (const syllable of syllables) {
    const from = Math.floor(syllable.start * PCMU_RATE);
    const count = Math.floor(syllable.length * PCMU_RATE);
    let phase = 0;
    for (let i = 0; i < count && from + i < samples.length; i += 1) {
      const progress = i / count;
      const pitch = syllable.pitch * (1 + 0.15 * Math.sin(Math.PI * progress) - 0.1 * progress);
      phase += (2 * Math.PI * pitch) / PCMU_RATE;
      const envelope = Math.sin(Math.PI * progress) ** 0.6;
      let value = 0;
      vowels[syllable.vowel]!.forEach((weight, h) => {
        value += weight * Math.sin((h + 1) * phase);
      });
      samples[from + i] = linearToUlaw(Math.round(value * envelope * 2_600));
    }
  }
  return samples;
}
const appEnv = {
  ...process.env,
  CALMLINE_WS_URL: kamailio.wsUrl,
  CALMLINE_SIP_URI: `sip:${agentUser}@${kamailio.domain}`,
  CALMLINE_DISPLAY_NAME: 'Demo Agent',
  CALMLINE_USER_DATA_DIR: join(dataDir, 'electron'),
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
  app = spawn(
    process.execPath,
    ['--import', 'tsx', join(root, 'src/webhost/main.ts'), '--data-dir', join(dataDir, 'web')],
    {
      env: appEnv,
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
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
  await rtpengine.stop();
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
  const shown = sanitizeDisplayText(caller.name, 40);
  console.log(`☎  ${shown} (${caller.number}) is calling agent ${agentUser}`);
  const run = runSipp({
    scenario: callerScenario,
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
