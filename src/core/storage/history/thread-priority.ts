/**
 * Lowers the calling thread's CPU priority (nice 10) on Linux, so that when the CPU
 * is busy the main thread's note saves run before background work such as loading
 * the history index. `setpriority` on a thread id affects that thread only; Linux
 * names the calling thread's id in `/proc/thread-self`. Elsewhere (or if not
 * allowed) nothing changes.
 *
 * Self-contained (its only inputs are its parameters and `process`), because the
 * index worker's bootstrap runs it from its source text before anything is loaded.
 */
export function lowerThreadPriority(
  readlink: (path: string) => string,
  setPriority: (threadId: number, priority: number) => void,
): void {
  if (process.platform !== 'linux') return;
  try {
    const threadId = Number(readlink('/proc/thread-self').split('/').pop());
    if (Number.isInteger(threadId) && threadId > 0) setPriority(threadId, 10);
  } catch {
    // No /proc, or not allowed: normal priority.
  }
}
