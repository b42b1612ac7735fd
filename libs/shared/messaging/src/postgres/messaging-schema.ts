/**
 * Tables of the messaging infrastructure, living next to the data they guard: relay checkpoints, and the
 * ids of messages each consumer has processed (written in the consumer's own transaction).
 */
import type { Pool } from 'pg';
import { createSchemaOnce } from '@leakwatch/pg';

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
export function ensureMessagingSchema(pool: Pool): Promise<void> {
  return createSchemaOnce(pool, 'leakwatch:messaging-schema', MESSAGING_SCHEMA_SQL);
}
