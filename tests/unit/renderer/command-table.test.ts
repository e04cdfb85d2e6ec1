/**
 * The contract's command and event tables are the only list of the renderer API:
 * these tests check that the API, the host completeness check and the argument
 * mapping all follow the table, for every entry, so a new command that is missing
 * anywhere (a sample here included) fails.
 */
import { DEFAULT_DESK_SETTINGS } from '../../../src/shared/desk';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { apiFunctionNames, createCalmlineApi, type CalmlineApi, type HostTransport } from '../../../src/shared/api';
import type { CallRecord } from '../../../src/shared/call-record';
import {
  commandChannels,
  commands,
  eventChannels,
  events,
  type CommandArgs,
  type CommandChannel,
  type CommandEntry,
  type CommandRequest,
  type EventChannel,
  type PhoneState,
} from '../../../src/shared/contract';
import { ok, type Result } from '../../../src/shared/result';
import { readHostApi } from '../../../src/renderer/src/host-api';

/** A transport that records what the API hands it and answers every command ok. */
function recordingTransport() {
  const invoked: Array<{ channel: CommandChannel; payload: unknown }> = [];
  const subscribed: EventChannel[] = [];
  const unsubscribed: EventChannel[] = [];
  const transport: HostTransport = {
    invoke: async (channel, payload) => {
      invoked.push({ channel, payload });
      return ok(undefined);
    },
    subscribe: (channel, listener) => {
      subscribed.push(channel);
      listener({ from: channel });
      return () => unsubscribed.push(channel);
    },
  };
  return { transport, invoked, subscribed, unsubscribed };
}

const NUMBER = '+49 30 1234567';
const devices = {
  microphone: { id: '', label: '' },
  speaker: { id: 'spk', label: 'Headset' },
  ringer: { id: '', label: '' },
  ringtone: true,
};

/** Valid arguments for every command's API function; the type makes a missing one a compile error. */
const samples: { [C in CommandChannel]: CommandArgs<C> } = {
  'phone:get-state': [],
  'call:answer': ['c1'],
  'call:decline': ['c1'],
  'call:hang-up': ['c1'],
  'call:dial': ['+49 30 123456'],
  'call:record-consent': [{ callId: 'c1', action: 'hold', answer: 'agreed' }],
  'call:hold': ['c1', 'consent-1'],
  'call:resume': ['c1'],
  'call:transfer': [{ callId: 'c1', consentId: 'consent-1', target: 'sip:2000@pbx.example.com', mode: 'attended' }],
  'call:complete-transfer': ['c1'],
  'call:cancel-transfer': ['c1'],
  'call:escalate': ['c1', 'consent-1'],
  'call:send-dtmf': ['c1', '12#'],
  'call:set-mute': ['c1', true],
  'call:reconnect-audio': ['c1'],
  'media:attach': [],
  'media:response': [{ requestId: 'r1', response: { ok: true, sdp: 'v=0' } }],
  'media:report': [{ sessionId: 's1', kind: 'no-audio', message: 'No audio', connectionState: 'connected' }],
  'settings:get-audio-devices': [],
  'settings:save-audio-devices': [devices],
  'settings:get-language': [],
  'settings:save-language': [{ language: 'de' }],
  'settings:get-account': [],
  'settings:save-account': [
    { wsUrl: 'wss://pbx.example.com/ws', sipUri: 'sip:1001@pbx.example.com', displayName: 'Agent' },
  ],
  'notes:edit': ['c1', 'Refund promised'],
  'notes:get': ['c1'],
  'history:search': [{ text: 'refund', limit: 20 }],
  'history:calls-for-caller': [NUMBER, 5],
  'callers:lookup': [NUMBER],
  'callers:add-flag': [{ number: NUMBER, kind: 'insults', reason: 'Called the agent names', callId: 'c1' }],
  'callers:clear-flag': [NUMBER, 'f1'],
  'callers:set-preferred-address': [NUMBER, 'Frau Mustermann'],
  'callers:add-follow-up': [
    { number: NUMBER, callId: 'c1', kind: 'due-date', due: 1_700_000_000_000, text: 'Call back' },
  ],
  'callers:complete-follow-up': [NUMBER, 'u1'],
  'callers:record-incident': [
    {
      number: NUMBER,
      callId: 'c1',
      kind: 'legal-threat',
      whatWasSaid: 'See you in court',
      occurredAt: 1_700_000_000_000,
    },
  ],
  'callers:export-record': [NUMBER],
  'storage:get-notices': [],
  'settings:get-retention': [],
  'settings:save-retention': [{ retentionDays: 90 }],
  'workspace:get-state': [],
  'checklists:list': [],
  'checklist:set-step': ['c1', 'hear', true],
  'checklist:record-commitment': ['c1', { kind: 'status-update', due: 1_700_000_000_000, text: 'Refund by Friday' }],
  'wrap-up:complete': [{ outcome: 'follow-up', note: 'Refund promised' }],
  'break:start': ['de-escalation'],
  'break:end': [],
  'break:decline-offer': [],
  'reminder:snooze': ['eye-rest'],
  'settings:get-call-policy': [],
  'settings:save-call-policy': [
    { defaultRegion: 'DE', escalationTarget: '', escalationMode: 'blind', consentTtlSeconds: 120 },
  ],
  'settings:get-desk': [],
  'settings:save-desk': [DEFAULT_DESK_SETTINGS],
  'desk:get-status': [],
  'desk:take-dial-link': [],
  'storage:get-protection': [],
  'policy:get-locks': [],
  'diagnostics:get': [],
  'diagnostics:save': [],
  'directory:get-status': [],
};

/** A complete API over a transport that answers everything ok. */
const complete = () => createCalmlineApi(recordingTransport().transport);

/** Calls the API function of `channel` with `args`, whatever its signature. */
function call(api: CalmlineApi, channel: CommandChannel, args: readonly unknown[]): Promise<Result<unknown>> {
  const fn = api[commands[channel].method] as (...values: unknown[]) => Promise<Result<unknown>>;
  return fn(...args);
}

describe('the command table', () => {
  it('gives every command and event its own API function name', () => {
    const names = [...commandChannels.map((c) => commands[c].method), ...eventChannels.map((e) => events[e].method)];
    expect(new Set(names).size).toBe(names.length);
    expect(apiFunctionNames).toEqual(names);
    for (const channel of eventChannels) expect(events[channel].method).toMatch(/^on[A-Z]/);
  });

  it('builds the API with a function for every command and event, and nothing else', () => {
    const api = createCalmlineApi(recordingTransport().transport);
    for (const name of apiFunctionNames) expect(typeof api[name], name).toBe('function');
    expect(Object.keys(api).sort()).toEqual([...apiFunctionNames].sort());
  });

  it('has a sample for every command (a new command must get one here)', () => {
    expect(Object.keys(samples).sort()).toEqual([...commandChannels].sort());
  });

  it.each(commandChannels)(
    'sends %s with a payload its request schema accepts, built from the arguments',
    async (channel) => {
      const { transport, invoked } = recordingTransport();
      const args: readonly unknown[] = samples[channel];
      await expect(call(createCalmlineApi(transport), channel, args)).resolves.toEqual(ok(undefined));

      expect(invoked).toHaveLength(1);
      const [sent] = invoked;
      expect(sent?.channel).toBe(channel);
      const parsed = commands[channel].request.safeParse(sent?.payload);
      expect(parsed.success, parsed.error?.message).toBe(true);

      // The mapping round-trips: each argument lands in its field, and nothing else is sent.
      const mapping: CommandEntry['args'] = (commands[channel] as CommandEntry).args;
      if (mapping === undefined) expect(sent?.payload).toBeUndefined();
      else if (mapping === 'request') expect(sent?.payload).toBe(args[0]);
      else expect(sent?.payload).toEqual(Object.fromEntries(mapping.map((field, index) => [field, args[index]])));
    },
  );

  it('leaves an omitted optional argument out of the request', async () => {
    const { transport, invoked } = recordingTransport();
    await createCalmlineApi(transport).callsForCaller(NUMBER);
    expect(invoked).toEqual([{ channel: 'history:calls-for-caller', payload: { number: NUMBER } }]);
    expect(Object.keys(invoked[0]?.payload ?? {})).toEqual(['number']);
  });

  it.each(eventChannels)('subscribes to %s through its on… function and unsubscribes', (channel) => {
    const { transport, subscribed, unsubscribed } = recordingTransport();
    const api = createCalmlineApi(transport);
    const received: unknown[] = [];
    const subscribe = api[events[channel].method] as (listener: (payload: unknown) => void) => () => void;
    const unsubscribe = subscribe((payload) => received.push(payload));
    expect(subscribed).toEqual([channel]);
    expect(received).toEqual([{ from: channel }]);
    unsubscribe();
    expect(unsubscribed).toEqual([channel]);
  });
});

describe('readHostApi', () => {
  it('accepts an API with every function of the table', () => {
    const api = complete();
    expect(readHostApi({ calmline: api })).toBe(api);
  });

  it.each(apiFunctionNames)('rejects an API without %s', (name) => {
    const api: Partial<CalmlineApi> = complete();
    delete api[name];
    expect(readHostApi({ calmline: api as CalmlineApi })).toBeNull();
  });

  it('rejects a function that is not a function', () => {
    expect(readHostApi({ calmline: { ...complete(), hold: 'hold' } as unknown as CalmlineApi })).toBeNull();
    expect(readHostApi({ calmline: undefined })).toBeNull();
  });
});

describe('the derived API type', () => {
  it('keeps the purpose-named signatures', () => {
    expectTypeOf<CalmlineApi['hold']>().toEqualTypeOf<(callId: string, consentId: string) => Promise<Result<void>>>();
    expectTypeOf<CalmlineApi['callsForCaller']>().toEqualTypeOf<
      (number: string, limit?: number) => Promise<Result<CallRecord[]>>
    >();
    expectTypeOf<CalmlineApi['transfer']>().parameters.toEqualTypeOf<[request: CommandRequest<'call:transfer'>]>();
    expectTypeOf<CalmlineApi['startBreak']>().parameters.toEqualTypeOf<[kind: 'de-escalation' | 'regular']>();
    expectTypeOf<CalmlineApi['getPhoneState']>().toEqualTypeOf<() => Promise<Result<PhoneState>>>();
    expectTypeOf<CalmlineApi['onPhoneState']>().toEqualTypeOf<(listener: (state: PhoneState) => void) => () => void>();
    // No generic invoke(channel): only the table's names.
    expectTypeOf<CalmlineApi>().not.toHaveProperty('invoke');
  });

  it('rejects arguments the request schema would', () => {
    const api = complete();
    // Built but never called: only the compiler looks at these.
    const checks = [
      // @ts-expect-error consentId is required
      () => api.hold('c1'),
      // @ts-expect-error a break kind that does not exist
      () => api.startBreak('lunch'),
      // @ts-expect-error a command with no request takes no argument
      () => api.getPhoneState('now'),
    ];
    expect(checks).toHaveLength(3);
  });
});
