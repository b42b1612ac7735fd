/**
 * The integration bus and the store-to-bus relay of this process. Kafka (fed by the relay) when
 * KAFKA_BROKERS is set, the store-backed in-process bus otherwise (embedded mode). Each service relays only the topics of the aggregates it owns;
 * the embedded process (target `all`) relays every topic.
 */
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleInit, Provider } from '@nestjs/common';
import type { Pool } from 'pg';
import { EVENT_STORE, EventStore } from '@leakwatch/event-store';
import {
  ALL_TOPICS,
  EventRelay,
  IntegrationMappers,
  KafkaMessageBus,
  MESSAGE_BUS,
  MessageBus,
  MessagingLogger,
  PostgresCheckpointStore,
  StoreBackedMessageBus,
  TOPICS,
} from '@leakwatch/messaging';
import type { SASLOptions } from 'kafkajs';
import { LeaderLock } from '@leakwatch/pg';
import { LeakwatchConfig } from '../config/leakwatch-config';
import { HealthRegistry } from '../health/health';
import { INTEGRATION_MAPPERS, LEAKWATCH_CONFIG, PG_POOL, SERVICE_NAME } from './tokens';

/** Topics fed by the aggregates each service owns: each topic has exactly one producing service. */
export const OWNED_TOPICS: Record<string, readonly string[]> = {
  all: ALL_TOPICS,
  ingest: [TOPICS.findings],
  'leak-lifecycle': [TOPICS.leaks],
  'access-control': [TOPICS.access],
  gateway: [TOPICS.gateway],
  stats: [],
};

export function nestMessagingLogger(context: string): MessagingLogger {
  const logger = new Logger(context);
  return {
    info: (message, fields) => logger.log(fields ? { msg: message, ...fields } : message),
    warn: (message, fields) => logger.warn(fields ? { msg: message, ...fields } : message),
    error: (message, fields) => logger.error(fields ? { msg: message, ...fields } : message),
  };
}

/**
 * Kafka when KAFKA_BROKERS is set. Otherwise the store-backed in-process bus: consumers read the event
 * store directly with durable checkpoints, so nothing published while a consumer was down is lost.
 */
export const messageBusProvider: Provider = {
  provide: MESSAGE_BUS,
  inject: [LEAKWATCH_CONFIG, SERVICE_NAME, EVENT_STORE, PG_POOL, INTEGRATION_MAPPERS],
  useFactory: async (config: LeakwatchConfig, service: string, store: EventStore, pool: Pool, mappers: IntegrationMappers): Promise<MessageBus> =>
    config.kafkaBrokers
      ? new KafkaMessageBus({
          brokers: config.kafkaBrokers,
          clientId: `leakwatch-${service}`,
          logger: nestMessagingLogger('Kafka'),
          idempotent: config.kafka.idempotent,
          instanceId: config.kafka.instanceId,
          kafka: { ssl: config.kafka.ssl, ...(config.kafka.sasl ? { sasl: config.kafka.sasl as SASLOptions } : {}) },
          consumer: {
            sessionTimeout: config.kafka.sessionTimeoutMs,
            heartbeatInterval: Math.min(3_000, Math.floor(config.kafka.sessionTimeoutMs / 3)),
            maxWaitTimeInMs: config.kafka.maxWaitMs,
          },
        })
      : new StoreBackedMessageBus({
          store,
          checkpoints: await PostgresCheckpointStore.create(pool),
          source: `leakwatch/${service === 'all' ? 'leakwatch' : service}`,
          mappers,
          logger: nestMessagingLogger('InProcessBus'),
        }),
};

@Injectable()
export class RelayRunner implements OnModuleInit, OnApplicationBootstrap {
  private relay?: EventRelay;
  /** Replicas of one service share a relay name: only the holder of this lock relays (the others stand by). */
  private leader?: LeaderLock;
  private readonly logger = new Logger('Relay');

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(SERVICE_NAME) private readonly service: string,
    @Inject(LEAKWATCH_CONFIG) private readonly config: LeakwatchConfig,
    @Inject(INTEGRATION_MAPPERS) private readonly mappers: IntegrationMappers,
    private readonly health: HealthRegistry,
  ) {}

  onModuleInit(): void {
    this.health.register('message_bus', async () =>
      this.config.kafkaBrokers
        ? {
            adapter: 'kafka',
            relay: this.leader ? (this.leader.isLeader ? 'leader' : 'standby') : 'none',
            relay_checkpoint: this.relay?.checkpoint ? `${this.relay.checkpoint.commit}/${this.relay.checkpoint.prepare}` : null,
          }
        : { adapter: 'in-process (consumers read the event store)' },
    );
  }

  /** After every module subscribed in onModuleInit, so the in-process bus has its consumers before the first publish. */
  async onApplicationBootstrap(): Promise<void> {
    const topics = OWNED_TOPICS[this.service] ?? [];
    // Without Kafka, consumers read the store itself (StoreBackedMessageBus): nothing to relay.
    if (!topics.length || !this.config.kafkaBrokers) return;
    this.relay = new EventRelay({
      store: this.store,
      bus: this.bus,
      checkpoints: await PostgresCheckpointStore.create(this.pool),
      name: `relay:${this.service}`,
      service: this.service === 'all' ? 'leakwatch' : this.service,
      topics,
      mappers: this.mappers,
      logger: nestMessagingLogger('Relay'),
    });
    const relay = this.relay;
    this.leader = new LeaderLock({
      connection: { connectionString: this.config.databaseUrl, application_name: `leakwatch-${this.service}-relay-lock` },
      name: `leakwatch:relay:${this.service}`,
      onLead: async () => {
        this.logger.log(`relay:${this.service} leads (this replica publishes ${topics.join(', ')})`);
        await relay.start();
      },
      onStepDown: async () => {
        this.logger.warn(`relay:${this.service} stepped down`);
        await relay.stop();
      },
      onError: (error) => this.logger.warn(`relay leadership: ${error.message}`),
    });
    this.leader.start();
  }

  /** Called by InfrastructureModule's shutdown, which orders it before the store and pool close. */
  async stop(): Promise<void> {
    await this.leader?.stop();
    await this.relay?.stop();
    await this.bus.close();
  }
}
