/**
 * `leakwatch_http_request_duration_seconds` by method, route pattern and status: one histogram per registry,
 * observed by the Fastify pipeline (installHttpMetrics) and by the fast routes alike. The route pattern (not
 * the raw path) keeps label cardinality bounded and ids out of metrics.
 */
import { Histogram, Registry } from 'prom-client';

export function httpDurationHistogram(registry: Registry): Histogram<'method' | 'route' | 'status'> {
  // Several apps may share a registry in tests: the registry holds the one histogram.
  return (
    (registry.getSingleMetric('leakwatch_http_request_duration_seconds') as Histogram<'method' | 'route' | 'status'> | undefined) ??
    new Histogram({
      name: 'leakwatch_http_request_duration_seconds',
      help: 'HTTP request duration by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    })
  );
}
