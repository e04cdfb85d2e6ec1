/**
 * Smoke test of the SIP test bed itself (tests/support + tests/sipp): if these fail, every other
 * integration test is meaningless. It drives each caller scenario against both kinds of callee the
 * other suites use: a SIPp phone registered over UDP, and a minimal hand-written SIP-over-WebSocket
 * agent (the transport and NAT path the real sip.js UA takes through Kamailio).
 */
import { describe, it, expect, afterAll, beforeAll, beforeEach, onTestFinished } from 'vitest';
import { existsSync } from 'node:fs';
import WebSocket from 'ws';
import { pingKamailio, sendUdpRequest, sipToken, startKamailio, type Kamailio } from '../support/kamailio.js';
import { isPortBound } from '../support/ports.js';
import {
  formatSippResult,
  parseSippTrace,
  runSipp,
  startRegisteredUas,
  type SippOptions,
  type SippResult,
  type SippRun,
} from '../support/sipp.js';

// ---------------------------------------------------------------------------------------------
// A deliberately tiny SIP-over-WebSocket "agent", just enough to be a callee.

interface SipMessage {
  raw: string;
  firstLine: string;
  method: string | undefined;
  status: number | undefined;
  headers(name: string): string[];
  header(name: string): string | undefined;
  body: string;
}

function parseSip(raw: string): SipMessage {
  const split = raw.indexOf('\r\n\r\n');
  const head = split === -1 ? raw : raw.slice(0, split);
  const body = split === -1 ? '' : raw.slice(split + 4);
  const [firstLine = '', ...lines] = head.split('\r\n');
  const status = /^SIP\/2\.0 (\d{3})/.exec(firstLine)?.[1];
  const method = status ? undefined : firstLine.split(' ')[0];
  const headers = (name: string): string[] =>
    lines
      .filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))
      .map((l) => l.slice(l.indexOf(':') + 1).trim());
  return {
    raw,
    firstLine,
    method,
    status: status ? Number(status) : undefined,
    headers,
    header: (n) => headers(n)[0],
    body,
  };
}

const AGENT_SDP = [
  'v=0',
  'o=agent 1 1 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 40000 RTP/AVP 0 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=sendrecv',
  '',
].join('\r\n');

class WsAgent {
  private readonly inbox: SipMessage[] = [];
  private waiters: Array<() => void> = [];
  private cseq = 1;
  readonly closed: Promise<void>;

  private constructor(
    private readonly ws: WebSocket,
    readonly user: string,
    readonly domain: string,
  ) {
    ws.on('message', (data: WebSocket.RawData) => {
      this.inbox.push(
        parseSip(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8')),
      );
      for (const w of this.waiters) w();
    });
    this.closed = new Promise((resolve) => ws.once('close', () => resolve()));
  }

  static async connect(url: string, user: string, domain: string): Promise<WsAgent> {
    const ws = new WebSocket(url, 'sip');
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new WsAgent(ws, user, domain);
  }

  /** Sub-protocol the server accepted in the handshake. */
  get protocol(): string {
    return this.ws.protocol;
  }

  get contact(): string {
    return `<sip:${this.user}@agent.invalid;transport=ws>`;
  }

  send(lines: string[], body = ''): void {
    this.ws.send([...lines, `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n'));
  }

  /** Next unconsumed message matching `match`, waiting up to `timeoutMs`. */
  async next(match: (m: SipMessage) => boolean, what: string, timeoutMs = 10_000): Promise<SipMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.inbox.findIndex(match);
      if (i !== -1) return this.inbox.splice(i, 1)[0] as SipMessage;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `agent ${this.user}: no ${what} within ${timeoutMs} ms; inbox: ${this.inbox.map((m) => m.firstLine).join(' | ')}`,
        );
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
      this.waiters = [];
    }
  }

  /** Next `method` request, optionally only within the call `inCallOf` belongs to. */
  request(method: string, inCallOf?: SipMessage): Promise<SipMessage> {
    const callId = inCallOf?.header('Call-ID');
    return this.next(
      (m) => m.method === method && (callId === undefined || m.header('Call-ID') === callId),
      `${method} request`,
    );
  }

  /** Drops anything left over from an earlier (possibly failed) test. */
  clear(): void {
    this.inbox.length = 0;
  }

  response(cseqMethod: string, minStatus = 200): Promise<SipMessage> {
    return this.next(
      (m) => m.status !== undefined && m.status >= minStatus && (m.header('CSeq') ?? '').endsWith(` ${cseqMethod}`),
      `final response to ${cseqMethod}`,
    );
  }

  async register(expires = 600): Promise<SipMessage> {
    const callId = sipToken();
    this.send([
      `REGISTER sip:${this.domain} SIP/2.0`,
      `Via: SIP/2.0/WS agent.invalid;branch=z9hG4bK${sipToken()}`,
      'Max-Forwards: 70',
      `From: <sip:${this.user}@${this.domain}>;tag=${sipToken(4)}`,
      `To: <sip:${this.user}@${this.domain}>`,
      `Call-ID: ${callId}`,
      `CSeq: ${this.cseq++} REGISTER`,
      `Contact: ${this.contact};expires=${expires}`,
    ]);
    return await this.response('REGISTER');
  }

  /** Responds to `req`; `toTag` is added to To when it has none. */
  reply(req: SipMessage, status: number, reason: string, toTag: string, body = ''): void {
    const to = req.header('To') ?? '';
    const isInvite = req.method === 'INVITE';
    this.send(
      [
        `SIP/2.0 ${status} ${reason}`,
        ...req.headers('Via').map((v) => `Via: ${v}`),
        `From: ${req.header('From') ?? ''}`,
        `To: ${/;tag=/.test(to) || status === 100 ? to : `${to};tag=${toTag}`}`,
        `Call-ID: ${req.header('Call-ID') ?? ''}`,
        `CSeq: ${req.header('CSeq') ?? ''}`,
        ...(isInvite && status < 300 ? req.headers('Record-Route').map((r) => `Record-Route: ${r}`) : []),
        ...(isInvite && status < 300 ? [`Contact: ${this.contact}`] : []),
        ...(body ? ['Content-Type: application/sdp'] : []),
      ],
      body,
    );
  }

  /** Sends BYE inside the dialog created by `invite` (we are the callee) and waits for its final response. */
  async bye(invite: SipMessage, toTag: string): Promise<SipMessage> {
    const target = /<([^>]+)>/.exec(invite.header('Contact') ?? '')?.[1] ?? '';
    this.send([
      `BYE ${target} SIP/2.0`,
      `Via: SIP/2.0/WS agent.invalid;branch=z9hG4bK${sipToken()}`,
      'Max-Forwards: 70',
      ...invite.headers('Record-Route').map((r) => `Route: ${r}`),
      `From: ${invite.header('To') ?? ''};tag=${toTag}`,
      `To: ${invite.header('From') ?? ''}`,
      `Call-ID: ${invite.header('Call-ID') ?? ''}`,
      `CSeq: ${this.cseq++} BYE`,
    ]);
    return await this.response('BYE');
  }

  async close(): Promise<void> {
    this.ws.close();
    await this.closed;
  }
}

// ---------------------------------------------------------------------------------------------

/** runSipp() whose process is killed when the test ends, even if it failed half-way. */
function sipp(options: SippOptions): SippRun {
  const run = runSipp(options);
  onTestFinished(async () => {
    await run.kill();
  });
  return run;
}

function expectPassed(result: SippResult): void {
  expect(result.passed, formatSippResult(result)).toBe(true);
}

/** Start lines of the SIPp trace as "-> X" (sent) / "<- X" (received). */
function flow(result: SippResult): string[] {
  return parseSippTrace(result.messages).map((m) => `${m.direction === 'sent' ? '->' : '<-'} ${m.firstLine}`);
}

/** Index of the first flow line matching `re` at or after `from` (-1 if none). */
function indexOf(lines: string[], re: RegExp, from = 0): number {
  const i = lines.slice(from).findIndex((l) => re.test(l));
  return i === -1 ? -1 : i + from;
}

function viaBranch(text: string): string | undefined {
  return /^Via:[^\r\n]*;branch=([^;\s,]+)/im.exec(text)?.[1];
}

describe('SIP test bed', () => {
  let k: Kamailio;

  beforeAll(async () => {
    k = await startKamailio();
  });
  afterAll(async () => {
    await k?.stop();
  });

  it('answers OPTIONS on its UDP port and accepts a SIP WebSocket on wsUrl', async () => {
    const reply = await pingKamailio(k.udpPort);
    expect(reply.status).toBe(200);
    expect(k.wsUrl).toBe(`ws://127.0.0.1:${k.wsPort}`);
    const agent = await WsAgent.connect(k.wsUrl, 'probe', k.domain);
    expect(agent.protocol).toBe('sip');
    await agent.close();
  });

  it('relays a SIPp caller to a SIPp phone registered over UDP (caller-answered-then-bye)', async () => {
    const uas = await startRegisteredUas({ kamailio: k, service: '2000' });
    try {
      expect(await k.contacts('2000')).toEqual([`sip:2000@127.0.0.1:${uas.localPort}`]);
      const caller = await sipp({
        scenario: 'caller-answered-then-bye.xml',
        kamailio: k,
        service: '2000',
        pauseMs: 200,
      }).done;
      expectPassed(caller);
      const lines = flow(caller);
      const ok = indexOf(lines, /^<- SIP\/2\.0 200 OK/);
      const ack = indexOf(lines, /^-> ACK /, ok);
      const bye = indexOf(lines, /^-> BYE /, ack);
      expect(ok, lines.join('\n')).toBeGreaterThanOrEqual(0);
      expect(ack, lines.join('\n')).toBeGreaterThan(ok);
      expect(bye, lines.join('\n')).toBeGreaterThan(ack);
      expect(indexOf(lines, /^<- SIP\/2\.0 200 OK/, bye), lines.join('\n')).toBeGreaterThan(bye);

      const phone = await uas.done;
      expectPassed(phone);
      expect(flow(phone).filter((l) => l.startsWith('<- '))).toEqual([
        `<- INVITE sip:2000@127.0.0.1:${uas.localPort} SIP/2.0`,
        `<- ACK sip:2000@127.0.0.1:${uas.localPort} SIP/2.0`,
        `<- BYE sip:2000@127.0.0.1:${uas.localPort} SIP/2.0`,
      ]);
    } finally {
      await uas.kill();
    }
  });

  it('answers 404 for an INVITE to a user nobody registered', async () => {
    expect(await k.contacts('nobody-here')).toEqual([]);
    const responses = await sendUdpRequest({
      port: k.udpPort,
      build: (lp) =>
        [
          'INVITE sip:nobody-here@127.0.0.1 SIP/2.0',
          `Via: SIP/2.0/UDP 127.0.0.1:${lp};branch=z9hG4bK${sipToken()};rport`,
          'Max-Forwards: 70',
          `From: "Raw" <sip:raw@127.0.0.1>;tag=${sipToken(4)}`,
          'To: <sip:nobody-here@127.0.0.1>',
          `Call-ID: ${sipToken()}@127.0.0.1`,
          'CSeq: 1 INVITE',
          `Contact: <sip:raw@127.0.0.1:${lp}>`,
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n'),
    });
    expect(responses.map((r) => r.status).at(-1)).toBe(404);
  });

  describe('with a WebSocket agent as callee', () => {
    let agent: WsAgent;
    const hostileName = `\u202eEvil "quoted" <b>bold</b> \\ back; semi, ${'L'.repeat(400)}`;

    beforeAll(async () => {
      agent = await WsAgent.connect(k.wsUrl, 'agent1', k.domain);
      const reg = await agent.register();
      expect(reg.status, reg.raw).toBe(200);
    });
    beforeEach(() => {
      agent.clear();
    });
    afterAll(async () => {
      await agent?.close();
    });

    it('stores the WS contact with the real connection as received address', async () => {
      const dump = await k.rpc('ul.lookup', 'location', 's:agent1');
      expect(dump).toContain('sip:agent1@agent.invalid;transport=ws');
      expect(dump).toMatch(/Received: sip:127\.0\.0\.1:\d+;transport=ws/);
    });

    it('caller-answered-then-bye: ACK and BYE reach the agent over its WebSocket, display name intact', async () => {
      const call = sipp({
        scenario: 'caller-answered-then-bye.xml',
        kamailio: k,
        service: 'agent1',
        displayName: hostileName,
        pauseMs: 200,
      });
      const invite = await agent.request('INVITE');
      const tag = sipToken(4);
      agent.reply(invite, 180, 'Ringing', tag);
      agent.reply(invite, 200, 'OK', tag, AGENT_SDP);
      await agent.request('ACK', invite);
      const bye = await agent.request('BYE', invite);
      agent.reply(bye, 200, 'OK', tag);
      expectPassed(await call.done);

      const escaped = hostileName.replace(/[\\"]/g, (c) => `\\${c}`);
      expect(invite.header('From')).toMatch(/^"(.*)" <sip:5551234@127\.0\.0\.1>;tag=/);
      expect(invite.header('From')?.startsWith(`"${escaped}" <sip:5551234@127.0.0.1>`)).toBe(true);
      expect(invite.body).toMatch(/^m=audio \d+ RTP\/AVP 0 101$/m);
      expect(invite.body).toContain('a=rtpmap:101 telephone-event/8000');
    });

    it("caller-answered-agent-hangs-up: the agent's BYE reaches SIPp and its 200 comes back", async () => {
      const call = sipp({ scenario: 'caller-answered-agent-hangs-up.xml', kamailio: k, service: 'agent1' });
      const invite = await agent.request('INVITE');
      const tag = sipToken(4);
      agent.reply(invite, 200, 'OK', tag, AGENT_SDP);
      await agent.request('ACK', invite);
      const byeResponse = await agent.bye(invite, tag);
      expect(byeResponse.status).toBe(200);
      const result = await call.done;
      expectPassed(result);
      expect(indexOf(flow(result), /^<- BYE /)).toBeGreaterThan(indexOf(flow(result), /^-> ACK /));
    });

    it.each([486, 603])("caller-declined passes on %i and ACKs with the INVITE's branch", async (status) => {
      const call = sipp({ scenario: 'caller-declined.xml', kamailio: k, service: 'agent1' });
      const invite = await agent.request('INVITE');
      agent.reply(invite, status, status === 486 ? 'Busy Here' : 'Decline', sipToken(4));
      await agent.request('ACK', invite); // Kamailio's hop-by-hop ACK
      const result = await call.done;
      expectPassed(result);
      const trace = parseSippTrace(result.messages);
      const sentInvite = trace.find((m) => m.direction === 'sent' && m.firstLine.startsWith('INVITE '));
      const sentAck = trace.find((m) => m.direction === 'sent' && m.firstLine.startsWith('ACK '));
      expect(sentAck, formatSippResult(result)).toBeDefined();
      expect(viaBranch(sentAck?.text ?? '')).toBe(viaBranch(sentInvite?.text ?? 'no invite'));
      expect(trace.some((m) => m.direction === 'received' && m.firstLine.startsWith(`SIP/2.0 ${status} `))).toBe(true);
    });

    it('caller-declined fails when the agent answers 480 instead', async () => {
      const call = sipp({ scenario: 'caller-declined.xml', kamailio: k, service: 'agent1' });
      const invite = await agent.request('INVITE');
      agent.reply(invite, 480, 'Temporarily Unavailable', sipToken(4));
      await agent.request('ACK', invite);
      const result = await call.done;
      expect(result.passed, formatSippResult(result)).toBe(false);
      expect(result.exitCode).toBe(1);
    });

    it('a caller whose call is never answered fails after recvTimeoutMs instead of hanging', async () => {
      const call = sipp({
        scenario: 'caller-answered-then-bye.xml',
        kamailio: k,
        service: 'agent1',
        recvTimeoutMs: 1500,
      });
      const invite = await agent.request('INVITE');
      agent.reply(invite, 180, 'Ringing', sipToken(4)); // ...and then nothing
      const result = await call.done;
      expect(result.passed, formatSippResult(result)).toBe(false);
      expect(result.errors).toMatch(/timeout/i);
      // SIPp gives up with a CANCEL; answer it so Kamailio's transaction ends cleanly.
      const cancel = await agent.request('CANCEL', invite);
      agent.reply(cancel, 200, 'OK', sipToken(4));
      agent.reply(invite, 487, 'Request Terminated', sipToken(4));
    });

    it('caller-cancels: the CANCEL reaches the agent, 487 goes back and is ACKed', async () => {
      const call = sipp({ scenario: 'caller-cancels.xml', kamailio: k, service: 'agent1', pauseMs: 200 });
      const invite = await agent.request('INVITE');
      const tag = sipToken(4);
      agent.reply(invite, 180, 'Ringing', tag);
      const cancel = await agent.request('CANCEL', invite);
      agent.reply(cancel, 200, 'OK', tag);
      agent.reply(invite, 487, 'Request Terminated', tag);
      await agent.request('ACK', invite);
      const result = await call.done;
      expectPassed(result);
      const lines = flow(result);
      expect(indexOf(lines, /^<- SIP\/2\.0 487 /), lines.join('\n')).toBeGreaterThan(indexOf(lines, /^-> CANCEL /));
      const trace = parseSippTrace(result.messages);
      const sent = (method: string): string =>
        trace.find((m) => m.direction === 'sent' && m.firstLine.startsWith(`${method} `))?.text ?? '';
      expect(viaBranch(sent('CANCEL'))).toBe(viaBranch(sent('INVITE')));
      expect(viaBranch(sent('ACK'))).toBe(viaBranch(sent('INVITE')));
    });

    // Kamailio must not be stricter than needed: these reach (and can crash or confuse) a sip.js UA.
    it.each([
      ['a tel: From URI', 'From: <tel:+15551234>;tag=t1'],
      ['a control character in the display name', 'From: "Ctl\u0001Char" <sip:ctl@127.0.0.1>;tag=t2'],
      ['an Expires beyond the Node timer range', 'Expires: 2147484'],
      ['a non-numeric Expires', 'Expires: soon'],
      ['an unknown Require', 'Require: x-calmline-unknown'],
      ['a non-UTF-8 %-escape in the From user', 'From: <sip:%ff%fe@127.0.0.1>;tag=t3'],
    ])('relays a hostile-but-parseable INVITE to the agent: %s', async (_name, line) => {
      const headerName = line.slice(0, line.indexOf(':'));
      const defaults = [`From: "Raw" <sip:raw@127.0.0.1>;tag=${sipToken(4)}`];
      const sent = sendUdpRequest({
        port: k.udpPort,
        build: (lp) =>
          [
            'INVITE sip:agent1@127.0.0.1 SIP/2.0',
            `Via: SIP/2.0/UDP 127.0.0.1:${lp};branch=z9hG4bK${sipToken()};rport`,
            'Max-Forwards: 70',
            ...(headerName === 'From' ? [] : defaults),
            line,
            'To: <sip:agent1@127.0.0.1>',
            `Call-ID: ${sipToken()}@127.0.0.1`,
            'CSeq: 1 INVITE',
            `Contact: <sip:raw@127.0.0.1:${lp}>`,
            'Content-Length: 0',
            '',
            '',
          ].join('\r\n'),
      });
      const invite = await agent.request('INVITE');
      expect(invite.raw).toContain(`\r\n${line}\r\n`);
      agent.reply(invite, 486, 'Busy Here', sipToken(4));
      await agent.request('ACK', invite);
      expect((await sent).map((r) => r.status).at(-1)).toBe(486);
    });

    it('forgets the WS contact when the connection closes (handle_lost_tcp)', async () => {
      const temp = await WsAgent.connect(k.wsUrl, 'agent-temp', k.domain);
      expect((await temp.register()).status).toBe(200);
      expect(await k.contacts('agent-temp')).toHaveLength(1);
      await temp.close();
      const deadline = Date.now() + 5000;
      let contacts = await k.contacts('agent-temp');
      while (contacts.length > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        contacts = await k.contacts('agent-temp');
      }
      expect(contacts).toEqual([]);
    });
  });
});

describe('Kamailio restart()', () => {
  let k: Kamailio | undefined;
  afterAll(async () => {
    await k?.stop();
  });

  it('comes back on the same ports with an empty location table', async () => {
    k = await startKamailio();
    const { udpPort, wsPort } = k;
    const agent = await WsAgent.connect(k.wsUrl, 'agent2', k.domain);
    expect((await agent.register()).status).toBe(200);
    expect(await k.contacts('agent2')).toHaveLength(1);
    const oldPid = k.pid;

    await k.restart();

    await agent.closed; // the server side of the old connection went away
    expect(k.pid).toBeDefined();
    expect(k.pid).not.toBe(oldPid);
    expect([k.udpPort, k.wsPort]).toEqual([udpPort, wsPort]);
    expect((await pingKamailio(udpPort)).status).toBe(200);
    expect(await k.contacts('agent2')).toEqual([]);
    const again = await WsAgent.connect(`ws://127.0.0.1:${wsPort}`, 'agent2', k.domain);
    expect((await again.register()).status).toBe(200);
    await again.close();
  });

  it('stop() is idempotent, frees the ports and removes the temp dir', async () => {
    const kam = k ?? (await startKamailio());
    const { udpPort, dir } = kam;
    await kam.stop();
    await kam.stop();
    expect(isPortBound(udpPort, 'udp')).toBe(false);
    expect(existsSync(dir)).toBe(false);
    await expect(pingKamailio(udpPort, 300)).rejects.toThrow();
  });
});

describe('digest auth option', () => {
  let k: Kamailio;
  beforeAll(async () => {
    k = await startKamailio({ auth: { users: { '3000': 's3cret"\\pw' } } });
  });
  afterAll(async () => {
    await k?.stop();
  });

  it('challenges REGISTER and accepts only the right password', async () => {
    const good = await sipp({
      scenario: 'uas-register.xml',
      kamailio: k,
      service: '3000',
      authUser: '3000',
      authPassword: 's3cret"\\pw',
    }).done;
    expectPassed(good);
    expect(flow(good)).toContain('<- SIP/2.0 401 Unauthorized');
    expect(await k.contacts('3000')).toHaveLength(1);

    const bad = await sipp({
      scenario: 'uas-register.xml',
      kamailio: k,
      service: '3000',
      authUser: '3000',
      authPassword: 'wrong',
      recvTimeoutMs: 3000,
    }).done;
    expect(bad.passed, formatSippResult(bad)).toBe(false);
  });

  it('does not challenge INVITEs from the UDP side, but does challenge them over WebSocket', async () => {
    const responses = await sendUdpRequest({
      port: k.udpPort,
      build: (lp) =>
        [
          'INVITE sip:nobody@127.0.0.1 SIP/2.0',
          `Via: SIP/2.0/UDP 127.0.0.1:${lp};branch=z9hG4bK${sipToken()};rport`,
          'Max-Forwards: 70',
          `From: <sip:raw@127.0.0.1>;tag=${sipToken(4)}`,
          'To: <sip:nobody@127.0.0.1>',
          `Call-ID: ${sipToken()}@127.0.0.1`,
          'CSeq: 1 INVITE',
          `Contact: <sip:raw@127.0.0.1:${lp}>`,
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n'),
    });
    // 404 (not 407): the trunk side is not challenged, the lookup is reached.
    expect(responses.map((r) => r.status).at(-1)).toBe(404);

    const agent = await WsAgent.connect(k.wsUrl, '3000', k.domain);
    try {
      agent.send([
        'INVITE sip:nobody@127.0.0.1 SIP/2.0',
        `Via: SIP/2.0/WS agent.invalid;branch=z9hG4bK${sipToken()}`,
        'Max-Forwards: 70',
        `From: <sip:3000@127.0.0.1>;tag=${sipToken(4)}`,
        'To: <sip:nobody@127.0.0.1>',
        `Call-ID: ${sipToken()}`,
        'CSeq: 1 INVITE',
        `Contact: ${agent.contact}`,
      ]);
      const challenge = await agent.response('INVITE');
      expect(challenge.status, challenge.raw).toBe(407);
      expect(challenge.header('Proxy-Authenticate')).toMatch(/^Digest realm="127\.0\.0\.1"/);
    } finally {
      await agent.close();
    }
  });
});
