/**
 * An agent's app for integration tests: the real AppCore (contract router, phone,
 * settings) registered to a test Kamailio, driven through the same command router
 * the Electron IPC and the web host use.
 */
import { AppCore, type AppCoreOptions, type CoreEventArgs } from '../../src/core/app-core';
import { createMemoryTokenStore } from '../../src/core/directory/directory-settings';
import { openCore, type OpenCoreOptions } from '../../src/core/open-core';
import { openConfSettingsStore } from '../../src/core/storage/files/settings-store';
import { systemClock, type Clock } from '../../src/core/clock';
import { createConsoleLogger, silentLogger, type CoreLogger } from '../../src/core/logger';
import { createSignallingMediaFactory } from '../../src/core/phone/signalling-media';
import { createMemorySecretStore, createMemoryStore } from '../../src/core/settings';
import type { CallView, CommandChannel, PhoneState } from '../../src/shared/contract';
import type { Result } from '../../src/shared/result';
import type { Kamailio } from './kamailio';
import type { EffectivePolicy } from '../../src/core/policy/policy';
import { PolicyStore } from '../../src/core/policy/policy-store';
import { SETTING_BASES } from '../../src/core/policy/setting-bases';

/** Options for {@link startAgent}. */
export interface AgentOptions {
  user?: string;
  displayName?: string;
  /** Store the account in the settings (default true); false for a provisioned first start. */
  storeAccount?: boolean;
  /** The stored SIP password; null: none stored yet (a provisioned first start). */
  password?: string | null;
  logger?: CoreLogger;
  clock?: Clock;
  /** Keep history, notes and callers in this folder (as the hosts do); default: none. */
  dataDir?: string;
  /** With `dataDir`: encrypt the data with the key in this file (as the web host does); default: clear text. */
  keyFile?: string;
  /** Let the wrap-up after each call hold new calls back, as in the app (default false here). */
  wrapUpHoldsCalls?: boolean;
  /**
   * The media seam: a factory, or `'webrtc'` for the app's own bridge to a renderer
   * engine (the page that attaches over the web host). Default: signalling only.
   */
  createMediaFactory?: AppCoreOptions['createMediaFactory'] | 'webrtc';
  /** Wait until registered before returning (default true). */
  waitForRegistration?: boolean;
  /** Extra phone options (reconnect backoff, grace periods). */
  phone?: AppCoreOptions['phone'];
  /** IT's managed policy, laid over the settings as the hosts do. */
  policy?: EffectivePolicy;
  /** The log's redactor and the diagnostics bundle, as the hosts pass them. */
  redactor?: AppCoreOptions['redactor'];
  diagnostics?: AppCoreOptions['diagnostics'];
  /** Use the shared caller directory at `url` with `token` (needs `dataDir`, for the outbox). */
  directory?: { url: string; token: string; client?: OpenCoreOptions['directoryClient'] };
}

/** A registered agent app and helpers to wait on its state. */
export interface TestAgent {
  core: AppCore;
  /** Every phone state the core pushed to its renderer, in order. */
  states: PhoneState[];
  /** Every event the core pushed to its renderer, in order. */
  events: CoreEventArgs[];
  command(channel: CommandChannel, payload?: unknown): Promise<Result<unknown>>;
  /** Like `command`, but throws unless the answer is ok; returns the value. */
  must<T = unknown>(channel: CommandChannel, payload?: unknown): Promise<T>;
  /** Resolves with the first pushed state (or the current one) that satisfies `predicate`. */
  waitForState(predicate: (state: PhoneState) => boolean, timeoutMs?: number): Promise<PhoneState>;
  /** Waits for a call matching `predicate` and returns it. */
  waitForCall(predicate: (call: CallView) => boolean, timeoutMs?: number): Promise<CallView>;
  stop(): Promise<void>;
}

/** Starts an AppCore configured for `sip:<user>@<domain>` and waits until it is registered. */
export async function startAgent(kamailio: Kamailio, options: AgentOptions = {}): Promise<TestAgent> {
  const user = options.user ?? '1001';
  const account = {
    wsUrl: kamailio.wsUrl,
    sipUri: `sip:${user}@${kamailio.domain}`,
    displayName: options.displayName ?? 'Agent',
  };
  // With a data folder, settings live in the real settings file, as in the web host.
  const store = options.dataDir
    ? (await openConfSettingsStore({ dir: options.dataDir, clock: options.clock ?? systemClock, logger: silentLogger }))
        .store
    : createMemoryStore();
  // A provisioned first start has no account of its own: it comes from policy.
  if (options.storeAccount !== false) store.set('account', account);
  if (options.directory) store.set('callerDirectory', { url: options.directory.url });
  // Most tests place calls back to back: only the wrap-up tests let the wrap-up hold calls.
  store.set('workspacePolicy', { wrapUpHoldsCalls: options.wrapUpHoldsCalls ?? false });
  const coreOptions = {
    store,
    secrets: createMemorySecretStore(options.password === null ? undefined : (options.password ?? '')),
    clock: options.clock ?? systemClock,
    // CALMLINE_TEST_LOG=1 shows the core's log while debugging a test.
    logger:
      options.logger ?? (process.env.CALMLINE_TEST_LOG ? createConsoleLogger('debug', `agent ${user}`) : silentLogger),
    ...(options.createMediaFactory === 'webrtc'
      ? {}
      : { createMediaFactory: options.createMediaFactory ?? (() => createSignallingMediaFactory()) }),
    phone: { reconnectBackoffMs: [200, 500, 1_000], ...options.phone },
    ...(options.redactor ? { redactor: options.redactor } : {}),
    ...(options.diagnostics ? { diagnostics: options.diagnostics } : {}),
  };
  // With a data folder, the same wiring as the hosts: history, notes, caller directory.
  const core = options.dataDir
    ? await openCore({
        ...coreOptions,
        dataDir: options.dataDir,
        ...(options.keyFile ? { keyFile: options.keyFile } : {}),
        ...(options.policy ? { policy: options.policy } : {}),
        ...(options.directory
          ? {
              directoryToken: createMemoryTokenStore(options.directory.token),
              ...(options.directory.client ? { directoryClient: options.directory.client } : {}),
            }
          : {}),
      })
    : new AppCore(
        options.policy
          ? {
              ...coreOptions,
              store: new PolicyStore(coreOptions.store, options.policy, SETTING_BASES),
              managedPolicy: options.policy,
            }
          : coreOptions,
      );
  const states: PhoneState[] = [];
  const events: CoreEventArgs[] = [];
  const waiters = new Set<() => void>();
  core.onEvent((...event) => {
    events.push(event);
    if (event[0] === 'phone:state') states.push(event[1]);
    for (const wake of [...waiters]) wake();
  });

  const waitForState = (predicate: (state: PhoneState) => boolean, timeoutMs = 10_000) =>
    new Promise<PhoneState>((resolve, reject) => {
      const check = () => {
        const current = core.phoneState();
        if (predicate(current)) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve(current);
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`Timed out waiting for phone state; last: ${JSON.stringify(core.phoneState())}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });

  const agent: TestAgent = {
    core,
    states,
    events,
    command: (channel, payload) => core.router(channel, payload),
    async must<T>(channel: CommandChannel, payload?: unknown) {
      const result = await core.router(channel, payload);
      if (!result.ok) throw new Error(`${channel} refused: ${result.error.code}: ${result.error.message}`);
      return result.value as T;
    },
    waitForState,
    async waitForCall(predicate, timeoutMs) {
      const state = await waitForState((s) => s.calls.some(predicate), timeoutMs);
      return state.calls.find(predicate)!;
    },
    stop: () => core.stop(),
  };
  await core.start();
  if (options.waitForRegistration !== false) await waitForState((s) => s.registration.status === 'registered');
  return agent;
}
