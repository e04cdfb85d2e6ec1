/**
 * When updates are checked, downloaded and installed, on a fake clock with a
 * scripted updater: disabled by policy, the channel, background download, and never
 * an install during a call or wrap-up (only on quit, or on a break with no call).
 */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/logger';
import {
  UpdateScheduler,
  type AgentActivity,
  type AvailableUpdate,
  type Updater,
} from '../../../src/core/updates/update-scheduler';
import { DEFAULT_UPDATE_SETTINGS, type UpdateSettings } from '../../../src/shared/policy';
import { createFakeClock } from '../../support/fake-clock';

const HOUR = 3_600_000;

/** An updater whose answers the test scripts; it records every call. */
function scriptedUpdater(answers: Array<AvailableUpdate | null | Error>) {
  const calls: string[] = [];
  let downloadDone: (() => void) | undefined;
  const updater: Updater = {
    configure: (feed) => calls.push(`configure ${feed.url} ${feed.channel}`),
    check: async () => {
      calls.push('check');
      const answer = answers.shift() ?? null;
      if (answer instanceof Error) throw answer;
      return answer;
    },
    download: () => {
      calls.push('download');
      return new Promise<void>((resolve) => (downloadDone = resolve));
    },
    install: () => calls.push('install'),
  };
  return { updater, calls, finishDownload: () => downloadDone?.() };
}

function setup(settings: Partial<UpdateSettings>, answers: Array<AvailableUpdate | null | Error> = []) {
  const clock = createFakeClock();
  const scripted = scriptedUpdater(answers);
  const activity: AgentActivity = { status: 'available', liveCalls: 0 };
  const scheduler = new UpdateScheduler({
    settings: { ...DEFAULT_UPDATE_SETTINGS, feedUrl: 'https://updates.example.com/calmline/', ...settings },
    updater: scripted.updater,
    clock,
    logger: silentLogger,
    activity: () => activity,
  });
  const states: string[] = [];
  scheduler.onChange((state) => states.push(state.status));
  const setActivity = (next: AgentActivity) => {
    Object.assign(activity, next);
    scheduler.activityChanged();
  };
  return { clock, scheduler, states, setActivity, ...scripted };
}

/** Lets the promise chains of a check settle (the clock is fake, the promises are real). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('update scheduler', () => {
  it('does nothing at all when policy switches updates off, or no feed is set', () => {
    for (const settings of [{ enabled: false }, { feedUrl: '' }]) {
      const { clock, scheduler, calls } = setup(settings);
      scheduler.start();
      clock.advance(48 * HOUR);
      expect(calls).toEqual([]);
      expect(scheduler.current().status).toBe('disabled');
    }
  });

  it('checks a minute after start on the configured channel, then every interval', async () => {
    const { clock, scheduler, calls } = setup({ channel: 'pilot', checkIntervalHours: 6 });
    scheduler.start();
    expect(calls).toEqual(['configure https://updates.example.com/calmline/ pilot']);
    clock.advance(59_999);
    expect(calls).toHaveLength(1);
    clock.advance(1);
    await settle();
    expect(calls).toEqual(['configure https://updates.example.com/calmline/ pilot', 'check']);
    expect(scheduler.current()).toEqual({ status: 'idle', lastCheckedAt: clock.now() });
    clock.advance(6 * HOUR - 1);
    expect(calls.filter((c) => c === 'check')).toHaveLength(1);
    clock.advance(1);
    await settle();
    expect(calls.filter((c) => c === 'check')).toHaveLength(2);
    scheduler.stop();
  });

  it('keeps checking after a failed check', async () => {
    const { clock, scheduler, calls } = setup({ checkIntervalHours: 1 }, [new Error('getaddrinfo ENOTFOUND')]);
    scheduler.start();
    clock.advance(60_000);
    await settle();
    expect(scheduler.current()).toMatchObject({ status: 'error', message: expect.stringContaining('ENOTFOUND') });
    clock.advance(HOUR);
    await settle();
    expect(calls.filter((c) => c === 'check')).toHaveLength(2);
    expect(scheduler.current().status).toBe('idle');
  });

  it('downloads in the background during a call, and installs neither in the call nor in wrap-up', async () => {
    const { clock, scheduler, calls, setActivity, finishDownload } = setup({}, [{ version: '1.2.0' }]);
    setActivity({ status: 'in-call', liveCalls: 1 });
    scheduler.start();
    clock.advance(60_000);
    await settle();
    expect(scheduler.current()).toEqual({ status: 'downloading', version: '1.2.0' });
    finishDownload();
    await settle();
    expect(scheduler.current()).toEqual({ status: 'downloaded', version: '1.2.0' });
    clock.advance(24 * HOUR);
    setActivity({ status: 'wrap-up', liveCalls: 0 });
    clock.advance(24 * HOUR);
    setActivity({ status: 'available', liveCalls: 0 });
    clock.advance(24 * HOUR);
    // A break while a call is still on hold is not idle either.
    setActivity({ status: 'on-break', liveCalls: 1 });
    clock.advance(24 * HOUR);
    expect(calls).not.toContain('install');
    // On a break with no call, after the grace period: now.
    setActivity({ status: 'on-break', liveCalls: 0 });
    clock.advance(119_999);
    expect(calls).not.toContain('install');
    clock.advance(1);
    expect(calls.at(-1)).toBe('install');
    expect(scheduler.current()).toEqual({ status: 'installing', version: '1.2.0' });
  });

  it('cancels the idle install when the break ends before the grace period', async () => {
    const { clock, scheduler, calls, setActivity, finishDownload } = setup({}, [{ version: '1.2.0' }]);
    scheduler.start();
    clock.advance(60_000);
    await settle();
    finishDownload();
    await settle();
    setActivity({ status: 'on-break', liveCalls: 0 });
    clock.advance(60_000);
    setActivity({ status: 'available', liveCalls: 0 });
    setActivity({ status: 'in-call', liveCalls: 1 });
    clock.advance(24 * HOUR);
    expect(calls).not.toContain('install');
    expect(scheduler.current().status).toBe('downloaded');
    // No new check while an update waits to be installed.
    expect(calls.filter((c) => c === 'check')).toHaveLength(1);
  });

  it('installs on quit when an update is downloaded, and not otherwise', async () => {
    const { clock, scheduler, calls, finishDownload } = setup({}, [null, { version: '1.2.0' }]);
    scheduler.start();
    clock.advance(60_000);
    await settle();
    expect(scheduler.installOnQuit()).toBe(false);
    clock.advance(4 * HOUR);
    await settle();
    finishDownload();
    await settle();
    expect(scheduler.installOnQuit()).toBe(true);
    expect(calls.at(-1)).toBe('install');
  });
});
