/**
 * Makes parked events visible: a `parked_events` entry in `/health` (up — the product keeps working — with
 * the count per consumer) and the `leakwatch_parked_events{consumer}` gauge in `/metrics`.
 */
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { Pool } from 'pg';
import { Gauge, Registry } from 'prom-client';
import { ParkedEvents } from '@leakwatch/projections';
import { HealthRegistry } from '../health/health';
import { METRICS_REGISTRY } from '../metrics/metrics';
import { PG_POOL } from './tokens';

@Injectable()
export class ParkedEventsMonitor implements OnModuleInit {
  private readonly parked: ParkedEvents;

  constructor(
    @Inject(PG_POOL) pool: Pool,
    private readonly health: HealthRegistry,
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
  ) {
    this.parked = new ParkedEvents(pool);
  }

  onModuleInit(): void {
    this.health.register('parked_events', async () => {
      const counts = await this.parked.counts();
      return { total: Object.values(counts).reduce((a, b) => a + b, 0), by_consumer: counts, act: 'leakwatch events parked list' };
    });
    if (this.registry.getSingleMetric('leakwatch_parked_events')) return;
    const parked = this.parked;
    new Gauge({
      name: 'leakwatch_parked_events',
      help: 'Events a consumer parked after failing on them (not skipped), by consumer',
      labelNames: ['consumer'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const [consumer, n] of Object.entries(await parked.counts())) this.set({ consumer }, n);
      },
    });
  }
}
