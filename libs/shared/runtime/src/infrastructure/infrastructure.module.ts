/**
 * Wires the adapters behind the ports from configuration — the only place that knows which runtime mode
 * we are in. Same code paths in both modes: PostgreSQL pool always; event store = KurrentDB when
 * EVENTSTORE_URL is set, else PostgreSQL.
 */
import { DynamicModule, Global, Inject, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { EVENT_STORE, EventStore, KurrentDbEventStore, PostgresEventStore } from '@leakwatch/event-store';
import { Pool } from 'pg';
import { LeakwatchConfig } from '../config/leakwatch-config';
import { HealthRegistry } from '../health/health';
import { IntegrationMapperRegistry, MESSAGE_BUS } from '@leakwatch/messaging';
import { CLOCK, INTEGRATION_MAPPERS, LEAKWATCH_CONFIG, PG_POOL, SERVICE_NAME, systemClock } from './tokens';
import { RelayRunner, messageBusProvider } from './messaging.providers';
import { MetricsModule } from '../metrics/metrics';
import { ParkedEventsMonitor } from './parked-events.monitor';

@Global()
@Module({})
export class InfrastructureModule implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Infrastructure');

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(LEAKWATCH_CONFIG) private readonly config: LeakwatchConfig,
    private readonly health: HealthRegistry,
    private readonly relay: RelayRunner,
  ) {}

  static forRoot(config: LeakwatchConfig & { databaseUrl: string }, service: string): DynamicModule {
    return {
      module: InfrastructureModule,
      imports: [MetricsModule],
      providers: [
        ParkedEventsMonitor,
        { provide: LEAKWATCH_CONFIG, useValue: config },
        { provide: SERVICE_NAME, useValue: service },
        { provide: CLOCK, useValue: systemClock },
        { provide: INTEGRATION_MAPPERS, useValue: new IntegrationMapperRegistry() },
        {
          provide: PG_POOL,
          useFactory: () => {
            const pool = new Pool({ connectionString: config.databaseUrl, max: 20, application_name: `leakwatch-${service}` });
            // An idle client losing its connection must not crash the process; the next query reconnects.
            pool.on('error', (error) => new Logger('PostgreSQL').warn(`idle client error: ${error.message}`));
            return pool;
          },
        },
        {
          provide: EVENT_STORE,
          inject: [PG_POOL],
          useFactory: async (pool: Pool): Promise<EventStore> => {
            if (config.eventStoreUrl) return KurrentDbEventStore.fromConnectionString(config.eventStoreUrl);
            return PostgresEventStore.create(pool, { sharedReadBuffer: config.sharedReadBuffer });
          },
        },
        messageBusProvider,
        RelayRunner,
      ],
      exports: [LEAKWATCH_CONFIG, SERVICE_NAME, CLOCK, PG_POOL, EVENT_STORE, MESSAGE_BUS, INTEGRATION_MAPPERS],
    };
  }

  onModuleInit(): void {
    this.health.register('database', async () => {
      await this.pool.query('SELECT 1');
      return { pool: { total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount } };
    });
    this.health.register('event_store', async () => {
      await this.eventStore.readAll({ maxCount: 1 });
      return { adapter: this.config.eventStoreUrl ? 'kurrentdb' : 'postgresql' };
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay.stop().catch((e: Error) => this.logger.warn(`relay/bus stop: ${e.message}`));
    await this.eventStore.close().catch((e: Error) => this.logger.warn(`event store close: ${e.message}`));
    await this.pool.end().catch((e: Error) => this.logger.warn(`pool close: ${e.message}`));
  }
}
