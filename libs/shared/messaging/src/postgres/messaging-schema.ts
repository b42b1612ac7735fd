/**
 * Tables of the messaging infrastructure, living next to the data they guard: relay checkpoints, and the
 * ids of messages each consumer has processed (written in the consumer's own transaction).
 */
import type { Pool } from 'pg';

export const MESSAGING_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS messaging_checkpoints (
  name text PRIMARY KEY,
  position text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS messaging_processed (
  consumer text NOT NULL,
  event_id text NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, event_id)
);
`;

/** Idempotent; an advisory lock keeps concurrently starting processes from racing on CREATE. */
export async function ensureMessagingSchema(pool: Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('leakwatch:messaging-schema'))`);
    await client.query(MESSAGING_SCHEMA_SQL);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
