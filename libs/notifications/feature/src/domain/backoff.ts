/**
 * When a failed delivery is tried again: exponential backoff (base, 2×base, 4×base, …, at most six hours),
 * with up to 10 % jitter so receivers that failed together are not hit together again. `random` is injected
 * so tests know the schedule.
 */
export const MAX_DELAY_MS = 6 * 60 * 60 * 1000;

export function retryDelayMs(attemptsSoFar: number, baseMs: number, random: () => number = Math.random): number {
  const exponential = Math.min(baseMs * 2 ** Math.max(0, attemptsSoFar - 1), MAX_DELAY_MS);
  return Math.round(exponential * (1 + 0.1 * random()));
}

/** A receiver's answer worth another try: a network error (no status), 408, 429 or any 5xx. Other 4xx will not change by retrying… except they might after a fix, hence redelivery by id. */
export function isRetryable(status: number | undefined): boolean {
  return status === undefined || status === 408 || status === 429 || status >= 500;
}
