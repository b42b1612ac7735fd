/**
 * Distributed mode: the gateway's `/health` names each upstream service (`upstream_<service>`), asking its
 * liveness endpoint with a short timeout — so an operator sees WHICH service is unreachable, not just a 502.
 * Liveness, not readiness: the upstream's own dependencies are its own `/health` to report.
 */
import type { HealthRegistry } from '@leakwatch/runtime';

export const UPSTREAM_HEALTH_TIMEOUT_MS = 2_000;

export async function checkUpstream(baseUrl: string, timeoutMs = UPSTREAM_HEALTH_TIMEOUT_MS): Promise<Record<string, unknown>> {
  const url = new URL('/health/live', baseUrl);
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : ((error as Error & { cause?: Error }).cause?.message ?? (error as Error).message);
    throw new Error(`${url.origin} unreachable: ${reason}`);
  }
  await response.body?.cancel();
  if (!response.ok) throw new Error(`${url.origin} answered ${response.status}`);
  return { url: url.origin };
}

export function registerUpstreamHealth(health: HealthRegistry, upstreams: Record<string, string | undefined>): void {
  for (const [service, target] of Object.entries(upstreams)) {
    if (target) health.register(`upstream_${service.replace(/-/g, '_')}`, () => checkUpstream(target));
  }
}
