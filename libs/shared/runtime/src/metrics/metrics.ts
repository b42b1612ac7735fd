/**
 * Prometheus metrics. One registry per application instance (tests start several apps in one process).
 * prom-client's process and Node.js metrics keep their standard names (no prefix: stock dashboards match);
 * ours are `leakwatch_*`, named by Prometheus' rules (counters `_total`, units as suffixes): see domain-metrics.ts.
 */
import { Controller, Get, Global, Header, Inject, Module } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { Public } from '../http/public.decorator';
import { DomainMetrics } from './domain-metrics';
import { httpDurationHistogram } from './http-duration';
import { METRICS_REGISTRY } from './metrics-registry';

export { METRICS_REGISTRY } from './metrics-registry';
export { DomainMetrics } from './domain-metrics';

/** The request duration histogram (http-duration.ts), from a Fastify `onResponse` hook (Fastify times the request: `reply.elapsedTime`). */
export function installHttpMetrics(fastify: FastifyInstance, registry: Registry): void {
  const duration = httpDurationHistogram(registry);
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
