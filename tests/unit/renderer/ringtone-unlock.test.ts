// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest';
import { Ringer, ringtoneLock, soundAllowed } from '../../../src/renderer/src/media/ringer';

const refusing = () =>
  ({
    play: () => Promise.reject(new DOMException('no gesture yet', 'NotAllowedError')),
  }) as unknown as HTMLAudioElement;
const noSource = () =>
  ({ play: () => Promise.reject(new DOMException('no source', 'NotSupportedError')) }) as unknown as HTMLAudioElement;

/** An AudioContext double that counts its creations. */
function fakeContexts() {
  const created: number[] = [];
  const create = () => {
    created.push(1);
    const node = {
      connect: () => node,
      gain: { setValueAtTime() {}, linearRampToValueAtTime() {}, exponentialRampToValueAtTime() {} },
    };
    return {
      currentTime: 0,
      resume: () => Promise.resolve(),
      close: () => Promise.resolve(),
      createMediaStreamDestination: () => ({ stream: {} }),
      createOscillator: () => ({ ...node, frequency: {}, start() {}, stop() {} }),
      createGain: () => node,
    } as unknown as AudioContext;
  };
  return { created, create };
}

describe('the ringtone and the autoplay rule', () => {
  it('reads a refused play() as locked, and a missing source as allowed', async () => {
    expect(await soundAllowed(refusing)).toBe(false);
    expect(await soundAllowed(noSource)).toBe(true);
  });

  it('creates no audio before the first click or key press when sound is locked, says so, and rings after it', async () => {
    vi.spyOn(HTMLMediaElement.prototype, 'play').mockResolvedValue(undefined);
    vi.spyOn(HTMLMediaElement.prototype, 'pause').mockImplementation(() => undefined);
    const contexts = fakeContexts();
    const ringer = new Ringer({ createAudioContext: contexts.create, soundAllowed: async () => false });
    const seen: boolean[] = [];
    const stop = ringtoneLock.subscribe((locked) => seen.push(locked));
    ringer.start();
    await vi.waitFor(() => expect(ringtoneLock.locked()).toBe(true));
    expect(contexts.created).toEqual([]);
    expect(ringer.waitingForGesture).toBe(true);

    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Shift' }));
    expect(ringtoneLock.locked()).toBe(false);
    expect(contexts.created).toHaveLength(1);
    expect(ringer.ringing).toBe(true);
    expect(seen).toEqual([true, false]);
    ringer.dispose();
    stop();
  });

  it('rings at once where sound is allowed (Electron)', async () => {
    vi.spyOn(HTMLMediaElement.prototype, 'play').mockResolvedValue(undefined);
    const contexts = fakeContexts();
    const ringer = new Ringer({ createAudioContext: contexts.create, soundAllowed: async () => true });
    ringer.start();
    await vi.waitFor(() => expect(ringer.ringing).toBe(true));
    expect(contexts.created).toHaveLength(1);
    ringer.dispose();
  });
});
