/**
 * Retry pacing shared by the adapters and the relay: exponential with full jitter, capped, so a failing
 * handler or broker is retried forever (nothing is skipped) without hammering it.
 */
export interface BackoffOptions {
  /** First delay (ms, default 100). */
  initialDelayMs?: number;
  /** Cap (ms, default 30 000). */
  maxDelayMs?: number;
}

export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const initial = options.initialDelayMs ?? 100;
  const max = options.maxDelayMs ?? 30_000;
  const ceiling = Math.min(max, initial * 2 ** Math.min(attempt, 30));
  return Math.max(initial / 2, Math.round(Math.random() * ceiling));
}

/** Resolves after `ms`, or early (without error) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
