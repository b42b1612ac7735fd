/**
 * A small closed-loop HTTP load generator over keep-alive connections (undici via fetch): `clients`
 * concurrent loops for `durationMs`, recording every latency. Bounded by time and by a request cap.
 */
export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
}

export async function load(send: () => Promise<Response>, clients: number, durationMs: number, maxRequests = 2_000_000): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let sent = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < deadline && sent < maxRequests) {
        sent++;
        const t0 = performance.now();
        try {
          const response = await send();
          await response.arrayBuffer();
          if (response.status !== 200) errors++;
        } catch {
          errors++;
        }
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)] ?? NaN;
  return { requests: latencies.length, errors, seconds, rps: latencies.length / seconds, p50: at(50), p99: at(99) };
}
