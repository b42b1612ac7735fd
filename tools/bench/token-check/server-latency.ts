/**
 * The server's own view of a route's latency: `leakwatch_http_request_duration_seconds` read from /metrics before
 * and after a measured row, and the bucket bound under which 99% of the row's requests finished. Beside the load
 * generator's p99 (due time → answer, which also counts queueing in the kernel and the generator's own pauses) it
 * says how much of a tail the server spent handling requests; the event loop's delay (prom-client's, reset at each
 * scrape: so the scrape after a row covers that row) says how long requests may have waited before being read.
 */
type Buckets = Map<number, number>;

const BUCKET = /^leakwatch_http_request_duration_seconds_bucket\{([^}]*)\} (\d+(?:\.\d+)?)$/;

export async function durationBuckets(baseUrl: string, method: string, route: string): Promise<Buckets> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const buckets: Buckets = new Map();
  for (const line of text.split('\n')) {
    const match = BUCKET.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries([...match[1].matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (labels.method !== method || labels.route !== route) continue;
    const le = labels.le === '+Inf' ? Infinity : Number(labels.le);
    buckets.set(le, (buckets.get(le) ?? 0) + Number(match[2])); // summed over statuses
  }
  return buckets;
}

/** The smallest bucket bound (ms) under which 99% of the requests between `before` and `after` finished. */
export function p99BoundMs(before: Buckets, after: Buckets): number | undefined {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  if (total <= 0) return undefined;
  const bound = bounds.find((le) => (after.get(le) ?? 0) - (before.get(le) ?? 0) >= 0.99 * total);
  return bound === undefined ? undefined : bound * 1000;
}

/** The event loop's delay since the previous scrape (ms): its p99 and its maximum. */
export async function eventLoopDelay(baseUrl: string): Promise<{ p99: number; max: number }> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN) * 1000;
  return { p99: value('nodejs_eventloop_lag_p99_seconds'), max: value('nodejs_eventloop_lag_max_seconds') };
}
