/**
 * Plays the phone's part for the workspace tests: keeps a list of CallViews and
 * pushes the whole list to `updateCalls` on every change, as the real phone does.
 */
import { newCallView, type CallView } from '../../../src/shared/contract';
import type { Clock } from '../../../src/core/clock';

/** A CallView with defaults for everything the workspace does not look at. */
export function callView(id: string, patch: Partial<CallView> = {}): CallView {
  return {
    ...newCallView(id, 'incoming', 0),
    remoteName: 'Erika Mustermann',
    remoteNumber: '+4930123456',
    timeline: [],
    ...patch,
  };
}

/** A phone driven by the test. */
export class FakePhone {
  private readonly calls = new Map<string, CallView>();

  constructor(
    private readonly clock: Clock,
    private readonly sink: { updateCalls(calls: readonly CallView[]): void },
  ) {}

  /** An incoming call starts ringing. */
  ring(id: string): void {
    this.put(callView(id, { offeredAt: this.clock.now() }));
  }

  /** The agent places a call (or the consult leg of a transfer). */
  dial(id: string, consultFor: string | null = null): void {
    this.put(callView(id, { direction: 'outgoing', state: 'dialing', offeredAt: this.clock.now(), consultFor }));
  }

  /** The call is answered (by the agent, or by the far end of an outgoing call). */
  answer(id: string): void {
    this.put({ ...this.get(id), state: 'active', answeredAt: this.clock.now() });
  }

  hold(id: string): void {
    this.put({ ...this.get(id), state: 'held' });
  }

  resume(id: string): void {
    this.put({ ...this.get(id), state: 'active' });
  }

  /** The call ends; it stays in the list as ended, as the phone keeps it. */
  hangUp(id: string): void {
    this.put({
      ...this.get(id),
      state: 'ended',
      endedAt: this.clock.now(),
      endReason: 'local-hangup',
      endedBy: 'agent',
    });
  }

  /** The phone forgets an ended call. */
  drop(id: string): void {
    this.calls.delete(id);
    this.push();
  }

  private get(id: string): CallView {
    const call = this.calls.get(id);
    if (call === undefined) throw new Error(`No call ${id}`);
    return call;
  }

  private put(call: CallView): void {
    this.calls.set(call.id, call);
    this.push();
  }

  private push(): void {
    this.sink.updateCalls([...this.calls.values()]);
  }
}
