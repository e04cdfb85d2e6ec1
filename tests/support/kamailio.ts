/**
 * A private Kamailio 5.6 registrar + stateful proxy for integration tests.
 *
 * Each `startKamailio()` gets its own loopback ports, temp dir, config, pid file, run dir and ctl
 * socket, so several can run in parallel and never touch the system Kamailio service. The config
 * follows the test-bed entries K1–K5 of docs/sipjs-pitfalls.md#k1 (WS NAT handling, a single
 * reply route, handle_lost_tcp, short tm timers).
 *
 * Typical use:
 *   const k = await startKamailio();
 *   afterAll(() => k.stop());            // or onTestFinished(() => k.stop())
 */
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { request as httpRequest } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Daemon } from './daemon';
import { isPortBound, isTcpListening, releasePort, reservePort } from './ports.js';

/** Debian's compiled-in module directory (the shipped example configs point elsewhere). */
export const KAMAILIO_MODULE_DIR = '/usr/lib/x86_64-linux-gnu/kamailio/modules/';

const TEMP_PREFIX = 'calmline-kamailio-';
const MAX_LOG_CHARS = 4_000_000;

/**
 * Which `sanity_check()` tests run on incoming requests. The bitmasks are the sanity module's
 * `msg_checks` / `uri_checks`. The default is deliberately lax (see {@link DEFAULT_SANITY}).
 */
export interface SanityChecks {
  /** sanity module message checks bitmask. */
  messageChecks: number;
  /** sanity module URI checks bitmask. */
  uriChecks: number;
}

/**
 * Default sanity checks: R-URI SIP version (1), R-URI scheme (2) and required headers (4), plus
 * parsing the R-URI/From/To URIs (7). Left out on purpose so that hostile-but-parseable messages
 * still reach the agent's UA: CSeq method/value, Content-Length, Expires value, Proxy-Require.
 */
export const DEFAULT_SANITY: SanityChecks = { messageChecks: 1 | 2 | 4, uriChecks: 1 | 2 | 4 };

/** Digest authentication settings (plaintext passwords, kept in an htable). */
export interface KamailioAuthOptions {
  /** user -> plaintext password. User names: letters, digits and `._+-`. */
  users: Record<string, string>;
  /**
   * Also challenge initial requests arriving over UDP (default false: UDP is the "trunk" side where
   * SIPp callers live, and REGISTER is always challenged whatever the transport).
   */
  challengeUdp?: boolean;
}

/** Options for {@link startKamailio}; all optional so `startKamailio()` just works. */
export interface KamailioOptions {
  /** SIP domain served by the registrar (default "127.0.0.1"). Also the digest realm. */
  domain?: string;
  /** Fixed UDP SIP port (default: a free one picked per run). */
  udpPort?: number;
  /** Fixed TCP port for plain ws:// (default: a free one picked per run). */
  wsPort?: number;
  /** tm fr_timer in ms: non-INVITE / no-provisional timeout (default 5000). */
  frTimerMs?: number;
  /** tm fr_inv_timer in ms: how long an INVITE may ring after a provisional (default 30000). */
  frInvTimerMs?: number;
  /** Idle TCP/WS connection lifetime in seconds (default 3605; Kamailio's own default is 120). */
  tcpConnectionLifetimeS?: number;
  /** Kamailio `debug` level, -5..3 (default 2 = info; logs are kept in memory for failures). */
  debugLevel?: number;
  /** Sanity checks, or `false` to not call `sanity_check()` at all (default {@link DEFAULT_SANITY}). */
  sanity?: SanityChecks | false;
  /** Digest auth; omitted = no auth, any user may register and call. */
  auth?: KamailioAuthOptions;
  /**
   * Relay the media of every call through this rtpengine (see {@link KamailioRtpEngineOptions});
   * omitted = signalling only, the SDP passes unchanged (the default every other test uses).
   * Start rtpengine first (tests/support/rtpengine.ts): startKamailio checks that it answers.
   */
  rtpengine?: KamailioRtpEngineOptions;
  /** How long to wait for the server to answer OPTIONS and accept a WS handshake (default 10000). */
  readyTimeoutMs?: number;
}

/**
 * Media relay through rtpengine (Kamailio's `rtpengine` module, ng protocol). Each SDP is rewritten
 * for the side it goes to: towards a WebSocket client (WebRTC) it gets ICE, DTLS-SRTP, rtcp-mux
 * and the SAVPF profile; towards anything else (a plain SIP phone, trunk or PBX over UDP/TCP) it
 * gets plain RTP/AVP with no ICE and no DTLS, RTCP on its own port. rtpengine relays and
 * translates the media between the two.
 */
export interface KamailioRtpEngineOptions {
  /** rtpengine's ng control socket as the module wants it, e.g. "udp:127.0.0.1:2223". */
  ngSocket: string;
}

/**
 * rtpengine flags for an SDP going to a WebRTC endpoint (ws/wss): rtpengine is the only ICE
 * candidate, DTLS-SRTP only (no SDES keys) with rtpengine in the passive role in its answers (so
 * the browser stays the DTLS client across re-INVITEs), rtcp-mux, SAVPF.
 */
export const RTPENGINE_FLAGS_TO_WEBRTC =
  'replace-origin replace-session-connection ICE=force DTLS=passive RTP/SAVPF SDES-off rtcp-mux-require generate-mid';
/**
 * rtpengine flags for an SDP going to a plain-RTP endpoint: RTP/AVP, no ICE, no DTLS, RTCP
 * demultiplexed onto its own port (a plain phone or PBX may not support rtcp-mux).
 */
export const RTPENGINE_FLAGS_TO_PLAIN =
  'replace-origin replace-session-connection ICE=remove DTLS=off RTP/AVP rtcp-mux-demux';

/** Everything the config generator needs; exported so the generated text can be unit-tested. */
export interface KamailioConfigParams {
  /** Served domain / realm. */
  domain: string;
  /** UDP SIP port on 127.0.0.1. */
  udpPort: number;
  /** TCP port on 127.0.0.1 for ws://. */
  wsPort: number;
  /** Directory holding the ctl socket. */
  runDir: string;
  /** tm fr_timer (ms). */
  frTimerMs: number;
  /** tm fr_inv_timer (ms). */
  frInvTimerMs: number;
  /** tcp_connection_lifetime (s). */
  tcpConnectionLifetimeS: number;
  /** debug level. */
  debugLevel: number;
  /** Sanity checks or false. */
  sanity: SanityChecks | false;
  /** Optional digest auth. */
  auth?: KamailioAuthOptions;
  /** Optional media relay through rtpengine. */
  rtpengine?: KamailioRtpEngineOptions;
}

/** A running test Kamailio. */
export interface Kamailio {
  /** UDP SIP port on 127.0.0.1 (SIPp callers and UDP UAs). */
  readonly udpPort: number;
  /** TCP port of the plain WebSocket listener on 127.0.0.1. */
  readonly wsPort: number;
  /** "ws://127.0.0.1:<wsPort>" for the agent's UA. */
  readonly wsUrl: string;
  /** Served SIP domain (AORs are sip:user@domain). */
  readonly domain: string;
  /** Generated kamailio.cfg (kept until stop() so a failing test can show it). */
  readonly configPath: string;
  /** Temp dir holding config, pid file, run dir and ctl socket. */
  readonly dir: string;
  /** PID of the main Kamailio process while running (also its process group id). */
  readonly pid: number | undefined;
  /** Everything Kamailio wrote to stdout/stderr across starts (attach it to failure messages). */
  logs(): string;
  /** Runs a kamcmd RPC on the private ctl socket, e.g. rpc('ul.dump'). Resolves with its output. */
  rpc(command: string, ...args: string[]): Promise<string>;
  /** Contact URIs currently registered for `user` (empty if none). */
  contacts(user: string): Promise<string[]>;
  /** SIGTERM, SIGKILL after a timeout, wait for exit, delete the temp dir. Idempotent. */
  stop(): Promise<void>;
  /** Kill and start again on the SAME ports and config: registrations are lost, like a real crash/restart. */
  restart(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Config generation

const NAME_RE = /^[A-Za-z0-9.+_-]+$/;

/** Quotes a value as a Kamailio cfg string literal. */
function cfgString(value: string): string {
  if ([...value].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f))
    throw new Error(`control characters are not allowed in cfg strings: ${JSON.stringify(value)}`);
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function authBlock(params: KamailioConfigParams): { modules: string; init: string; route: string; call: string } {
  const auth = params.auth;
  if (!auth) return { modules: '', init: '', route: '', call: '' };
  const inits = Object.entries(auth.users).map(([user, password]) => {
    if (!NAME_RE.test(user)) throw new Error(`auth user name not supported by the test bed: ${JSON.stringify(user)}`);
    return `\t$sht(authusers=>${user}) = ${cfgString(password)};`;
  });
  const realm = cfgString(params.domain);
  const udpGuard = auth.challengeUdp ? '' : '\tif (!is_method("REGISTER") && !nat_uac_test("64")) return;\n';
  return {
    modules:
      'loadmodule "auth.so"\nloadmodule "htable.so"\nmodparam("htable", "htable", "authusers=>size=6;autoexpire=0;")\n',
    init: `event_route[htable:mod-init] {\n${inits.join('\n')}\n}\n`,
    call: '\troute(AUTH);\n',
    route: `# Digest auth with plaintext passwords from the htable (no database).
route[AUTH] {
\tif (is_method("ACK|CANCEL|PRACK")) return;
${udpGuard}\tif (is_method("REGISTER")) {
\t\tif ($au == $null || $sht(authusers=>$au) == $null || !pv_www_authenticate(${realm}, "$sht(authusers=>$au)", "0")) {
\t\t\twww_challenge(${realm}, "1");
\t\t\texit;
\t\t}
\t\tif ($au != $tU) { sl_send_reply("403", "Forbidden auth ID"); exit; }
\t} else {
\t\tif ($au == $null || $sht(authusers=>$au) == $null || !pv_proxy_authenticate(${realm}, "$sht(authusers=>$au)", "0")) {
\t\t\tproxy_challenge(${realm}, "1");
\t\t\texit;
\t\t}
\t\tif ($au != $fU) { sl_send_reply("403", "Forbidden auth ID"); exit; }
\t}
\tconsume_credentials();
}
`,
  };
}

/**
 * The rtpengine parts of the config, all empty without `params.rtpengine` (the default config is
 * then exactly what it was before this option existed).
 *
 * Which flags an SDP gets depends on where it goes: a request's SDP goes to the next hop (`$nh(P)`
 * is ws/wss for a registered WebRTC client), a reply's SDP goes back to whoever sent the request
 * (remembered in the transaction as FLT_FROM_WEBRTC). An INVITE without SDP is a late offer: the
 * offer then comes in the 200 and the answer in the ACK (FLT_SDP_OFFER tells the two apart).
 */
function rtpengineBlock(params: KamailioConfigParams): {
  modules: string;
  relay: string;
  route: string;
  reply: string;
} {
  const media = params.rtpengine;
  if (!media) return { modules: '', relay: '', route: '', reply: '' };
  if (!/^udp6?:[^\s"]+:\d+$/.test(media.ngSocket))
    throw new Error(`rtpengine ngSocket must look like udp:IP:PORT, got ${JSON.stringify(media.ngSocket)}`);
  const toWebRtc = cfgString(RTPENGINE_FLAGS_TO_WEBRTC);
  const toPlain = cfgString(RTPENGINE_FLAGS_TO_PLAIN);
  const call = (op: 'offer' | 'answer', flags: string) => `rtpengine_${op}(${flags});`;
  const side = (flags: string) => `\t\tif ($var(sdp_op) == "answer") {
\t\t\t${call('answer', flags)}
\t\t} else {
\t\t\t${call('offer', flags)}
\t\t}
`;
  return {
    modules: `loadmodule "rtpengine.so"
modparam("rtpengine", "rtpengine_sock", ${cfgString(media.ngSocket)})
# Transaction flags for the media relay: who sent the request, and whether it carried the offer.
#!define FLT_FROM_WEBRTC 8
#!define FLT_SDP_OFFER 9
`,
    relay: '\troute(MEDIA);\n',
    route: `# Media relay through rtpengine: WebRTC (ICE, DTLS-SRTP, rtcp-mux) on the WebSocket side,
# plain RTP/AVP on the other. Each SDP is rewritten for the side it goes to.
route[MEDIA] {
\tif (is_method("BYE|CANCEL")) {
\t\trtpengine_delete();
\t\treturn;
\t}
\tif (!is_method("INVITE|UPDATE|ACK")) return;
\tif (proto == WS || proto == WSS) setflag(FLT_FROM_WEBRTC);
\t# A call that fails before it is answered gives its media ports back.
\tif (is_method("INVITE") && !has_totag()) t_on_failure("MEDIA_FAILED");
\tif (!has_body("application/sdp")) return;
\tif ($nh(P) == "ws" || $nh(P) == "wss") $var(to_webrtc) = 1;
\telse $var(to_webrtc) = 0;
\tif (is_method("ACK")) $var(sdp_op) = "answer";
\telse $var(sdp_op) = "offer";
\troute(MEDIA_SDP);
\tif (!is_method("ACK")) setflag(FLT_SDP_OFFER);
}

# Rewrites the SDP for the side it goes to ($var(to_webrtc)), as an offer or an answer ($var(sdp_op)).
route[MEDIA_SDP] {
\tif ($var(to_webrtc) == 1) {
${side(toWebRtc)}\t} else {
${side(toPlain)}\t}
}

failure_route[MEDIA_FAILED] {
\trtpengine_delete();
}
`,
    reply: `\t# Media relay: an SDP in a 1xx/2xx goes back to the request's sender.
\tif ($rs < 300 && is_method("INVITE|UPDATE") && has_body("application/sdp")) {
\t\tif (isflagset(FLT_FROM_WEBRTC)) $var(to_webrtc) = 1;
\t\telse $var(to_webrtc) = 0;
\t\tif (isflagset(FLT_SDP_OFFER)) $var(sdp_op) = "answer";
\t\telse $var(sdp_op) = "offer";
\t\troute(MEDIA_SDP);
\t}
`,
  };
}

/**
 * Renders kamailio.cfg for the test bed. Pure function: no I/O, so it can be unit-tested and so a
 * future option (e.g. TLS) only touches this generator.
 */
export function generateKamailioConfig(params: KamailioConfigParams): string {
  if (!NAME_RE.test(params.domain))
    throw new Error(`domain not supported by the test bed: ${JSON.stringify(params.domain)}`);
  const auth = authBlock(params);
  const media = rtpengineBlock(params);
  const sanity = params.sanity
    ? `\tif (!sanity_check("${params.sanity.messageChecks}", "${params.sanity.uriChecks}")) {
\t\txlog("L_WARN", "sanity_check failed for $rm from $si:$sp\\n");
\t\texit;
\t}
`
    : '';
  // Never alias 127.0.0.1 without a port: every loopback contact (SIPp phones on other ports)
  // would then be "myself" and loose_route() would treat in-dialog requests as strict-routed.
  const aliases = params.domain === '127.0.0.1' ? '' : `alias=${cfgString(params.domain)}`;
  return `#!KAMAILIO
# Generated by tests/support/kamailio.ts for one test run. Do not edit.

####### Global parameters #########
debug=${params.debugLevel}
log_stderror=yes
log_facility=LOG_LOCAL0
children=2
tcp_children=2
dns=no
rev_dns=no
use_dns_cache=no
dns_try_ipv6=no
auto_aliases=no
enable_sctp=no
enable_tls=no
listen=udp:127.0.0.1:${params.udpPort}
listen=tcp:127.0.0.1:${params.wsPort}
${aliases}
# WebSocket handshakes are HTTP GETs without Content-Length.
tcp_accept_no_cl=yes
tcp_connection_lifetime=${params.tcpConnectionLifetimeS}
server_header="Server: calmline-testbed"
user_agent_header="User-Agent: calmline-testbed"
sip_warning=0

mpath=${cfgString(KAMAILIO_MODULE_DIR)}

####### Modules #########
loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "tm.so"
loadmodule "tmx.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "sanity.so"
loadmodule "ctl.so"
loadmodule "nathelper.so"
loadmodule "xhttp.so"
loadmodule "websocket.so"
${auth.modules}${media.modules}
# Private RPC socket (the default one belongs to the system service).
modparam("ctl", "binrpc", ${cfgString(`unix:${join(params.runDir, 'kamailio_ctl')}`)})

modparam("tm", "fr_timer", ${params.frTimerMs})
modparam("tm", "fr_inv_timer", ${params.frInvTimerMs})
modparam("tm", "failure_reply_mode", 3)

modparam("rr", "enable_full_lr", 1)
modparam("rr", "append_fromtag", 1)

# In-memory location table; drop contacts whose TCP/WS connection is gone (docs/sipjs-pitfalls.md, K4).
modparam("usrloc", "db_mode", 0)
modparam("usrloc", "handle_lost_tcp", 1)
modparam("registrar", "min_expires", 0)
modparam("registrar", "max_expires", 3600)
modparam("registrar", "default_expires", 3600)
modparam("registrar", "gruu_enabled", 0)

# WS clients are "behind NAT" even on loopback: remember where they really are.
modparam("nathelper", "received_avp", "$avp(RECEIVED)")
modparam("registrar", "received_avp", "$avp(RECEIVED)")

modparam("sanity", "autodrop", 1)

####### Routing #########
${auth.init}
request_route {
\tif (!mf_process_maxfwd_header("10")) {
\t\tsl_send_reply("483", "Too Many Hops");
\t\texit;
\t}
${sanity}
\t# Keepalive / readiness probe addressed to the server itself.
\tif (is_method("OPTIONS") && $rU == $null) {
\t\tsl_send_reply("200", "Keepalive");
\t\texit;
\t}

\troute(NATDETECT);

\tif (is_method("CANCEL")) {
\t\tif (t_check_trans()) route(RELAY);
\t\texit;
\t}

\t# Retransmissions of requests we are already handling.
\tif (!is_method("ACK")) {
\t\tif (t_precheck_trans()) {
\t\t\tt_check_trans();
\t\t\texit;
\t\t}
\t\tt_check_trans();
\t}

\troute(WITHINDLG);

${auth.call}\tremove_hf("Route");
\tif (is_method("INVITE|SUBSCRIBE|REFER")) record_route();

\tif (is_method("REGISTER")) route(REGISTRAR);

\tif ($rU == $null) {
\t\tsl_send_reply("484", "Address Incomplete");
\t\texit;
\t}

\troute(LOCATION);
}

route[RELAY] {
${media.relay}\tt_on_reply("MANAGE_REPLY");
\tif (!t_relay()) sl_reply_error();
\texit;
}

# WebSocket clients: fix rport and aliases so later requests reach the same connection.
route[NATDETECT] {
\tif (!nat_uac_test("64")) return;
\tforce_rport();
\tif (is_method("REGISTER")) {
\t\tfix_nated_register();
\t} else if (is_present_hf("Contact")) {
\t\tif (!add_contact_alias()) {
\t\t\txlog("L_ERR", "cannot alias Contact <$ct> from $si:$sp\\n");
\t\t\tsl_send_reply("400", "Bad Contact");
\t\t\texit;
\t\t}
\t}
}

route[WITHINDLG] {
\tif (!has_totag()) return;
\tif (loose_route()) {
\t\tif ($du == "") {
\t\t\tif (!handle_ruri_alias()) {
\t\t\t\txlog("L_ERR", "bad alias in R-URI <$ru>\\n");
\t\t\t\tsl_send_reply("400", "Bad Request");
\t\t\t\texit;
\t\t\t}
\t\t}
\t\troute(RELAY);
\t}
\tif (is_method("ACK")) {
\t\t# ACK for a non-2xx final is hop-by-hop: absorbed by tm; stray ACKs are dropped.
\t\tif (t_check_trans()) route(RELAY);
\t\texit;
\t}
\tsl_send_reply("404", "Not here");
\texit;
}

route[REGISTRAR] {
\tif (!save("location")) sl_reply_error();
\texit;
}

route[LOCATION] {
\tif (!lookup("location")) {
\t\t$var(rc) = $rc;
\t\tt_newtran();
\t\tswitch ($var(rc)) {
\t\t\tcase -1:
\t\t\tcase -3:
\t\t\t\tt_reply("404", "Not Found");
\t\t\t\texit;
\t\t\tcase -2:
\t\t\t\tt_reply("405", "Method Not Allowed");
\t\t\t\texit;
\t\t}
\t\tt_reply("500", "Location Lookup Failed");
\t\texit;
\t}
\troute(RELAY);
}

${auth.route}${media.route}
# The ONLY reply route (an unnamed onreply_route would be the same route as reply_route: docs/sipjs-pitfalls.md, K3).
onreply_route[MANAGE_REPLY] {
\tif (nat_uac_test("64") && is_present_hf("Contact")) add_contact_alias();
${media.reply}}

# HTTP on the WS port: only WebSocket upgrades are accepted.
event_route[xhttp:request] {
\tset_reply_close();
\tset_reply_no_connect();
\tif ($Rp != ${params.wsPort}) {
\t\txhttp_reply("403", "Forbidden", "", "");
\t\texit;
\t}
\tif ($hdr(Upgrade) =~ "websocket" && $hdr(Connection) =~ "Upgrade" && $rm =~ "GET") {
\t\tif (ws_handle_handshake()) exit;
\t}
\txhttp_reply("404", "Not Found", "", "");
}
`;
}

// ---------------------------------------------------------------------------------------------
// Raw UDP helpers (readiness probe, and tests that need exact bytes on the wire)

/** Options for {@link sendUdpRequest}. */
export interface UdpRequestOptions {
  /** Kamailio (or any SIP server) UDP port on 127.0.0.1. */
  port: number;
  /**
   * Builds the request text; receives the local port the socket got, for Via/Contact. Line
   * endings are normalised to CRLF and Content-Length is NOT computed: write it yourself.
   */
  build: (localPort: number) => string;
  /** Give up after this long (default 5000 ms). Rejects with the responses seen so far. */
  timeoutMs?: number;
  /** Resolve on the first response of any kind instead of waiting for a final one. */
  firstResponse?: boolean;
}

/** A SIP response received by {@link sendUdpRequest}. */
export interface UdpResponse {
  /** Status code from the start line. */
  status: number;
  /** Full message text. */
  text: string;
}

function header(text: string, name: string): string | undefined {
  const re = new RegExp(`^${name}[ \\t]*:[ \\t]*(.*)$`, 'im');
  return re.exec(text)?.[1]?.trim();
}

/**
 * Sends one raw SIP request over UDP and collects responses until a final one (>= 200). For an
 * INVITE answered with a non-2xx final it also sends the hop-by-hop ACK (same Via branch), so the
 * proxy stops retransmitting; a 2xx is NOT ACKed (that is end-to-end: the caller's job). Lets tests
 * put exact (even hostile) bytes on the wire without SIPp.
 */
export async function sendUdpRequest(options: UdpRequestOptions): Promise<UdpResponse[]> {
  const socket = createSocket('udp4');
  const responses: UdpResponse[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => resolve());
    });
    const localPort = socket.address().port;
    const request = options.build(localPort).replace(/\r?\n/g, '\r\n');
    return await new Promise<UdpResponse[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new Error(
            `no ${options.firstResponse ? '' : 'final '}response within ${options.timeoutMs ?? 5000} ms; got: ${responses.map((r) => r.status).join(', ') || 'nothing'}`,
          ),
        );
      }, options.timeoutMs ?? 5000);
      socket.on('message', (buf) => {
        const text = buf.toString('utf8');
        const match = /^SIP\/2\.0 (\d{3})/.exec(text);
        if (!match?.[1]) return;
        const status = Number(match[1]);
        responses.push({ status, text });
        if (!options.firstResponse && status < 200) return;
        clearTimeout(timer);
        if (/^INVITE /.test(request) && status >= 300) {
          socket.send(buildAck(request, text), options.port, '127.0.0.1', () => resolve(responses));
        } else {
          resolve(responses);
        }
      });
      socket.send(request, options.port, '127.0.0.1', (err) => {
        if (err) {
          clearTimeout(timer);
          reject(err);
        }
      });
    });
  } finally {
    socket.close();
  }
}

/** ACK for a non-2xx final response: same R-URI, top Via, From, Call-ID; To from the response. */
function buildAck(invite: string, response: string): string {
  const ruri = /^INVITE (\S+) SIP\/2\.0/.exec(invite)?.[1] ?? '';
  const cseq = (header(invite, 'CSeq') ?? '1 INVITE').split(/\s+/)[0];
  return [
    `ACK ${ruri} SIP/2.0`,
    `Via: ${header(invite, 'Via') ?? header(invite, 'v') ?? ''}`,
    'Max-Forwards: 70',
    `From: ${header(invite, 'From') ?? header(invite, 'f') ?? ''}`,
    `To: ${header(response, 'To') ?? header(response, 't') ?? ''}`,
    `Call-ID: ${header(invite, 'Call-ID') ?? header(invite, 'i') ?? ''}`,
    `CSeq: ${cseq} ACK`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/** Random token for branches, tags and Call-IDs. */
export function sipToken(bytes = 8): string {
  return randomBytes(bytes).toString('hex');
}

/** Sends OPTIONS to the server itself and resolves with the (first) response. Readiness probe. */
export async function pingKamailio(udpPort: number, timeoutMs = 1000): Promise<UdpResponse> {
  const responses = await sendUdpRequest({
    port: udpPort,
    timeoutMs,
    firstResponse: true,
    build: (lp) =>
      [
        `OPTIONS sip:127.0.0.1:${udpPort} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${lp};branch=z9hG4bK${sipToken()};rport`,
        'Max-Forwards: 70',
        `From: <sip:probe@127.0.0.1>;tag=${sipToken(4)}`,
        `To: <sip:127.0.0.1:${udpPort}>`,
        `Call-ID: ${sipToken()}@127.0.0.1`,
        'CSeq: 1 OPTIONS',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
  });
  const first = responses[0];
  if (!first) throw new Error('no response to OPTIONS');
  return first;
}

/** Resolves if an HTTP WebSocket upgrade on the port is answered 101 (the socket is then closed). */
async function probeWebSocket(wsPort: number, timeoutMs: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const req = httpRequest({
      host: '127.0.0.1',
      port: wsPort,
      path: '/',
      timeout: timeoutMs,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
        'Sec-WebSocket-Protocol': 'sip',
      },
    });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      resolve();
    });
    req.on('response', (res) => {
      res.resume();
      reject(new Error(`WebSocket handshake answered ${res.statusCode ?? '?'}`));
    });
    req.on('timeout', () => req.destroy(new Error('WebSocket handshake timed out')));
    req.on('error', reject);
    req.end();
  });
}

async function probeTcp(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve();
    });
    s.on('error', reject);
  });
}

// ---------------------------------------------------------------------------------------------
// Process management

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Cleans up after test processes that died without running their exit hooks (e.g. a SIGKILLed
 * vitest worker): for every `<tmpdir>/<prefix>*` run dir whose owner.json names a dead owner PID,
 * SIGKILLs the processes whose command line points into that dir (Kamailio's `-f`, SIPp's trace
 * files) and deletes the dir. Nothing else is touched. Shared with tests/support/sipp.ts.
 */
export function reapOrphanedRuns(prefix: string): void {
  let entries: string[];
  try {
    entries = readdirSync(tmpdir()).filter((e) => e.startsWith(prefix));
  } catch {
    return;
  }
  let procs: string[] | undefined;
  for (const entry of entries) {
    const dir = join(tmpdir(), entry);
    let owner: number;
    try {
      owner = Number((JSON.parse(readFileSync(join(dir, 'owner.json'), 'utf8')) as { ownerPid?: unknown }).ownerPid);
    } catch {
      continue;
    }
    if (!Number.isInteger(owner) || owner <= 0 || pidAlive(owner)) continue;
    procs ??= readdirSync('/proc').filter((d) => /^\d+$/.test(d));
    for (const p of procs) {
      try {
        const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
        if (cmd.some((arg) => arg.startsWith(`${dir}/`))) process.kill(Number(p), 'SIGKILL');
      } catch {
        // Process vanished or not ours.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Creates a run dir under tmpdir() with an owner.json so {@link reapOrphanedRuns} can find it. */
export function makeRunDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(dir, 'owner.json'), JSON.stringify({ ownerPid: process.pid }));
  return dir;
}

async function runCommand(file: string, args: string[], timeoutMs = 10_000): Promise<{ code: number; output: string }> {
  return await new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

class KamailioProcess implements Kamailio {
  readonly wsUrl: string;
  readonly configPath: string;
  private readonly daemon: Daemon;
  private stopped = false;
  private stopping: Promise<void> | undefined;

  constructor(
    readonly udpPort: number,
    readonly wsPort: number,
    readonly domain: string,
    readonly dir: string,
    readyTimeoutMs: number,
    /** Ports this instance took from reservePort() and must give back on stop(). */
    private readonly ownedPorts: number[],
  ) {
    this.wsUrl = `ws://127.0.0.1:${wsPort}`;
    this.configPath = join(dir, 'kamailio.cfg');
    const pidFile = join(dir, 'kamailio.pid');
    this.daemon = new Daemon({
      name: 'kamailio',
      command: 'kamailio',
      args: ['-f', this.configPath, '-DD', '-E', '-P', pidFile, '-Y', join(dir, 'run'), '-m', '64', '-M', '8'],
      dir,
      readyTimeoutMs,
      // Serving means: UDP answers OPTIONS and the WS port completes a handshake.
      probe: async () => {
        await pingKamailio(udpPort, 300);
        await probeTcp(wsPort);
        await probeWebSocket(wsPort, 1000);
      },
      portsFree: () => !isPortBound(udpPort, 'udp') && !isTcpListening(wsPort),
      context: `config: ${this.configPath}`,
      maxLogChars: MAX_LOG_CHARS,
    });
  }

  get pid(): number | undefined {
    return this.daemon.pid;
  }

  logs(): string {
    return this.daemon.logs();
  }

  /** Spawns Kamailio and waits until it serves. */
  async launch(): Promise<void> {
    rmSync(join(this.dir, 'kamailio.pid'), { force: true });
    await this.daemon.launch();
  }

  async rpc(command: string, ...args: string[]): Promise<string> {
    const { code, output } = await runCommand('kamcmd', [
      '-s',
      `unix:${join(this.dir, 'run', 'kamailio_ctl')}`,
      command,
      ...args,
    ]);
    if (code !== 0 || /^error:/m.test(output)) throw new Error(`kamcmd ${command} failed (${code}): ${output}`);
    return output;
  }

  async contacts(user: string): Promise<string[]> {
    let out: string;
    try {
      out = await this.rpc('ul.lookup', 'location', `s:${user}`);
    } catch (err) {
      if (/not found|has no contacts/i.test((err as Error).message)) return [];
      throw err;
    }
    return [...out.matchAll(/^\s*Address:\s*(\S+)/gm)].map((m) => m[1] ?? '').filter(Boolean);
  }

  async stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.stopped = true;
      await this.daemon.kill();
      rmSync(this.dir, { recursive: true, force: true });
      for (const port of this.ownedPorts) releasePort(port);
    })();
    await this.stopping;
  }

  async restart(): Promise<void> {
    if (this.stopped) throw new Error('restart() after stop()');
    await this.daemon.kill();
    this.daemon.note('\n[restart]\n');
    await this.launch();
  }
}

/**
 * Checks that rtpengine answers an ng `ping` on `ngSocket` ("udp:IP:PORT") before Kamailio starts:
 * Kamailio's rtpengine module pings it at startup and disables an rtpengine that does not answer
 * (for `rtpengine_disable_tout`, 60 s), so every call would then fail with 500 or lose its media.
 */
async function checkRtpEngine(ngSocket: string, timeoutMs = 1_000): Promise<void> {
  const match = /^udp(6?):(.+):(\d+)$/.exec(ngSocket);
  if (!match?.[2] || !match[3])
    throw new Error(`rtpengine ngSocket must look like udp:IP:PORT, got ${JSON.stringify(ngSocket)}`);
  const host = match[2].replace(/^\[|\]$/g, '');
  const port = Number(match[3]);
  const socket = createSocket(match[1] ? 'udp6' : 'udp4');
  const cookie = sipToken(4);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `rtpengine does not answer ng ping on ${ngSocket}: start it before Kamailio (tests/support/rtpengine.ts)`,
            ),
          ),
        timeoutMs,
      );
      socket.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.on('message', (message) => {
        const text = message.toString('latin1');
        if (!text.startsWith(`${cookie} `)) return;
        clearTimeout(timer);
        if (text.includes('6:result4:pong')) resolve();
        else reject(new Error(`rtpengine on ${ngSocket} answered ping with ${JSON.stringify(text)}`));
      });
      socket.send(`${cookie} d7:command4:pinge`, port, host);
    });
  } finally {
    socket.close();
  }
}

/**
 * Starts a private Kamailio registrar/proxy on fresh loopback ports and resolves once it answers
 * SIP over UDP and accepts WebSocket handshakes. Always pair it with `afterAll(() => k.stop())`
 * (or onTestFinished); a process 'exit' hook SIGKILLs anything left running as a last resort.
 */
export async function startKamailio(options: KamailioOptions = {}): Promise<Kamailio> {
  reapOrphanedRuns(TEMP_PREFIX);
  if (options.rtpengine) await checkRtpEngine(options.rtpengine.ngSocket);
  const domain = options.domain ?? '127.0.0.1';
  const udpPort = options.udpPort ?? reservePort({ udp: true, tcp: true });
  const wsPort = options.wsPort ?? reservePort({ udp: true, tcp: true });
  const ownedPorts = [options.udpPort === undefined ? udpPort : -1, options.wsPort === undefined ? wsPort : -1].filter(
    (p) => p > 0,
  );
  const dir = makeRunDir(TEMP_PREFIX);
  const runDir = join(dir, 'run');
  const kamailio = new KamailioProcess(udpPort, wsPort, domain, dir, options.readyTimeoutMs ?? 10_000, ownedPorts);
  try {
    mkdirSync(runDir);
    const config = generateKamailioConfig({
      domain,
      udpPort,
      wsPort,
      runDir,
      frTimerMs: options.frTimerMs ?? 5000,
      frInvTimerMs: options.frInvTimerMs ?? 30_000,
      tcpConnectionLifetimeS: options.tcpConnectionLifetimeS ?? 3605,
      debugLevel: options.debugLevel ?? 2,
      sanity: options.sanity ?? DEFAULT_SANITY,
      auth: options.auth,
      rtpengine: options.rtpengine,
    });
    writeFileSync(kamailio.configPath, config);
    const check = await runCommand('kamailio', ['-c', '-f', kamailio.configPath]);
    if (check.code !== 0) {
      throw new Error(
        `kamailio -c rejected the generated config (${kamailio.configPath}):\n${check.output.slice(-20_000)}`,
      );
    }
    await kamailio.launch();
    return kamailio;
  } catch (err) {
    if (existsSync(dir)) {
      // Keep the config next to the error for debugging, but do not leak processes or ports.
      const cfg = existsSync(kamailio.configPath) ? readFileSync(kamailio.configPath, 'utf8') : '';
      await kamailio.stop();
      if (err instanceof Error && cfg) err.message += `\n--- generated config ---\n${cfg}`;
    }
    throw err;
  }
}
