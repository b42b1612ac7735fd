/**
 * Dedup in PostgreSQL: the processed mark and the consumer's own writes commit in ONE transaction, so a
 * crash can neither lose the effect nor apply it twice. The mark is inserted first: a concurrent duplicate
 * blocks on the primary key until the first transaction ends, then sees the conflict (or, if the first
 * rolled back, does the work itself).
 */
import type { Pool, PoolClient } from 'pg';
import { ProcessedMessages } from '../dedup/processed-messages.port';
import { ensureMessagingSchema } from './messaging-schema';

export class PostgresProcessedMessages implements ProcessedMessages<PoolClient> {
  private constructor(private readonly pool: Pool) {}

  /** Creates the tables if needed. The pool stays owned by the caller. */
  static async create(pool: Pool): Promise<PostgresProcessedMessages> {
    await ensureMessagingSchema(pool);
    return new PostgresProcessedMessages(pool);
  }

  async runOnce(consumer: string, eventId: string, work: (tx: PoolClient) => Promise<void>): Promise<boolean> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const inserted = await client.query(
        `INSERT INTO messaging_processed (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
        [consumer, eventId],
      );
      if (inserted.rowCount === 0) {
        await client.query('ROLLBACK');
        return false;
      }
      await work(client);
      await client.query('COMMIT');
      return true;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Forgets a consumer's marks, e.g. before rebuilding its read model from position 0. */
  async reset(consumer: string, tx?: PoolClient): Promise<void> {
    await (tx ?? this.pool).query('DELETE FROM messaging_processed WHERE consumer = $1', [consumer]);
  }
}
