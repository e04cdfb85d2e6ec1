/**
 * The registration lifecycle on a fake clock, with a fake connection and fake
 * Registerers in place of sip.js: register, refusal, the backoff ladder, away and
 * back, stopping. tests/integration/registration.test.ts does the same against Kamailio.
 */
import { RegistererState, type RegistererRegisterOptions, type RegistererUnregisterOptions } from 'sip.js';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/logger';
import {
  RegistrationManager,
  nextRegistrationState,
  type RegistererLike,
  type RegistrationConnection,
} from '../../../src/core/phone/registration';
import type { Registration } from '../../../src/shared/contract';
import { createFakeClock } from '../../support/fake-clock';

/** A Registerer the test answers for the registrar. */
class FakeRegisterer implements RegistererLike {
  state: RegistererState = RegistererState.Initial;
  disposed = false;
  registers: RegistererRegisterOptions[] = [];
  unregisters: RegistererUnregisterOptions[] = [];
  throwOnRegister: Error | undefined;
  private readonly listeners: ((state: RegistererState) => void)[] = [];
  readonly stateChange = {
    addListener: (listener: (state: RegistererState) => void) => void this.listeners.push(listener),
  };

  register(options: RegistererRegisterOptions = {}): Promise<unknown> {
    if (this.throwOnRegister) throw this.throwOnRegister;
    this.registers.push(options);
    return Promise.resolve();
  }
  unregister(options: RegistererUnregisterOptions = {}): Promise<unknown> {
    this.unregisters.push(options);
    return Promise.resolve();
  }
  dispose(): Promise<void> {
    this.disposed = true;
    return Promise.resolve();
  }
  /** The registrar's 200 to the last REGISTER. */
  accept(): void {
    this.move(RegistererState.Registered);
  }
  /** The registrar's refusal of the last REGISTER. */
  refuse(statusCode: number, reasonPhrase: string): void {
    const response = { message: { statusCode, reasonPhrase } };
    this.registers.at(-1)?.requestDelegate?.onReject?.(response as never);
  }
  /** The registrar's 200 to the last un-REGISTER. */
  acceptUnregister(): void {
    this.move(RegistererState.Unregistered);
    this.unregisters.at(-1)?.requestDelegate?.onAccept?.({} as never);
  }
  private move(state: RegistererState): void {
    this.state = state;
    for (const listener of this.listeners) listener(state);
  }
}

function setup(options: { backoffMs?: number[]; registerError?: Error } = {}) {
  const clock = createFakeClock();
  const registerers: FakeRegisterer[] = [];
  const views: Registration[] = [];
  const calls: string[] = [];
  const connection: RegistrationConnection & { failReconnects: number } = {
    failReconnects: 0,
    start: () => {
      calls.push('start');
      return Promise.resolve();
    },
    reconnect: () => {
      calls.push('reconnect');
      if (connection.failReconnects > 0) {
        connection.failReconnects -= 1;
        return Promise.reject(new Error('ECONNREFUSED'));
      }
      return Promise.resolve();
    },
    stop: () => {
      calls.push('stop');
      return Promise.resolve();
    },
  };
  const registration = new RegistrationManager({
    aor: 'sip:1001@pbx.example.com',
    wsUrl: 'ws://pbx.example.com:8080',
    clock,
    logger: silentLogger,
    connection,
    createRegisterer: () => {
      const registerer = new FakeRegisterer();
      registerer.throwOnRegister = options.registerError;
      registerers.push(registerer);
      return registerer;
    },
    backoffMs: options.backoffMs ?? [500, 1_000, 2_000],
    // The top of each jitter window, so the ladder is exact here (backoff.test.ts covers the jitter).
    random: () => 1,
    onChange: (view) => views.push(view),
  });
  const last = () => registerers.at(-1)!;
  return { clock, registration, registerers, last, views, calls, connection };
}

/** Lets promise callbacks run (fake registerers answer synchronously, the manager awaits). */
const flush = async () => {
  for (let turn = 0; turn < 5; turn += 1) await Promise.resolve();
};

describe('RegistrationManager', () => {
  it('connects, registers with a fresh Registerer and shows the address of record', async () => {
    const { registration, registerers, last, views } = setup();
    expect(registration.current).toEqual({ status: 'stopped' });
    await registration.start();
    expect(registration.current).toEqual({ status: 'connecting' });
    registration.handleConnect();
    expect(registerers).toHaveLength(1);
    expect(last().registers).toHaveLength(1);
    last().accept();
    expect(registration.current).toEqual({ status: 'registered', aor: 'sip:1001@pbx.example.com' });
    expect(registration.lifecycle).toBe('registered');
    expect(views.map((view) => view.status)).toEqual(['connecting', 'connecting', 'registered']);
  });

  it('shows a refusal with its status and a sanitised reason', async () => {
    const { registration, last } = setup();
    await registration.start();
    registration.handleConnect();
    last().refuse(403, 'Forbidden\u202E<b>');
    expect(registration.current).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/^Registration refused: 403 Forbidden/),
    });
    expect(registration.current.status === 'failed' && registration.current.reason).not.toContain('\u202E');
  });

  it('reports a register() that throws synchronously (a terminated Registerer) as a failure, not a crash', async () => {
    const { registration } = setup({ registerError: new Error('Registerer terminated') });
    await registration.start();
    registration.handleConnect();
    expect(registration.current).toEqual({ status: 'failed', reason: 'Registration failed: Registerer terminated' });
  });

  it('retries a dropped connection along the backoff ladder, the last step repeating, and starts over once connected', async () => {
    const { clock, registration, registerers, last, calls, connection } = setup();
    await registration.start();
    registration.handleConnect();
    last().accept();

    connection.failReconnects = 3;
    registration.handleDisconnect(new Error('connection closed'));
    expect(registration.current).toEqual({
      status: 'failed',
      reason: 'Cannot reach ws://pbx.example.com:8080: connection closed. Retrying in 1 s.',
    });
    expect(registration.lifecycle).toBe('retrying');
    const delays: number[] = [];
    for (let attempt = 0; attempt < 4; attempt += 1) {
      const due = clock.nextDue()!;
      delays.push(due - clock.now());
      clock.advanceTo(due);
      await flush();
    }
    expect(delays).toEqual([500, 1_000, 2_000, 2_000]);
    expect(calls.filter((call) => call === 'reconnect')).toHaveLength(4);
    // The fourth reconnect worked: the UA connects, a fresh Registerer registers, the old one goes.
    expect(registration.current).toEqual({ status: 'connecting' });
    registration.handleConnect();
    expect(registerers).toHaveLength(2);
    expect(registerers[0]!.disposed).toBe(true);
    last().accept();
    expect(registration.current.status).toBe('registered');

    registration.handleDisconnect(new Error('gone again'));
    expect(clock.nextDue()! - clock.now()).toBe(500);
  });

  it('ignores news from a Registerer it has replaced', async () => {
    const { registration, registerers } = setup();
    await registration.start();
    registration.handleConnect();
    registration.handleConnect();
    registerers[0]!.accept();
    expect(registration.current).toEqual({ status: 'connecting' });
    registerers[1]!.accept();
    expect(registration.current.status).toBe('registered');
  });

  it('un-REGISTERs while away and registers again when back', async () => {
    const { registration, registerers, last } = setup();
    await registration.start();
    registration.handleConnect();
    last().accept();

    registration.setAway(true);
    expect(last().unregisters).toHaveLength(1);
    expect(registration.current).toEqual({ status: 'connecting' });
    last().acceptUnregister();
    expect(registration.lifecycle).toBe('away');

    registration.setAway(false);
    expect(registerers).toHaveLength(2);
    last().accept();
    expect(registration.current.status).toBe('registered');
  });

  it('stays unregistered across a reconnection while away, and registers once back', async () => {
    const { clock, registration, registerers, last } = setup();
    await registration.start();
    registration.setAway(true);
    registration.handleConnect();
    expect(registerers).toHaveLength(0);
    expect(registration.lifecycle).toBe('away');

    registration.handleDisconnect(new Error('connection closed'));
    registration.setAway(false);
    // Still disconnected: nothing is sent until the connection is back.
    expect(registerers).toHaveLength(0);
    clock.advance(500);
    await flush();
    registration.handleConnect();
    expect(registerers).toHaveLength(1);
    last().accept();
    expect(registration.current.status).toBe('registered');
  });

  it('undoes a REGISTER that was still in flight when the agent went away', async () => {
    const { registration, last } = setup();
    await registration.start();
    registration.handleConnect();
    registration.setAway(true);
    expect(last().unregisters).toHaveLength(0);
    last().accept();
    expect(last().unregisters).toHaveLength(1);
    expect(registration.current).toEqual({ status: 'connecting' });
  });

  it('stops: calls end first, then the un-REGISTER (given up after 2 s), then the connection; no retry after', async () => {
    const { clock, registration, last, calls, views } = setup();
    await registration.start();
    registration.handleConnect();
    last().accept();

    const stopped = registration.stop(async () => {
      calls.push('end calls');
    });
    await flush();
    expect(last().unregisters).toHaveLength(1);
    expect(calls).toEqual(['start', 'end calls']);
    // The registrar never answers: the phone carries on after 2 s.
    clock.advance(2_000);
    await stopped;
    expect(calls).toEqual(['start', 'end calls', 'stop']);
    expect(registration.current).toEqual({ status: 'stopped' });

    const seen = views.length;
    registration.handleDisconnect(new Error('closed by stop'));
    expect(clock.pendingTimers()).toBe(0);
    expect(views).toHaveLength(seen);
    await registration.stop(async () => undefined);
    await registration.start();
    expect(registration.current).toEqual({ status: 'stopped' });
  });

  it('does nothing on stop() before start()', async () => {
    const { registration, calls } = setup();
    await registration.stop(async () => {
      calls.push('end calls');
    });
    expect(calls).toEqual([]);
  });

  it('retries when the first connection cannot be made, with reconnect() (start() again would do nothing)', async () => {
    const { clock, registration, calls, connection } = setup();
    connection.start = () => Promise.reject(new Error('ECONNREFUSED'));
    await registration.start();
    expect(registration.current).toMatchObject({ status: 'failed', reason: expect.stringContaining('ECONNREFUSED') });
    clock.advance(500);
    expect(calls).toEqual(['reconnect']);
    expect(registration.current).toEqual({ status: 'connecting' });
  });
});

describe('nextRegistrationState', () => {
  it('ignores what does not apply: a lost registration while registering, a retry while connected, anything after stop', () => {
    expect(nextRegistrationState('registering', 'lost')).toBeUndefined();
    expect(nextRegistrationState('registered', 'retry')).toBeUndefined();
    expect(nextRegistrationState('stopped', 'start')).toBeUndefined();
    expect(nextRegistrationState('stopping', 'dropped')).toBeUndefined();
    expect(nextRegistrationState('registered', 'lost')).toBe('lost');
    expect(nextRegistrationState('away', 'come-back')).toBe('registering');
  });
});
