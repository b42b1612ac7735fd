/**
 * Domain metrics read from the database at scrape time (cheap, indexed queries; a table this process's database
 * does not have is simply not reported — each service owns different tables):
 * - `leakwatch_leaks{status,risk}` (gauge) from the leak read model;
 * - `leakwatch_findings_ingested_total` and `leakwatch_token_use_attempts_recorded_total` (counters) = the
 *   `FindingReceived` / `LeakedTokenUseAttempted` events in the store: durable facts, so they survive restarts
 *   and every replica reports the same value (aggregate with max(), not sum());
 * - `leakwatch_projection_lag_events{projection}` / `leakwatch_consumer_lag_events{consumer}` (gauges): store head
 *   minus each checkpoint, in all-stream positions (0 = caught up).
 * Counters of work done in memory (token checks) live where the work is, on the same registry.
 */
import { Inject, Injectable, Logger, OnModuleInit, Optional } from '@nestjs/common';
import type { Pool } from 'pg';
import { Counter, Gauge, Registry } from 'prom-client';
import { PG_POOL } from '../infrastructure/tokens';
import { METRICS_REGISTRY } from './metrics-registry';

@Injectable()
export class DomainMetrics implements OnModuleInit {
  private readonly logger = new Logger('DomainMetrics');

  constructor(
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
    @Optional() @Inject(PG_POOL) private readonly pool?: Pool,
  ) {}

  onModuleInit(): void {
    const pool = this.pool;
    if (!pool || this.registry.getSingleMetric('leakwatch_leaks')) return;
    const tables = (names: string[]) =>
      pool.query<{ name: string }>(`SELECT n AS name FROM unnest($1::text[]) n WHERE to_regclass(n) IS NOT NULL`, [names]).then((r) => new Set(r.rows.map((row) => row.name)));
    // A failing query must not fail the whole scrape: the metric is left empty and the reason logged.
    const safely = async (what: string, work: () => Promise<void>) => {
      try {
        await work();
      } catch (error) {
        this.logger.warn(`${what}: ${(error as Error).message}`);
      }
    };

    new Gauge({
      name: 'leakwatch_leaks',
      help: 'Leaks in the read model by status and risk',
      labelNames: ['status', 'risk'],
      registers: [this.registry],
      async collect() {
        this.reset();
        await safely('leakwatch_leaks', async () => {
          if (!(await tables(['ll_leaks'])).size) return;
          const { rows } = await pool.query<{ status: string; risk: string; n: number }>('SELECT status, risk, count(*)::int AS n FROM ll_leaks GROUP BY status, risk');
          for (const row of rows) this.set({ status: row.status, risk: row.risk }, row.n);
        });
      },
    });

    // `counted`: what one event adds — 1, or (attempts) the count of repeats a gateway folded into it.
    const storedEvents = (type: string, category: string, counted = '1') => async function (this: Counter) {
      this.reset();
      await safely(type, async () => {
        if (!(await tables(['es_events'])).size) return;
        const { rows } = await pool.query<{ n: string }>(`SELECT coalesce(sum(${counted}), 0) AS n FROM es_events WHERE event_type = $1 AND stream_category = $2`, [type, category]);
        this.inc(Number(rows[0].n));
      });
    };
    new Counter({ name: 'leakwatch_findings_ingested_total', help: 'Findings accepted by ingest (FindingReceived events in the store)', registers: [this.registry], collect: storedEvents('FindingReceived', 'finding') });
    new Counter({
      name: 'leakwatch_token_use_attempts_recorded_total',
      help: 'Attempts to use a leaked token recorded in leak histories (LeakedTokenUseAttempted events in the store, each with its count)',
      registers: [this.registry],
      collect: storedEvents('LeakedTokenUseAttempted', 'leak', `coalesce((data->>'count')::int, 1)`),
    });

    const lag = (name: string, help: string, label: string, table: string) =>
      new Gauge({
        name,
        help,
        labelNames: [label],
        registers: [this.registry],
        async collect() {
          this.reset();
          await safely(name, async () => {
            if ((await tables(['es_events', table])).size < 2) return;
            // The last event in all-stream order (an index scan backwards), then each checkpoint's distance to it.
            const { rows } = await pool.query<{ name: string; lag: string }>(
              `WITH head AS (SELECT global_position AS p FROM es_events ORDER BY transaction_id DESC, global_position DESC LIMIT 1)
               SELECT c.name, greatest(coalesce((SELECT p FROM head), 0) - split_part(c.position, '/', 2)::bigint, 0) AS lag FROM ${table} c`,
            );
            for (const row of rows) this.set({ [label]: row.name }, Number(row.lag));
          });
        },
      });
    lag('leakwatch_projection_lag_events', 'Events between the store head and each projection checkpoint (all-stream positions)', 'projection', 'projection_checkpoints');
    // messaging_checkpoints: relays (store to Kafka) and, in embedded mode, the in-process bus consumers (`bus:<group>`).
    lag('leakwatch_consumer_lag_events', 'Events between the store head and each relay or bus consumer checkpoint (all-stream positions)', 'consumer', 'messaging_checkpoints');
  }
}
