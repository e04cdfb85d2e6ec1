import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/logger';
import { openAgentData } from '../../../src/core/storage/agent-data';
import { createFakeClock } from '../../support/fake-clock';
import { tempDir } from './storage-test-kit';

describe('openAgentData', () => {
  it('opens history and directory in one folder, autosaves notes and flushes them on close', async () => {
    const dir = tempDir();
    const clock = createFakeClock();
    const data = await openAgentData({
      dir,
      clock,
      logger: silentLogger,
      agentName: () => 'Anna',
      retentionDays: () => 365,
    });
    await data.history.recordCall({
      callId: 'c1',
      number: '+491',
      name: 'X',
      direction: 'inbound',
      startedAt: clock.now(),
      agent: 'Anna',
    });
    await data.directory.addFlag('+491', {
      kind: 'insults',
      reason: 'Insulted the agent.',
      author: 'Anna',
      callId: 'c1',
    });
    data.notes.edit('c1', 'typed just before quitting');
    expect(await data.close()).toEqual({ saved: ['c1'], failed: [] });
    expect(clock.pendingTimers()).toBe(0);

    const again = await openAgentData({
      dir,
      clock,
      logger: silentLogger,
      agentName: () => 'Anna',
      retentionDays: () => undefined,
    });
    expect((await again.history.getCall('c1'))?.note).toMatchObject({
      text: 'typed just before quitting',
      author: 'Anna',
    });
    const exported = await again.exportCaller('+491');
    expect(exported.markdown).toContain('typed just before quitting');
    expect(exported.markdown).toContain('| insults | Insulted the agent. | Anna |');
    await again.close();
  });

  it('starts with what it can read and lists every file it kept aside', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'callers'), { recursive: true });
    mkdirSync(join(dir, 'history', '2025-03'), { recursive: true });
    writeFileSync(join(dir, 'callers', 'shard-00.json'), '');
    writeFileSync(
      join(dir, 'history', '2025-03', '2025-03-01.json'),
      '{"format":"calmline/call-history-partition","schemaVersion":1,"data":{"records":[{"callId":1}]}}',
    );
    const clock = createFakeClock();
    const data = await openAgentData({
      dir,
      clock,
      logger: silentLogger,
      agentName: () => 'Anna',
      retentionDays: () => undefined,
    });
    await data.history.warmUp();
    const notices = data.notices();
    expect(notices.map((notice) => notice.reason).sort()).toEqual(['empty', 'schema']);
    expect(notices.every((notice) => notice.message.includes('.corrupt-'))).toBe(true);
    await data.close();
  });
});
