/**
 * Rate-limit headers on every counted response, in the IETF httpapi draft's field names
 * (draft-ietf-httpapi-ratelimit-headers): `RateLimit-Limit` (requests per window), `RateLimit-Remaining`
 * (left in this window), `RateLimit-Reset` (seconds until the window starts again), and
 * `RateLimit-Policy: <limit>;w=86400` (the window is one UTC day).
 */
import type { UsageDecision } from './usage-gate';

export const DAY_SECONDS = 86_400;

export function rateLimitHeaders(decision: UsageDecision): Record<string, string> {
  const remaining = decision.allowed ? decision.remaining : 0;
  const reset = decision.allowed ? decision.resetSeconds : decision.retryAfterSeconds;
  return {
    'RateLimit-Limit': String(decision.limit),
    'RateLimit-Remaining': String(Math.max(0, Math.min(remaining, decision.limit))),
    'RateLimit-Reset': String(Math.max(0, reset)),
    'RateLimit-Policy': `${decision.limit};w=${DAY_SECONDS}`,
  };
}

/** Where the headers go: a Fastify reply (`header`) or a Node response (`setHeader`). */
export type HeaderSink = ({ header(name: string, value: string): unknown } | { setHeader(name: string, value: string): unknown }) & { headersSent?: boolean; sent?: boolean };

export function setRateLimitHeaders(sink: HeaderSink | undefined, decision: UsageDecision): void {
  if (!sink || sink.headersSent || sink.sent) return;
  const headers = rateLimitHeaders(decision);
  if ('header' in sink) for (const name in headers) sink.header(name, headers[name]);
  else for (const name in headers) sink.setHeader(name, headers[name]);
}
