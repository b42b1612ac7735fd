/**
 * Event store tables and the append function. `transaction_id` is what makes the all-stream gap-free: a reader
 * only returns rows whose writing transaction is older than every transaction still running
 * (`pg_snapshot_xmin`), and orders by (transaction_id, global_position), so a slow transaction's events can
 * never appear behind a reader's checkpoint. `stream_category` (indexed with the all-stream order, as is
 * `event_type`) lets filtered readers skip other contexts' events inside PostgreSQL.
 */
import type { Pool } from 'pg';
import { createSchemaOnce } from '@leakwatch/pg';

export const EVENTS_CHANNEL = 'leakwatch_es_events';

/** `p_expected` codes of es_append besides exact revisions (>= 0). */
export const EXPECTED_CODES = { no_stream: -1, any: -2, stream_exists: -3 } as const;

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
ALTER TABLE es_events ADD COLUMN IF NOT EXISTS stream_category text GENERATED ALWAYS AS (split_part(stream_id, '-', 1)) STORED;
CREATE INDEX IF NOT EXISTS es_events_all_order ON es_events (transaction_id, global_position);
CREATE INDEX IF NOT EXISTS es_events_category_order ON es_events (stream_category, transaction_id, global_position);
CREATE INDEX IF NOT EXISTS es_events_type_order ON es_events (event_type, transaction_id, global_position);

-- One call appends to one or several streams (each with its expected revision), all or nothing.
-- Every stream is locked (advisory, in a fixed order: no deadlocks) BEFORE the first write: the transaction id
-- is assigned at the first write, so a later revision of a stream always has a later transaction id and each
-- stream stays in revision order in the all-stream. A stream whose events are all stored already is a repeat
-- (idempotent retry); any conflict or partly-stored batch writes nothing and is reported per stream.
CREATE OR REPLACE FUNCTION es_append(
  p_streams text[], p_expected bigint[],
  p_stream_of int[], p_ids uuid[], p_types text[], p_versions int[], p_data jsonb[], p_metadata jsonb[]
) RETURNS TABLE (stream_id text, outcome text, revision bigint, tx_id text, last_position bigint)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
  v_key bigint;
  v_outcome text[];
  v_cur bigint[];
  v_tx text[];
  v_pos bigint[];
BEGIN
  FOR v_key IN SELECT DISTINCT hashtextextended(s, 7237) AS k FROM unnest(p_streams) s ORDER BY k LOOP
    PERFORM pg_advisory_xact_lock(v_key);
  END LOOP;

  SELECT array_agg(plan.outcome ORDER BY plan.idx), array_agg(plan.cur ORDER BY plan.idx),
         array_agg(plan.tx ORDER BY plan.idx), array_agg(plan.pos ORDER BY plan.idx)
    INTO v_outcome, v_cur, v_tx, v_pos
    FROM (
      SELECT r.idx,
             CASE WHEN f.stored = f.n AND f.here = f.n THEN 'repeat'
                  WHEN f.stored > 0 THEN 'duplicate'
                  WHEN CASE r.expected WHEN -2 THEN true WHEN -1 THEN r.cur = -1 WHEN -3 THEN r.cur >= 0 ELSE r.cur = r.expected END THEN 'write'
                  ELSE 'conflict' END AS outcome,
             r.cur, f.tx, f.pos
        FROM (SELECT t.i::int AS idx, t.s AS sid, t.e AS expected, COALESCE(st.revision, -1) AS cur
                FROM unnest(p_streams, p_expected) WITH ORDINALITY AS t(s, e, i)
                LEFT JOIN es_streams st ON st.stream_id = t.s) r
        JOIN LATERAL (
          SELECT count(*) AS n, count(x.event_id) AS stored, count(x.event_id) FILTER (WHERE x.stream_id = r.sid) AS here,
                 (array_agg(x.transaction_id::text ORDER BY x.transaction_id DESC, x.global_position DESC) FILTER (WHERE x.event_id IS NOT NULL))[1] AS tx,
                 (array_agg(x.global_position ORDER BY x.transaction_id DESC, x.global_position DESC) FILTER (WHERE x.event_id IS NOT NULL))[1] AS pos
            FROM unnest(p_stream_of, p_ids) AS ev(st, id)
            LEFT JOIN es_events x ON x.event_id = ev.id
           WHERE ev.st = r.idx) f ON true
    ) plan;

  IF NOT ('duplicate' = ANY(v_outcome) OR 'conflict' = ANY(v_outcome)) AND 'write' = ANY(v_outcome) THEN
    WITH ins AS (
      INSERT INTO es_events (stream_id, stream_revision, event_id, event_type, schema_version, data, metadata)
      SELECT p_streams[t.st], v_cur[t.st] + row_number() OVER (PARTITION BY t.st ORDER BY t.ord), t.id, t.ty, t.v, t.d, t.m
        FROM unnest(p_stream_of, p_ids, p_types, p_versions, p_data, p_metadata) WITH ORDINALITY AS t(st, id, ty, v, d, m, ord)
       WHERE v_outcome[t.st] = 'write'
       ORDER BY t.ord
      RETURNING es_events.stream_id AS sid, es_events.stream_revision AS rev
    )
    INSERT INTO es_streams AS s (stream_id, revision)
    SELECT ins.sid, max(ins.rev) FROM ins GROUP BY ins.sid
    ON CONFLICT ON CONSTRAINT es_streams_pkey DO UPDATE SET revision = EXCLUDED.revision;
    PERFORM pg_notify('${EVENTS_CHANNEL}', '');
    -- Positions of what we wrote: the last event of each written stream, in this transaction.
    RETURN QUERY
      SELECT t.s, v_outcome[t.i], COALESCE(w.rev, v_cur[t.i]), COALESCE(w.tx, v_tx[t.i]), COALESCE(w.gp, v_pos[t.i])
        FROM unnest(p_streams) WITH ORDINALITY AS t(s, i)
        LEFT JOIN LATERAL (
          SELECT e.stream_revision AS rev, e.transaction_id::text AS tx, e.global_position AS gp
            FROM es_events e WHERE e.stream_id = t.s AND v_outcome[t.i] = 'write'
           ORDER BY e.stream_revision DESC LIMIT 1) w ON true
       ORDER BY t.i;
    RETURN;
  END IF;

  RETURN QUERY SELECT t.s, v_outcome[t.i], v_cur[t.i], v_tx[t.i], v_pos[t.i]
    FROM unnest(p_streams) WITH ORDINALITY AS t(s, i) ORDER BY t.i;
END
$fn$;
`;

/** Idempotent; an advisory lock keeps concurrently starting processes from racing on CREATE. */
export function ensureEventStoreSchema(pool: Pool): Promise<void> {
  return createSchemaOnce(pool, 'leakwatch:es-schema', EVENT_STORE_SCHEMA_SQL);
}
