/**
 * The media bridge's hop over the IPC contract: requests leave as `media:request`
 * events, answers come back by request id, and a renderer that goes away fails what
 * is in flight at once instead of at each handler's deadline.
 */
import { describe, expect, it } from 'vitest';
import { silentLogger, type CoreLogger } from '../../../src/core/logger';
import { RendererMediaChannel } from '../../../src/core/media/renderer-media-channel';
import type { MediaRequest } from '../../../src/shared/media-protocol';
import { createFakeClock } from '../../support/fake-clock';

function setUp(logger: CoreLogger = silentLogger) {
  const clock = createFakeClock();
  const sent: Array<{ requestId: string; request: MediaRequest }> = [];
  const channel = new RendererMediaChannel({
    send: (message) => sent.push(message),
    clock,
    logger,
    forgetAfterMs: 20_000,
  });
  return { clock, sent, channel };
}

const close: MediaRequest = { op: 'close', sessionId: 's1' };

describe('RendererMediaChannel', () => {
  it('refuses requests until a renderer engine has attached', async () => {
    const { channel, sent } = setUp();
    await expect(channel.request(close)).rejects.toThrow(/no window with an audio engine/);
    expect(sent).toEqual([]);
  });

  it('sends each request with its own id and resolves it with the answer of that id', async () => {
    const { channel, sent } = setUp();
    channel.attach();
    const first = channel.request(close);
    const second = channel.request({ op: 'get-description', sessionId: 's1', hold: false });
    expect(sent.map((message) => message.request.op)).toEqual(['close', 'get-description']);
    expect(new Set(sent.map((message) => message.requestId)).size).toBe(2);
    // Answers may come back in any order.
    channel.respond(sent[1]!.requestId, { ok: true, sdp: 'v=0' });
    channel.respond(sent[0]!.requestId, { ok: false, error: { code: 'internal', message: 'boom' } });
    await expect(second).resolves.toEqual({ ok: true, sdp: 'v=0' });
    await expect(first).resolves.toEqual({ ok: false, error: { code: 'internal', message: 'boom' } });
    expect(channel.inFlight).toBe(0);
  });

  it('ignores (and logs) an answer nobody waits for', () => {
    const warnings: string[] = [];
    const { channel } = setUp({ ...silentLogger, warn: (message) => warnings.push(message) });
    channel.attach();
    channel.respond('forged-id', { ok: true });
    expect(warnings).toEqual([expect.stringContaining('unknown or expired request')]);
  });

  it('fails every request in flight when the renderer goes away, and refuses new ones', async () => {
    const { channel } = setUp();
    channel.attach();
    const pending = [channel.request(close), channel.request(close)];
    channel.detach('the Calmline window was closed');
    for (const request of pending) await expect(request).rejects.toThrow('the Calmline window was closed');
    expect(channel.inFlight).toBe(0);
    await expect(channel.request(close)).rejects.toThrow(/no window/);
  });

  it('forgets a request that was never answered, so a late answer is recognised as late', async () => {
    const { channel, clock, sent } = setUp();
    channel.attach();
    const request = channel.request(close);
    clock.advance(20_000);
    await expect(request).rejects.toThrow(/never answered/);
    expect(channel.inFlight).toBe(0);
    channel.respond(sent[0]!.requestId, { ok: true });
  });

  it('turns a send that throws into a rejected request', async () => {
    const clock = createFakeClock();
    const channel = new RendererMediaChannel({
      send: () => {
        throw new Error('window destroyed');
      },
      clock,
      logger: silentLogger,
      forgetAfterMs: 1_000,
    });
    channel.attach();
    await expect(channel.request(close)).rejects.toThrow('window destroyed');
    expect(channel.inFlight).toBe(0);
  });
});
