/**
 * Runs `work` with a signal that aborts after `timeoutMs`, like `AbortSignal.timeout`, but the timer ends with the
 * work. `AbortSignal.timeout` keeps its timer (and the signal) alive for the whole delay even after the request
 * is done: at hundreds of polls per second that is thousands of live timers the garbage collector keeps moving.
 */
export async function withDeadline<T>(timeoutMs: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), timeoutMs);
  try {
    return await work(controller.signal);
  } finally {
    clearTimeout(timer);
  }
}
