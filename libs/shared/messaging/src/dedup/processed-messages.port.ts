/**
 * Consumer-side deduplication by event id: delivery is at least once (relay re-publishes after a crash,
 * Kafka redelivers uncommitted messages), so a consumer whose effect is not naturally idempotent runs its
 * work through `runOnce`. `Tx` is what the adapter hands to `work` to write atomically with the mark
 * (a `PoolClient` for PostgreSQL).
 */
export interface ProcessedMessages<Tx = unknown> {
  /**
   * Runs `work` unless `consumer` already processed `eventId`; records the id only if `work` succeeded.
   * Resolves true when the work ran, false when it was a duplicate. A throwing `work` records nothing.
   */
  runOnce(consumer: string, eventId: string, work: (tx: Tx) => Promise<void>): Promise<boolean>;
}

export const PROCESSED_MESSAGES = Symbol('PROCESSED_MESSAGES');
