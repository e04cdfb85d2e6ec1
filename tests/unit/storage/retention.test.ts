import { describe, expect, it } from 'vitest';
import type { PurgeResult } from '../../../src/core/storage/history/call-history';
import { fileTimestamp, keptAsideTime } from '../../../src/core/storage/files/quarantine';
import { scheduleRetention } from '../../../src/core/storage/retention';
import { createFakeClock } from '../../support/fake-clock';
import { createRecordingLogger } from './storage-test-kit';

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
const HOUR = 3_600_000;

describe('scheduleRetention', () => {
  it('sweeps 30 s after start and every 6 hours with the period read at each sweep', async () => {
    const clock = createFakeClock();
    const sweeps: { days: number; now: number }[] = [];
    let days: number | undefined = 90;
    const schedule = scheduleRetention({
      history: {
        purgeOlderThan: (d, now): Promise<PurgeResult> => {
          sweeps.push({ days: d, now });
          return Promise.resolve({ recordsDeleted: 0, filesDeleted: 0, keptAsideFilesDeleted: 0, failedFiles: [] });
        },
      },
      clock,
      logger: createRecordingLogger(),
      days: () => days,
    });
    const start = clock.now();
    clock.advance(29_999);
    expect(sweeps).toEqual([]);
    clock.advance(1);
    await settle();
    expect(sweeps).toEqual([{ days: 90, now: start + 30_000 }]);
    days = 30;
    clock.advance(6 * HOUR);
    await settle();
    expect(sweeps[1]).toEqual({ days: 30, now: start + 30_000 + 6 * HOUR });
    days = undefined;
    clock.advance(6 * HOUR);
    await settle();
    expect(sweeps).toHaveLength(2);
    expect(await schedule.runNow()).toEqual({});
    schedule.stop();
    expect(clock.pendingTimers()).toBe(0);
  });

  it('logs a failed sweep and keeps the schedule', async () => {
    const clock = createFakeClock();
    const logger = createRecordingLogger();
    let calls = 0;
    scheduleRetention({
      history: {
        purgeOlderThan: () => {
          calls += 1;
          return Promise.reject(new Error('EIO'));
        },
      },
      clock,
      logger,
      days: () => 30,
      firstDelayMs: 0,
      intervalMs: HOUR,
    });
    clock.advance(0);
    await settle();
    clock.advance(HOUR);
    await settle();
    expect(calls).toBe(2);
    expect(logger.lines.filter((line) => line.startsWith('error: Retention sweep failed'))).toHaveLength(2);
  });
});

describe('keptAsideTime', () => {
  it('reads the time back from the names moveAside gives, and nothing else', () => {
    const at = Date.UTC(2025, 2, 14, 10, 15, 0, 123);
    expect(keptAsideTime(`2025-03-14.json.corrupt-${fileTimestamp(at)}`)).toBe(at);
    expect(keptAsideTime(`shard-0a.json.corrupt-${fileTimestamp(at)}-3`)).toBe(at);
    expect(keptAsideTime('2025-03-14.json')).toBeUndefined();
    expect(keptAsideTime('2025-03-14.json.corrupt-20251340T000000000Z')).toBeUndefined();
    expect(keptAsideTime('2025-03-14.json.corrupt-20250314T101500123Z.bak')).toBeUndefined();
  });
});
