/**
 * The Phone refuses a command exactly when the call view it reported says the
 * action is not allowed, in every state a call can be in: ringing (alone or beside
 * an active call), dialing, active (with or without a supervisor configured, with
 * a hold under way), held, consulting (colleague ringing or answered), the consult
 * leg itself, and transferring.
 *
 * Real sip.js on both ends, no network beyond loopback: the Phone and a peer sip.js
 * UserAgent (playing caller, callee and transfer target) talk through a WebSocket
 * relay that passes every message to the other side. The peer answers re-INVITEs
 * through a media handler the test can hold back, which keeps a hold "under way".
 */
import type { AddressInfo } from 'node:net';
import {
  Inviter,
  UserAgent,
  type Invitation,
  type Referral,
  type Session,
  type SessionDelegate,
  type SessionDescriptionHandler,
  type SessionDescriptionHandlerFactory,
} from 'sip.js';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { WebSocketServer } from 'ws';
import { silentLogger } from '../../../src/core/logger';
import { CALL_ACTIONS, type CallAction } from '../../../src/core/phone/allowed-actions';
import { DEFAULT_CALL_POLICY, Phone } from '../../../src/core/phone/phone';
import { PhoneError } from '../../../src/core/phone/phone-error';
import { createSignallingMediaFactory } from '../../../src/core/phone/signalling-media';
import { WsTransport } from '../../../src/core/phone/ws-transport';
import type { CallView, ConsentAction, PhoneState } from '../../../src/shared/contract';
import { createFakeClock } from '../../support/fake-clock';

const PEER = 'sip:peer@calmline.test';
const AGENT = 'sip:1001@calmline.test';
const SUPERVISOR_POLICY = { ...DEFAULT_CALL_POLICY, escalationTarget: PEER, escalationMode: 'blind' } as const;

let relay: WebSocketServer;
let phone: Phone;
let peer: Peer;

/** The far end: a sip.js UserAgent whose calls, REFERs and re-INVITE answers the test controls. */
class Peer {
  readonly ua: UserAgent;
  readonly invitations: Invitation[] = [];
  readonly referrals: Referral[] = [];
  private readonly waiters = new Set<() => void>();
  private gate: { promise: Promise<void>; open: () => void } | undefined;

  constructor(server: string) {
    const base = createSignallingMediaFactory({ basePort: 52_000 });
    const factory: SessionDescriptionHandlerFactory = (session, options) => {
      const handler: SessionDescriptionHandler = base(session, options);
      return {
        close: () => handler.close(),
        hasDescription: (contentType) => handler.hasDescription(contentType),
        setDescription: (sdp, ...rest) => handler.setDescription(sdp, ...rest),
        getDescription: async (...args) => {
          await this.gate?.promise;
          return handler.getDescription(...args);
        },
        sendDtmf: (tones, options) => handler.sendDtmf(tones, options),
      };
    };
    this.ua = new UserAgent({
      uri: UserAgent.makeURI(PEER)!,
      transportConstructor: WsTransport,
      transportOptions: { server },
      sessionDescriptionHandlerFactory: factory,
      logBuiltinEnabled: false,
      logConnector: () => undefined,
      delegate: {
        onInvite: (invitation) => {
          invitation.delegate = this.sessionDelegate();
          this.invitations.push(invitation);
          this.changed();
        },
      },
    });
  }

  /** The peer's side of each of the agent's calls, by the agent's call id. */
  readonly sessions = new Map<string, Session>();

  /**
   * A round trip on the call (an INFO the agent's phone answers 200): once it is
   * back, the peer has also taken in the ACK sent before it. sip.js answers 500 to a
   * re-INVITE whose frame arrives together with the previous ACK's, so a command that
   * sends a re-INVITE right after one (resume after hold) waits for this first.
   */
  roundTrip(callId: string): Promise<void> {
    return new Promise((resolve) => {
      void this.sessions
        .get(callId)!
        .info({ requestDelegate: { onAccept: () => resolve(), onReject: () => resolve() } })
        .catch(() => resolve());
    });
  }

  /** Calls the agent. */
  call(): Inviter {
    const inviter = new Inviter(this.ua, UserAgent.makeURI(AGENT)!, { delegate: this.sessionDelegate() });
    void inviter.invite().catch(() => undefined);
    return inviter;
  }

  /** Resolves with the next INVITE from the agent after `seen` of them. */
  async nextInvitation(seen: number): Promise<Invitation> {
    while (this.invitations.length <= seen) await new Promise<void>((resolve) => this.waiters.add(resolve));
    return this.invitations[seen]!;
  }

  /** Holds back every answer to an offer until `release()`. */
  holdAnswers(): void {
    let open = () => {};
    const promise = new Promise<void>((resolve) => {
      open = resolve;
    });
    this.gate = { promise, open };
  }

  release(): void {
    this.gate?.open();
    this.gate = undefined;
  }

  private sessionDelegate(): SessionDelegate {
    // REFERs are kept unanswered: the agent's transfer stays "transferring".
    return { onRefer: (referral) => void this.referrals.push(referral) };
  }

  private changed(): void {
    for (const waiter of [...this.waiters]) {
      this.waiters.delete(waiter);
      waiter();
    }
  }
}

/** Resolves once `pick` finds something in the phone's state (checked now and on every change). */
function until<T>(pick: (state: PhoneState) => T | undefined | false | null): Promise<T> {
  return new Promise((resolve) => {
    const check = (): boolean => {
      const found = pick(phone.getState());
      if (!found) return false;
      unsubscribe();
      resolve(found);
      return true;
    };
    const unsubscribe = phone.onChange(() => void check());
    check();
  });
}

const callNow = (id: string): CallView => phone.getState().calls.find((call) => call.id === id)!;
const live = (): CallView[] => phone.getState().calls.filter((call) => call.state !== 'ended');
const consent = (callId: string, action: ConsentAction): string => phone.recordConsent(callId, action, 'agreed').id;

async function ringing(): Promise<string> {
  const known = new Set(phone.getState().calls.map((call) => call.id));
  const inviter = peer.call();
  const call = await until((state) => state.calls.find((c) => !known.has(c.id) && c.state === 'ringing'));
  peer.sessions.set(call.id, inviter);
  return call.id;
}

async function active(): Promise<string> {
  const id = await ringing();
  await phone.answer(id);
  await until(() => callNow(id).state === 'active');
  return id;
}

async function held(): Promise<string> {
  const id = await active();
  await phone.hold(id, consent(id, 'hold'));
  await peer.roundTrip(id);
  return id;
}

/** A held caller, with the consult call to the colleague ringing there (or answered). */
async function consulting(answered: boolean): Promise<{ caller: string; consult: string }> {
  const caller = await held();
  const seen = peer.invitations.length;
  await phone.transfer(caller, consent(caller, 'transfer'), PEER, 'attended');
  const consult = callNow(caller).transfer!.consultCallId!;
  const invitation = await peer.nextInvitation(seen);
  peer.sessions.set(consult, invitation);
  if (answered) {
    await invitation.accept();
    await until(() => callNow(consult).state === 'active');
    await peer.roundTrip(consult);
  }
  return { caller, consult };
}

/** Every state to try, built afresh with real SIP; returns the call under test. */
const SCENARIOS: Record<string, { build: () => Promise<string>; supervisor?: boolean }> = {
  ringing: { build: ringing },
  'ringing while another caller is on the line': {
    build: async () => {
      await active();
      return ringing();
    },
  },
  dialing: {
    build: async () => {
      const seen = peer.invitations.length;
      const id = phone.dial(PEER);
      await peer.nextInvitation(seen);
      return id;
    },
  },
  active: { build: active },
  'active, supervisor configured': { build: active, supervisor: true },
  'active, hold under way': {
    build: async () => {
      const id = await active();
      peer.holdAnswers();
      void phone.hold(id, consent(id, 'hold')).catch(() => undefined);
      await until(() => callNow(id).pending === 'hold');
      return id;
    },
  },
  held: { build: held },
  'held, supervisor configured': { build: held, supervisor: true },
  'held, consulting, colleague ringing': { build: async () => (await consulting(false)).caller },
  'held, consulting, colleague answered': { build: async () => (await consulting(true)).caller },
  'the consult leg, answered': { build: async () => (await consulting(true)).consult },
  transferring: {
    build: async () => {
      const id = await active();
      await phone.transfer(id, consent(id, 'transfer'), PEER, 'blind');
      await until(() => callNow(id).state === 'transferring');
      return id;
    },
  },
};

/** Sends `action` for the call as the renderer would (with a fresh consent where one is needed). */
function send(action: CallAction, callId: string): Promise<unknown> {
  // A consent recorded before the command, so a refusal is the guard's and not the gate's.
  const withConsent = (kind: ConsentAction) => consent(callId, kind);
  switch (action) {
    case 'answer':
      return phone.answer(callId);
    case 'decline':
      return phone.decline(callId);
    case 'hangUp':
      return phone.hangUp(callId);
    case 'hold':
      return phone.hold(callId, withConsent('hold'));
    case 'resume':
      return phone.resume(callId);
    case 'transfer':
      return phone.transfer(callId, withConsent('transfer'), PEER, 'blind');
    case 'escalate':
      return phone.escalate(callId, withConsent('escalate'));
    case 'completeTransfer':
      return phone.completeTransfer(callId);
    case 'cancelTransfer':
      return phone.cancelTransfer(callId);
    case 'mute':
      return phone.setMute(callId, true);
    case 'dtmf':
      return phone.sendDtmf(callId, '5');
    case 'reconnectAudio':
      return phone.reconnectAudio(callId);
  }
}

/** Ends every call the phone still has, and waits until they are all over. */
async function endAll(): Promise<void> {
  peer.release();
  for (const call of live()) {
    if (call.allowed.hangUp) await phone.hangUp(call.id).catch(() => undefined);
    else if (call.allowed.decline) await phone.decline(call.id).catch(() => undefined);
  }
  await until((state) => state.calls.every((call) => call.state === 'ended'));
  phone.setPolicy(DEFAULT_CALL_POLICY);
}

async function build(name: string): Promise<CallView> {
  const scenario = SCENARIOS[name]!;
  if (scenario.supervisor) phone.setPolicy(SUPERVISOR_POLICY);
  return callNow(await scenario.build());
}

beforeAll(async () => {
  relay = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    handleProtocols: (protocols) => (protocols.has('sip') ? 'sip' : false),
  });
  await new Promise((resolve) => relay.once('listening', resolve));
  relay.on('connection', (socket) =>
    socket.on('message', (data, isBinary) => {
      for (const other of relay.clients) if (other !== socket) other.send(data, { binary: isBinary });
    }),
  );
  const server = `ws://127.0.0.1:${(relay.address() as AddressInfo).port}`;
  peer = new Peer(server);
  await peer.ua.start();
  phone = new Phone({
    account: { wsUrl: server, sipUri: AGENT, displayName: 'Agent', password: '' },
    clock: createFakeClock(),
    logger: silentLogger,
    mediaFactory: createSignallingMediaFactory(),
    policy: DEFAULT_CALL_POLICY,
  });
  await phone.start();
});

afterAll(async () => {
  await phone?.stop();
  await peer?.ua.stop();
  for (const client of relay?.clients ?? []) client.terminate();
  await new Promise((resolve) => relay?.close(resolve));
});

describe('the Phone refuses exactly what the call view does not allow', () => {
  it.each(Object.keys(SCENARIOS))('%s', async (name) => {
    const call = await build(name);
    const allowed = CALL_ACTIONS.filter((action) => call.allowed[action]);
    const refused = CALL_ACTIONS.filter((action) => !call.allowed[action]);
    onTestFinished(endAll);
    expect(allowed.length).toBeGreaterThan(0);

    // Refused commands change nothing, so one build serves them all.
    for (const action of refused) {
      const error = await send(action, call.id).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error, `${action} in ${name}`).toBeInstanceOf(PhoneError);
      expect(['invalid-transition', 'other-call-active', 'no-escalation-target'], `${action} in ${name}`).toContain(
        (error as PhoneError).code,
      );
      expect(callNow(call.id).state).toBe(call.state);
    }

    // Each allowed command gets a fresh build: carrying it out changes the call.
    await endAll();
    for (const action of allowed) {
      const fresh = await build(name);
      await expect(send(action, fresh.id), `${action} in ${name}`).resolves.not.toThrow();
      await endAll();
    }
  });
});
