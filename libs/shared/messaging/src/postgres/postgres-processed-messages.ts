/**
 * Dedup in PostgreSQL: the processed mark and the consumer's own writes commit in ONE transaction, so a
 * crash can neither lose the effect nor apply it twice. The mark is inserted first: a concurrent duplicate
 * blocks on the primary key until the first transaction ends, then sees the conflict (or, if the first
 * rolled back, does the work itself).
 */
import type { Pool, PoolClient } from 'pg';
import { withTransaction } from '@leakwatch/pg';
import { ProcessedMessages } from '../dedup/processed-messages.port';
import { ensureMessagingSchema } from './messaging-schema';

/** Thrown (and caught) only inside `runOnce`, so a duplicate rolls its transaction back like any failure. */
const ALREADY_PROCESSED = Symbol('already processed');

export class PostgresProcessedMessages implements ProcessedMessages<PoolClient> {
  private constructor(private readonly pool: Pool) {}

  /** Creates the tables if needed. The pool stays owned by the caller. */
  static async create(pool: Pool): Promise<PostgresProcessedMessages> {
    await ensureMessagingSchema(pool);
    return new PostgresProcessedMessages(pool);
  }

  async runOnce(consumer: string, eventId: string, work: (tx: PoolClient) => Promise<void>): Promise<boolean> {
    try {
      return await withTransaction(this.pool, async (client) => {
        const inserted = await client.query(
          `INSERT INTO messaging_processed (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
          [consumer, eventId],
        );
        // Already processed: end the transaction with ROLLBACK (it wrote nothing) by leaving it through the error path.
        if (inserted.rowCount === 0) throw ALREADY_PROCESSED;
        await work(client);
        return true;
      });
    } catch (error) {
      if (error === ALREADY_PROCESSED) return false;
      throw error;
    }
  }

  /** Forgets a consumer's marks, e.g. before rebuilding its read model from position 0. */
  async reset(consumer: string, tx?: PoolClient): Promise<void> {
    await (tx ?? this.pool).query('DELETE FROM messaging_processed WHERE consumer = $1', [consumer]);
  }
}
