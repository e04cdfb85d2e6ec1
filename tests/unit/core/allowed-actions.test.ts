/** What each call allows, as a table over its state, its command in flight, its transfer and the other calls. */
import { describe, expect, it } from 'vitest';
import {
  CALL_ACTIONS,
  allowedActions,
  refusalOf,
  type CallAction,
  type CallContext,
  type CallFacts,
} from '../../../src/core/phone/allowed-actions';
import {
  callPendingKinds,
  callStates,
  type CallPending,
  type CallState,
  type TransferView,
} from '../../../src/shared/contract';

const consulting: TransferView = {
  kind: 'attended',
  escalation: false,
  target: '2000',
  status: 'consulting',
  statusCode: null,
  consultCallId: 'k1',
};
const failed: TransferView = { ...consulting, kind: 'blind', status: 'failed', statusCode: 486, consultCallId: null };

interface Row {
  state: CallState;
  direction?: 'incoming' | 'outgoing';
  pending?: CallPending;
  transfer?: TransferView;
  consultLeg?: boolean;
  consult?: CallState;
  consultPending?: CallPending;
  remoteHold?: boolean;
  otherActive?: boolean;
  supervisor?: boolean;
}

const facts = (row: Row): CallFacts & { remoteHold: boolean } => ({
  state: row.state,
  direction: row.direction ?? 'incoming',
  consultFor: row.consultLeg ? 'c0' : null,
  transfer: row.transfer ?? null,
  pending: row.pending ?? null,
  remoteHold: row.remoteHold ?? false,
});

const context = (row: Row): CallContext => ({
  consult: row.consult ? { state: row.consult, pending: row.consultPending ?? null } : null,
  otherCallActive: row.otherActive ?? false,
  supervisorConfigured: row.supervisor ?? false,
});

const allowedIn = (row: Row): CallAction[] => {
  const allowed = allowedActions(facts(row), context(row));
  return CALL_ACTIONS.filter((action) => allowed[action]);
};

const talking: CallAction[] = ['hangUp', 'hold', 'transfer', 'mute', 'dtmf', 'reconnectAudio'];

describe('allowedActions', () => {
  it.each<[string, Row, CallAction[]]>([
    ['ringing', { state: 'ringing' }, ['answer', 'decline']],
    ['ringing, another call active', { state: 'ringing', otherActive: true }, ['decline']],
    ['ringing, being answered', { state: 'ringing', pending: 'answer' }, ['decline']],
    ['ringing, being declined', { state: 'ringing', pending: 'decline' }, []],
    ['ringing outgoing (never reported)', { state: 'ringing', direction: 'outgoing' }, []],
    ['dialing', { state: 'dialing', direction: 'outgoing' }, ['hangUp']],
    ['dialing, being cancelled', { state: 'dialing', direction: 'outgoing', pending: 'hang-up' }, []],
    ['active', { state: 'active' }, talking],
    ['active, remote hold changes nothing', { state: 'active', remoteHold: true }, talking],
    ['active, another call active too', { state: 'active', otherActive: true }, talking],
    ['active, supervisor set', { state: 'active', supervisor: true }, [...talking, 'escalate']],
    ['active, hold under way', { state: 'active', pending: 'hold' }, ['hangUp', 'mute', 'dtmf']],
    [
      'active, transfer holding',
      { state: 'active', pending: 'transfer', supervisor: true },
      ['hangUp', 'mute', 'dtmf'],
    ],
    ['active, audio reconnecting', { state: 'active', pending: 'reconnect-audio' }, ['hangUp', 'mute', 'dtmf']],
    ['active, being hung up', { state: 'active', pending: 'hang-up' }, []],
    [
      'active consult leg',
      { state: 'active', direction: 'outgoing', consultLeg: true, supervisor: true },
      ['hangUp', 'mute', 'dtmf', 'reconnectAudio'],
    ],
    ['held', { state: 'held' }, ['hangUp', 'resume', 'transfer', 'reconnectAudio']],
    ['held, another call active', { state: 'held', otherActive: true }, ['hangUp', 'transfer', 'reconnectAudio']],
    [
      'held, supervisor set',
      { state: 'held', supervisor: true },
      ['hangUp', 'resume', 'transfer', 'escalate', 'reconnectAudio'],
    ],
    ['held, resume under way', { state: 'held', pending: 'resume' }, ['hangUp']],
    [
      'held after a failed transfer',
      { state: 'held', transfer: failed },
      ['hangUp', 'resume', 'transfer', 'reconnectAudio'],
    ],
    [
      'held, consulting, colleague ringing',
      { state: 'held', transfer: consulting, consult: 'dialing', otherActive: false },
      ['hangUp', 'cancelTransfer', 'reconnectAudio'],
    ],
    [
      'held, consulting, colleague answered',
      { state: 'held', transfer: consulting, consult: 'active', otherActive: true },
      ['hangUp', 'completeTransfer', 'cancelTransfer', 'reconnectAudio'],
    ],
    [
      'held, consulting, colleague being hung up',
      { state: 'held', transfer: consulting, consult: 'active', consultPending: 'hang-up', otherActive: true },
      ['hangUp', 'cancelTransfer', 'reconnectAudio'],
    ],
    [
      'held, consulting, audio reconnecting',
      { state: 'held', transfer: consulting, consult: 'active', pending: 'reconnect-audio' },
      ['hangUp', 'cancelTransfer'],
    ],
    [
      'transferring',
      { state: 'transferring', pending: 'transfer', transfer: { ...consulting, kind: 'blind', status: 'trying' } },
      ['hangUp'],
    ],
    ['ended', { state: 'ended' }, []],
  ])('%s', (_name, row, expected) => {
    expect(allowedIn(row)).toEqual(CALL_ACTIONS.filter((action) => expected.includes(action)));
  });
});

describe('refusalOf', () => {
  it('gives every refused action, in every situation, a hint of what to do instead', () => {
    const states: readonly CallState[] = callStates;
    const pendings: readonly (CallPending | undefined)[] = [undefined, ...callPendingKinds];
    for (const state of states) {
      for (const pending of pendings) {
        for (const consult of [undefined, 'dialing', 'active'] as const) {
          for (const otherActive of [false, true]) {
            const row: Row = { state, pending, consult, otherActive, ...(consult ? { transfer: consulting } : {}) };
            const allowed = allowedActions(facts(row), context(row));
            for (const action of CALL_ACTIONS) {
              const refusal = refusalOf(action, facts(row), context(row));
              expect(refusal === null).toBe(allowed[action]);
              if (refusal) expect(refusal.message.length).toBeGreaterThan(10);
            }
          }
        }
      }
    }
  });

  it.each<[CallAction, Row, string, RegExp]>([
    ['answer', { state: 'ringing', otherActive: true }, 'other-call-active', /put them on hold first/],
    ['answer', { state: 'active' }, 'invalid-transition', /already answered/],
    ['answer', { state: 'ringing', pending: 'answer' }, 'invalid-transition', /still being answered/],
    ['hangUp', { state: 'ringing' }, 'invalid-transition', /decline it instead/],
    ['hangUp', { state: 'active', pending: 'hang-up' }, 'invalid-transition', /already being ended/],
    ['hold', { state: 'active', pending: 'hold' }, 'invalid-transition', /hold of this call is still in progress/],
    ['hold', { state: 'active', consultLeg: true }, 'invalid-transition', /complete or cancel the transfer/],
    [
      'resume',
      { state: 'held', consult: 'active', transfer: consulting },
      'invalid-transition',
      /Complete or cancel the transfer first/,
    ],
    [
      'transfer',
      { state: 'held', consult: 'dialing', transfer: consulting },
      'invalid-transition',
      /already in progress/,
    ],
    ['escalate', { state: 'active' }, 'no-escalation-target', /set one in the settings/],
    [
      'completeTransfer',
      { state: 'held', consult: 'dialing', transfer: consulting },
      'invalid-transition',
      /has answered, or cancel/,
    ],
    ['cancelTransfer', { state: 'held' }, 'invalid-transition', /no consultation to cancel/],
    ['mute', { state: 'ringing' }, 'invalid-transition', /once the call is connected/],
    ['dtmf', { state: 'held' }, 'invalid-transition', /active call/],
    ['reconnectAudio', { state: 'dialing', direction: 'outgoing' }, 'invalid-transition', /connected call/],
    ['decline', { state: 'ended' }, 'invalid-transition', /already ended/],
  ])('refuses %s in %o with %s', (action, row, code, message) => {
    const refusal = refusalOf(action, facts(row), context(row));
    expect(refusal?.code).toBe(code);
    expect(refusal?.message).toMatch(message);
  });
});
