/**
 * Event store tables. `transaction_id` is what makes the all-stream gap-free: a reader only returns rows whose
 * writing transaction is older than every transaction still running (`pg_snapshot_xmin`), and orders by
 * (transaction_id, global_position), so a slow transaction's events can never appear behind a reader's checkpoint.
 */
import type { Pool } from 'pg';
import { createSchemaOnce } from '@leakwatch/pg';

export const EVENTS_CHANNEL = 'leakwatch_es_events';

export const EVENT_STORE_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS es_streams (
  stream_id text PRIMARY KEY,
  revision bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS es_events (
  global_position bigint GENERATED ALWAYS AS IDENTITY,
  transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
  stream_id text NOT NULL,
  stream_revision bigint NOT NULL,
  event_id uuid NOT NULL,
  event_type text NOT NULL,
  schema_version integer NOT NULL,
  data jsonb NOT NULL,
  metadata jsonb NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (stream_id, stream_revision),
  CONSTRAINT es_events_event_id_key UNIQUE (event_id)
);
CREATE INDEX IF NOT EXISTS es_events_all_order ON es_events (transaction_id, global_position);
`;

/** Idempotent; an advisory lock keeps concurrently starting processes from racing on CREATE. */
export function ensureEventStoreSchema(pool: Pool): Promise<void> {
  return createSchemaOnce(pool, 'leakwatch:es-schema', EVENT_STORE_SCHEMA_SQL);
}
