import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/logger';
import { FileCallHistory } from '../../../src/core/storage/history/file-call-history';
import { waitForSaves } from '../../../src/core/storage/history/history-index-protocol';
import { lowerThreadPriority } from '../../../src/core/storage/history/thread-priority';
import { createFakeClock } from '../../support/fake-clock';
import { closeAfterTest, tempDir } from './storage-test-kit';

/** The nice value of each thread of this process, by thread id. */
function threadNiceValues(): Map<number, number> {
  const values = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // Fields after "(comm) ": state is field 3, nice is field 19.
    values.set(Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
  }
  return values;
}

describe('lowerThreadPriority', () => {
  it('sets nice 10 on the thread /proc/thread-self names', () => {
    const calls: [number, number][] = [];
    lowerThreadPriority(
      () => '4242/task/4250',
      (threadId, priority) => calls.push([threadId, priority]),
    );
    expect(calls).toEqual(process.platform === 'linux' ? [[4250, 10]] : []);
  });

  it('changes nothing when /proc cannot be read', () => {
    const calls: unknown[] = [];
    lowerThreadPriority(
      () => {
        throw new Error('ENOENT');
      },
      (...args) => calls.push(args),
    );
    expect(calls).toEqual([]);
  });

  it.runIf(process.platform === 'linux')(
    'runs the history index worker at nice 10 and leaves the main thread alone',
    async () => {
      const before = threadNiceValues();
      const history = closeAfterTest(
        await FileCallHistory.open({ dir: tempDir(), clock: createFakeClock(), logger: silentLogger }),
      );
      await history.warmUp();
      expect((await history.stats()).index).toBe('worker');
      const after = threadNiceValues();
      const lowered = [...after].filter(([tid, nice]) => nice === 10 && !before.has(tid));
      expect(lowered.length).toBeGreaterThan(0);
      expect(after.get(process.pid)).toBe(before.get(process.pid));
    },
  );
});

describe('waitForSaves', () => {
  it('resolves at once with no save in flight, and only once the last save is done otherwise', async () => {
    const saves = new Int32Array(new SharedArrayBuffer(4));
    await waitForSaves(saves);
    Atomics.store(saves, 0, 2);
    let resolved = false;
    const waiting = waitForSaves(saves).then(() => {
      resolved = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(resolved).toBe(false);
    Atomics.store(saves, 0, 1);
    Atomics.notify(saves, 0);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(resolved).toBe(false);
    Atomics.store(saves, 0, 0);
    Atomics.notify(saves, 0);
    await waiting;
    expect(resolved).toBe(true);
  });
});
