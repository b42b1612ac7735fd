// Integration messaging: CloudEvents envelope, topics, the bus port with Kafka and in-process adapters,
// the store-to-bus relay, and consumer dedup. Framework-free, so apps, Nest modules and the CLI share it.
export * from './cloud-event';
export * from './kafka-binary-mode';
export * from './topics';
export * from './message-bus.port';
export * from './logger';
export * from './backoff';
export { InProcessMessageBus, partitionOf } from './in-process/in-process-message-bus';
export type { InProcessMessageBusOptions } from './in-process/in-process-message-bus';
export { StoreBackedMessageBus } from './in-process/store-backed-message-bus';
export type { StoreBackedMessageBusOptions } from './in-process/store-backed-message-bus';
export { KafkaMessageBus } from './kafka/kafka-message-bus';
export type { KafkaMessageBusOptions } from './kafka/kafka-message-bus';
export * from './relay/checkpoint-store.port';
export { InMemoryCheckpointStore } from './relay/in-memory-checkpoint-store';
export { EventRelay } from './relay/event-relay';
export type { EventRelayOptions } from './relay/event-relay';
export { toCloudEvent, toIntegrationCloudEvent, sourceOf } from './relay/to-cloud-event';
export * from './relay/integration-mappers';
export { topicProjection, mapperOf } from './relay/topic-projection';
export type { TopicReadModel } from './relay/topic-projection';
export * from './dedup/processed-messages.port';
export { InMemoryProcessedMessages } from './dedup/in-memory-processed-messages';
export { dedupHandler } from './dedup/dedup-handler';
export { PostgresCheckpointStore } from './postgres/postgres-checkpoint-store';
export { PostgresProcessedMessages } from './postgres/postgres-processed-messages';
export { ensureMessagingSchema, MESSAGING_SCHEMA_SQL } from './postgres/messaging-schema';
