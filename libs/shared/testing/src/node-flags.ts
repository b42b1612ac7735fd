/**
 * The Node flags every Leakwatch process is started with (`npm start` and `npm run start:service` pass the same
 * in package.json): tests, the e2e clusters and the benchmarks run processes as users do.
 *
 * `--max-old-space-size` (LEAKWATCH_MAX_HEAP_MB, default 1024): V8 sizes its old space by the machine's memory
 * (~4 GiB here) and, that far from its limit, lets the heap grow lazily under a high allocation rate — a
 * 100,000-finding ingest left the server at +400–470 MiB of RSS, mostly garbage not yet collected. With a 1 GiB
 * limit the same run peaked at +160 MiB and was no slower (README, "The event pipeline at scale").
 */
export const DEFAULT_MAX_HEAP_MB = 1024;

export function leakwatchNodeFlags(env: NodeJS.ProcessEnv = process.env): string[] {
  const configured = env.LEAKWATCH_MAX_HEAP_MB;
  const mb = configured === undefined || configured === '' ? DEFAULT_MAX_HEAP_MB : Number(configured);
  if (!Number.isSafeInteger(mb) || mb < 64) throw new Error(`LEAKWATCH_MAX_HEAP_MB must be a whole number of MiB, at least 64 (got ${JSON.stringify(configured)})`);
  return [`--max-old-space-size=${mb}`];
}
