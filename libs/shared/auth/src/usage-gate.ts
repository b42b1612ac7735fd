/**
 * Counting and daily limits of authenticated requests. Provided by the gateway (the edge), so each request
 * is counted exactly once: by the guard for routes served in-process, by the proxy for forwarded ones.
 * Services without a gate (upstreams in distributed mode) do not count.
 */
import type { DirectoryKey } from './access-directory';

/**
 * `remaining` and `resetSeconds` feed the RateLimit-* headers. With several gateway processes `remaining` is
 * this process's view (its unused lease plus what the shared ledger had left at its last reservation).
 */
export type UsageDecision =
  | { allowed: true; limit: number; remaining: number; resetSeconds: number }
  | { allowed: false; retryAfterSeconds: number; limit: number };

export interface UsageGate {
  admit(key: DirectoryKey): Promise<UsageDecision>;
  /**
   * The common case decided without awaiting: the request admitted (and counted) from slots this process holds
   * already, or undefined — then nothing was counted and the caller asks `admit`. Lets the hot gateway routes
   * answer in the turn their request arrived (no promise, no microtask hops).
   */
  admitNow?(key: DirectoryKey): UsageDecision | undefined;
}

export const USAGE_GATE = Symbol('USAGE_GATE');
