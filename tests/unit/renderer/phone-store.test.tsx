import { describe, expect, it } from 'vitest';
import type { PhoneState } from '../../../src/shared/contract';
import type { Result } from '../../../src/shared/result';
import {
  createPhoneStore,
  RECENTLY_ENDED_LIMIT,
  type PhoneStateSource,
} from '../../../src/renderer/src/state/phone-store';
import { callView, phoneState } from './fake-calmline-api';

/** A source whose getPhoneState answers only when the test says so. */
function controlledSource() {
  const listeners = new Set<(state: PhoneState) => void>();
  const pendingLoads: ((result: Result<PhoneState>) => void)[] = [];
  const source: PhoneStateSource = {
    getPhoneState: () => new Promise((resolve) => pendingLoads.push(resolve)),
    onPhoneState: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return {
    source,
    listeners,
    push: (state: PhoneState) => listeners.forEach((listener) => listener(state)),
    answerLoad: async (result: Result<PhoneState>) => {
      pendingLoads.shift()?.(result);
      await Promise.resolve();
    },
  };
}

describe('createPhoneStore', () => {
  it('does not let a slow initial load overwrite a newer pushed state', async () => {
    const fake = controlledSource();
    const store = createPhoneStore(fake.source);
    const unsubscribe = store.subscribe(() => {});

    fake.push(phoneState({ status: 'registered', aor: 'sip:new@pbx' }));
    await fake.answerLoad({ ok: true, value: phoneState({ status: 'connecting' }) });

    expect(store.getSnapshot().phone?.registration).toEqual({
      status: 'registered',
      aor: 'sip:new@pbx',
    });
    unsubscribe();
  });

  it('reports a refused load and clears the problem with the next good state', async () => {
    const fake = controlledSource();
    const store = createPhoneStore(fake.source);
    store.subscribe(() => {});
    await fake.answerLoad({ ok: false, error: { code: 'internal', message: 'boom' } });
    expect(store.getSnapshot().problem).toEqual({ kind: 'load-failed', code: 'internal' });

    fake.push(phoneState({ status: 'stopped' }));
    expect(store.getSnapshot().problem).toBeNull();
  });

  it('listens to main only while someone listens to the store', () => {
    const fake = controlledSource();
    const store = createPhoneStore(fake.source);
    const first = store.subscribe(() => {});
    const second = store.subscribe(() => {});
    expect(fake.listeners.size).toBe(1);
    first();
    expect(fake.listeners.size).toBe(1);
    second();
    expect(fake.listeners.size).toBe(0);
  });

  it(`remembers the ${RECENTLY_ENDED_LIMIT} most recently ended calls, newest first`, () => {
    const fake = controlledSource();
    const store = createPhoneStore(fake.source);
    store.subscribe(() => {});
    for (let index = 1; index <= 7; index += 1) {
      fake.push(
        phoneState({ status: 'stopped' }, [
          callView({ id: `c${index}`, state: 'ended', endedAt: index, endReason: 'remote-hangup' }),
        ]),
      );
    }
    expect(store.getSnapshot().recentlyEnded.map((call) => call.id)).toEqual(['c7', 'c6', 'c5', 'c4', 'c3']);
  });
});
