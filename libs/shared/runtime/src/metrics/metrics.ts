/**
 * Prometheus metrics. One registry per application instance (tests start several apps in one process).
 * prom-client's process and Node.js metrics keep their standard names (no prefix: stock dashboards match);
 * ours are `leakwatch_*`, named by Prometheus' rules (counters `_total`, units as suffixes): see domain-metrics.ts.
 */
import { Controller, Get, Global, Header, Inject, Module } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { Public } from '../http/public.decorator';
import { DomainMetrics } from './domain-metrics';
import { METRICS_REGISTRY } from './metrics-registry';

export { METRICS_REGISTRY } from './metrics-registry';
export { DomainMetrics } from './domain-metrics';

/**
 * `leakwatch_http_request_duration_seconds` by method, route pattern and status, from a Fastify `onResponse`
 * hook (Fastify times the request itself: `reply.elapsedTime`). The route pattern (not the raw path) keeps
 * label cardinality bounded and ids out of metrics.
 */
export function installHttpMetrics(fastify: FastifyInstance, registry: Registry): void {
  // Several apps may share a registry in tests: the registry holds the one histogram.
  const duration =
    (registry.getSingleMetric('leakwatch_http_request_duration_seconds') as Histogram<'method' | 'route' | 'status'> | undefined) ??
    new Histogram({
      name: 'leakwatch_http_request_duration_seconds',
      help: 'HTTP request duration by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
  fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const url = request.routeOptions.url;
    duration.observe({ method: request.method, route: url ?? 'unmatched', status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    done();
  });
}

@ApiExcludeController()
@Public()
@Controller()
class MetricsController {
  constructor(@Inject(METRICS_REGISTRY) private readonly registry: Registry) {}

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}

/**
 * prom-client also serves `nodejs_active_{handles,requests,resources}_total`: gauges named like counters (promtool
 * flags `_total` on a gauge) that only sum the per-type gauges of the same name without the suffix. Dropped:
 * `sum(nodejs_active_handles)` gives the same number.
 */
function dropTotalFromGauges(registry: Registry): void {
  for (const metric of registry.getMetricsAsArray()) {
    const { name, type } = metric as unknown as { name: string; type: string };
    if (type === 'gauge' && name.endsWith('_total')) registry.removeSingleMetric(name);
  }
}

// Global: any module may add its metrics to the app's registry (e.g. the gateway's token checks).
@Global()
@Module({
  controllers: [MetricsController],
  providers: [
    {
      provide: METRICS_REGISTRY,
      useFactory: () => {
        const registry = new Registry();
        collectDefaultMetrics({ register: registry });
        dropTotalFromGauges(registry);
        return registry;
      },
    },
    DomainMetrics,
  ],
  exports: [METRICS_REGISTRY],
})
export class MetricsModule {}
