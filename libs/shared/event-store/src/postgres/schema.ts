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

-- Tamper evidence (issue 14.3): every event's hash chains it to the previous event of its stream. The one
-- definition of the canonical encoding (mirrored byte for byte by event-hash.ts for offline verification):
-- UTF-8 of these lines joined by newlines, texts prefixed with their byte length, data and metadata as the jsonb
-- text PostgreSQL stores (normalised), the time in microseconds UTC, prev = the previous event's hash in hex
-- ('' for a stream's first event, or when the previous event was written before the chain existed).
ALTER TABLE es_events ADD COLUMN IF NOT EXISTS event_hash bytea;
-- The encoding over the data's and metadata's jsonb text: callers that have it compute it once (jsonb output
-- is the dearest part), and pass plain values, so PostgreSQL inlines this one expression into theirs.
-- Explicit ::text casts, not || on numbers (which looks the output function up again on every call).
CREATE OR REPLACE FUNCTION es_event_hash_text(
  p_stream text, p_revision bigint, p_id uuid, p_type text, p_version int, p_recorded timestamptz, p_data text, p_metadata text, p_prev bytea
) RETURNS bytea LANGUAGE sql STABLE PARALLEL SAFE AS $h$
  SELECT sha256(convert_to(
    'lw-event-v1' || E'\\n' || octet_length(p_stream)::text || ':' || p_stream || E'\\n' || p_revision::text || E'\\n' || p_id::text || E'\\n' ||
    octet_length(p_type)::text || ':' || p_type || E'\\n' || p_version::text || E'\\n' ||
    to_char(p_recorded AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || E'\\n' ||
    octet_length(p_data)::text || ':' || p_data || E'\\n' || octet_length(p_metadata)::text || ':' || p_metadata || E'\\n' ||
    COALESCE(encode(p_prev, 'hex'), ''), 'UTF8'))
$h$;
-- The same over stored values (verification by hand, tests).
CREATE OR REPLACE FUNCTION es_event_hash(
  p_stream text, p_revision bigint, p_id uuid, p_type text, p_version int, p_recorded timestamptz, p_data jsonb, p_metadata jsonb, p_prev bytea
) RETURNS bytea LANGUAGE sql STABLE PARALLEL SAFE AS $h$
  SELECT es_event_hash_text(p_stream, p_revision, p_id, p_type, p_version, p_recorded, p_data::text, p_metadata::text, p_prev)
$h$;
-- es_append computes the hash itself (it already holds the stream's last event). Rows inserted any other way
-- (the ingest's one-statement publish of a report) get theirs here; a BEFORE ROW trigger sees the rows the
-- same statement inserted before, so a new stream written in one INSERT chains too.
CREATE OR REPLACE FUNCTION es_events_chain() RETURNS trigger LANGUAGE plpgsql AS $t$
DECLARE
  v_prev bytea;
  v_data text;
  v_metadata text;
BEGIN
  IF NEW.stream_revision > 0 THEN
    SELECT e.event_hash INTO v_prev FROM es_events e WHERE e.stream_id = NEW.stream_id AND e.stream_revision = NEW.stream_revision - 1;
  END IF;
  v_data := NEW.data::text;
  v_metadata := NEW.metadata::text;
  NEW.event_hash := es_event_hash_text(NEW.stream_id, NEW.stream_revision, NEW.event_id, NEW.event_type, NEW.schema_version, NEW.recorded_at, v_data, v_metadata, v_prev);
  RETURN NEW;
END
$t$;
DO $d$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'es_events_chain' AND tgrelid = 'es_events'::regclass) THEN
    CREATE TRIGGER es_events_chain BEFORE INSERT ON es_events FOR EACH ROW WHEN (NEW.event_hash IS NULL) EXECUTE FUNCTION es_events_chain();
  END IF;
END $d$;
-- Where the chain starts (kind 'start': events up to that position were written before it and are
-- "unchained") and checkpoints of the all-stream written by \`leakwatch audit verify\` (kind 'checkpoint': a
-- running hash over every event's hash in all-stream order, the event count, and the head of each stream that
-- moved since the previous checkpoint — what catches a deleted last event of a stream).
CREATE TABLE IF NOT EXISTS es_chain_checkpoints (
  checkpoint_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('start', 'checkpoint')),
  transaction_id xid8 NOT NULL,
  global_position bigint NOT NULL,
  events bigint NOT NULL,
  hash bytea,
  heads jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX IF NOT EXISTS es_chain_checkpoints_position ON es_chain_checkpoints (kind, transaction_id, global_position);

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
  v_one bigint;
  v_here bigint;
  v_found bigint;
  v_tx1 text;
  v_gp bigint;
  v_prev bytea;
  v_hashes bytea[] := '{}';
  v_heads bytea[];
  v_revs bigint[];
  v_erevs bigint[] := '{}';
  v_now timestamptz := now();
  v_st int;
  v_data text;
  v_metadata text;
BEGIN
  -- One stream (almost every append): a lock, an index probe for the revision and the head's hash, the insert.
  -- A stream's revision is its last event's (the primary key index, read backwards): no second table to keep in
  -- step. Event ids are checked by the insert itself (ON CONFLICT on their unique index): no probe before it on
  -- the common path; only an append that wrote nothing (a repeat, a conflict) looks the ids up.
  IF array_length(p_streams, 1) = 1 THEN
    PERFORM pg_advisory_xact_lock(hashtextextended(p_streams[1], 7237));
    SELECT e.stream_revision, e.event_hash INTO v_one, v_prev FROM es_events e WHERE e.stream_id = p_streams[1] ORDER BY e.stream_revision DESC LIMIT 1;
    v_one := COALESCE(v_one, -1);
    IF (CASE p_expected[1] WHEN -2 THEN true WHEN -1 THEN v_one = -1 WHEN -3 THEN v_one >= 0 ELSE v_one = p_expected[1] END) THEN
      -- Each event's hash chains to the one before it (the stream's last event, read above).
      FOR i IN 1 .. array_length(p_ids, 1) LOOP
        v_data := p_data[i]::text;
        v_metadata := p_metadata[i]::text;
        v_prev := es_event_hash_text(p_streams[1], v_one + i, p_ids[i], p_types[i], p_versions[i], v_now, v_data, v_metadata, v_prev);
        v_hashes[i] := v_prev;
      END LOOP;
      WITH ins AS (
        INSERT INTO es_events (stream_id, stream_revision, event_id, event_type, schema_version, data, metadata, recorded_at, event_hash)
        SELECT p_streams[1], v_one + t.ord, t.id, t.ty, t.v, t.d, t.m, v_now, t.h
          FROM unnest(p_ids, p_types, p_versions, p_data, p_metadata, v_hashes) WITH ORDINALITY AS t(id, ty, v, d, m, h, ord)
         ORDER BY t.ord
        ON CONFLICT (event_id) DO NOTHING
        RETURNING es_events.global_position AS gp
      )
      SELECT max(ins.gp), count(*) INTO v_gp, v_here FROM ins;
      IF v_here = array_length(p_ids, 1) THEN
        RETURN QUERY SELECT p_streams[1], 'write'::text, v_one + array_length(p_ids, 1), pg_current_xact_id()::text, v_gp;
        RETURN;
      END IF;
      -- Some ids were stored already and others not: undo the part written (the caller reports the ids).
      IF v_here > 0 THEN
        RAISE unique_violation USING MESSAGE = 'some event ids of this append are stored already', CONSTRAINT = 'es_events_event_id_key';
      END IF;
    END IF;
    -- Nothing written: a repeat of a stored append (also with a stale expected revision), ids stored elsewhere, or a conflict.
    SELECT count(*) FILTER (WHERE e.stream_id = p_streams[1]), count(*),
           (array_agg(e.transaction_id::text ORDER BY e.transaction_id DESC, e.global_position DESC))[1],
           (array_agg(e.global_position ORDER BY e.transaction_id DESC, e.global_position DESC))[1]
      INTO v_here, v_found, v_tx1, v_gp
      FROM unnest(p_ids) AS i(id)
      -- One unique-index probe per id (fenced: the cached plan must not become a scan of es_events).
      CROSS JOIN LATERAL (SELECT x.stream_id, x.transaction_id, x.global_position FROM es_events x WHERE x.event_id = i.id LIMIT 1) e;
    IF v_found > 0 THEN
      RETURN QUERY SELECT p_streams[1], CASE WHEN v_here = array_length(p_ids, 1) THEN 'repeat' ELSE 'duplicate' END, v_one, v_tx1, v_gp;
      RETURN;
    END IF;
    RETURN QUERY SELECT p_streams[1], 'conflict'::text, v_one, NULL::text, NULL::bigint;
    RETURN;
  END IF;

  FOR v_key IN SELECT DISTINCT hashtextextended(s, 7237) AS k FROM unnest(p_streams) s ORDER BY k LOOP
    PERFORM pg_advisory_xact_lock(v_key);
  END LOOP;

  SELECT array_agg(plan.outcome ORDER BY plan.idx), array_agg(plan.cur ORDER BY plan.idx),
         array_agg(plan.tx ORDER BY plan.idx), array_agg(plan.pos ORDER BY plan.idx), array_agg(plan.head ORDER BY plan.idx)
    INTO v_outcome, v_cur, v_tx, v_pos, v_heads
    FROM (
      SELECT r.idx,
             CASE WHEN f.stored = f.n AND f.here = f.n THEN 'repeat'
                  WHEN f.stored > 0 THEN 'duplicate'
                  WHEN CASE r.expected WHEN -2 THEN true WHEN -1 THEN r.cur = -1 WHEN -3 THEN r.cur >= 0 ELSE r.cur = r.expected END THEN 'write'
                  ELSE 'conflict' END AS outcome,
             r.cur, r.head, f.tx, f.pos
        FROM (SELECT t.i::int AS idx, t.s AS sid, t.e AS expected, COALESCE(l.stream_revision, -1) AS cur, l.event_hash AS head
                FROM unnest(p_streams, p_expected) WITH ORDINALITY AS t(s, e, i)
                LEFT JOIN LATERAL (SELECT h.stream_revision, h.event_hash FROM es_events h WHERE h.stream_id = t.s ORDER BY h.stream_revision DESC LIMIT 1) l ON true) r
        JOIN (
          SELECT ev.st, count(*) AS n, count(x.event_id) AS stored, count(x.event_id) FILTER (WHERE x.stream_id = p_streams[ev.st]) AS here,
                 (array_agg(x.transaction_id::text ORDER BY x.transaction_id DESC, x.global_position DESC) FILTER (WHERE x.event_id IS NOT NULL))[1] AS tx,
                 (array_agg(x.global_position ORDER BY x.transaction_id DESC, x.global_position DESC) FILTER (WHERE x.event_id IS NOT NULL))[1] AS pos
            FROM unnest(p_stream_of, p_ids) AS ev(st, id)
            -- One unique-index probe per event, fenced (LIMIT) so the planner cannot turn it into a join that
            -- scans es_events: this plan is cached per connection, often while the table was still small.
            LEFT JOIN LATERAL (SELECT e.event_id, e.stream_id, e.transaction_id, e.global_position FROM es_events e WHERE e.event_id = ev.id LIMIT 1) x ON true
           GROUP BY ev.st) f ON f.st = r.idx
    ) plan;

  IF NOT ('duplicate' = ANY(v_outcome) OR 'conflict' = ANY(v_outcome)) AND 'write' = ANY(v_outcome) THEN
    -- Revisions and chained hashes, event by event in order: each stream's chain goes on from its head.
    v_revs := v_cur;
    FOR i IN 1 .. array_length(p_ids, 1) LOOP
      v_st := p_stream_of[i];
      IF v_outcome[v_st] = 'write' THEN
        v_revs[v_st] := v_revs[v_st] + 1;
        v_data := p_data[i]::text;
        v_metadata := p_metadata[i]::text;
        v_heads[v_st] := es_event_hash_text(p_streams[v_st], v_revs[v_st], p_ids[i], p_types[i], p_versions[i], v_now, v_data, v_metadata, v_heads[v_st]);
        v_erevs[i] := v_revs[v_st];
        v_hashes[i] := v_heads[v_st];
      ELSE
        v_erevs[i] := NULL;
        v_hashes[i] := NULL;
      END IF;
    END LOOP;
    INSERT INTO es_events (stream_id, stream_revision, event_id, event_type, schema_version, data, metadata, recorded_at, event_hash)
    SELECT p_streams[t.st], t.rev, t.id, t.ty, t.v, t.d, t.m, v_now, t.h
      FROM unnest(p_stream_of, p_ids, p_types, p_versions, p_data, p_metadata, v_erevs, v_hashes) WITH ORDINALITY AS t(st, id, ty, v, d, m, rev, h, ord)
     WHERE v_outcome[t.st] = 'write'
     ORDER BY t.ord;
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

-- The common case — one event, one stream — without arrays: scalar parameters (no array literals to build in
-- Node and parse here, no unnest), one row out (no RETURN QUERY). Same rules as es_append's one-stream branch,
-- but a plain INSERT (no speculative insertion: ON CONFLICT writes a second WAL record per row): an id stored
-- already makes it fail with the unique violation of es_events_event_id_key, and the caller then looks the id
-- up (a repeat or a duplicate) — a retry, rare, pays one more round trip instead of every append.
CREATE OR REPLACE FUNCTION es_append_one(
  p_stream text, p_expected bigint, p_id uuid, p_type text, p_version int, p_data jsonb, p_metadata jsonb,
  OUT outcome text, OUT revision bigint, OUT tx_id text, OUT last_position bigint
) LANGUAGE plpgsql AS $one$
DECLARE
  v_rev bigint;
  v_prev bytea;
  v_now timestamptz := now();
  v_stream text;
  v_hash bytea;
  v_data text;
  v_metadata text;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended(p_stream, 7237));
  SELECT e.stream_revision, e.event_hash INTO v_rev, v_prev FROM es_events e WHERE e.stream_id = p_stream ORDER BY e.stream_revision DESC LIMIT 1;
  v_rev := COALESCE(v_rev, -1);
  IF (CASE p_expected WHEN -2 THEN true WHEN -1 THEN v_rev = -1 WHEN -3 THEN v_rev >= 0 ELSE v_rev = p_expected END) THEN
    v_data := p_data::text;
    v_metadata := p_metadata::text;
    v_hash := es_event_hash_text(p_stream, v_rev + 1, p_id, p_type, p_version, v_now, v_data, v_metadata, v_prev);
    INSERT INTO es_events (stream_id, stream_revision, event_id, event_type, schema_version, data, metadata, recorded_at, event_hash)
    VALUES (p_stream, v_rev + 1, p_id, p_type, p_version, p_data, p_metadata, v_now, v_hash)
    RETURNING es_events.global_position INTO last_position;
    outcome := 'write';
    revision := v_rev + 1;
    tx_id := pg_current_xact_id()::text;
    RETURN;
  END IF;
  -- Another revision than expected: a repeat with a stale expected revision, an id stored elsewhere, or a conflict.
  SELECT e.stream_id, e.transaction_id::text, e.global_position INTO v_stream, tx_id, last_position FROM es_events e WHERE e.event_id = p_id;
  revision := v_rev;
  outcome := CASE WHEN v_stream IS NULL THEN 'conflict' WHEN v_stream = p_stream THEN 'repeat' ELSE 'duplicate' END;
  IF v_stream IS NULL THEN
    tx_id := NULL;
    last_position := NULL;
  END IF;
END
$one$;

-- The same appends with a caller's statement in their transaction (StatementInAppend): run after the insert,
-- only when every stream was written; it takes one jsonb parameter and returns one jsonb value. Its failure
-- undoes the append (one statement: all or nothing). Still one round trip for an append and its read model row.
CREATE OR REPLACE FUNCTION es_append_one_then(
  p_stream text, p_expected bigint, p_id uuid, p_type text, p_version int, p_data jsonb, p_metadata jsonb, p_then text, p_arg jsonb,
  OUT outcome text, OUT revision bigint, OUT tx_id text, OUT last_position bigint, OUT then_value jsonb
) LANGUAGE plpgsql AS $then1$
BEGIN
  SELECT a.outcome, a.revision, a.tx_id, a.last_position INTO outcome, revision, tx_id, last_position
    FROM es_append_one(p_stream, p_expected, p_id, p_type, p_version, p_data, p_metadata) a;
  IF outcome = 'write' THEN
    EXECUTE p_then INTO then_value USING p_arg;
  END IF;
END
$then1$;
CREATE OR REPLACE FUNCTION es_append_then(
  p_streams text[], p_expected bigint[],
  p_stream_of int[], p_ids uuid[], p_types text[], p_versions int[], p_data jsonb[], p_metadata jsonb[], p_then text, p_arg jsonb
) RETURNS TABLE (stream_id text, outcome text, revision bigint, tx_id text, last_position bigint, then_value jsonb)
LANGUAGE plpgsql AS $thenn$
DECLARE
  v_s text[];
  v_o text[];
  v_r bigint[];
  v_t text[];
  v_p bigint[];
  v_value jsonb;
BEGIN
  SELECT array_agg(a.stream_id ORDER BY a.ord), array_agg(a.outcome ORDER BY a.ord), array_agg(a.revision ORDER BY a.ord),
         array_agg(a.tx_id ORDER BY a.ord), array_agg(a.last_position ORDER BY a.ord)
    INTO v_s, v_o, v_r, v_t, v_p
    FROM es_append(p_streams, p_expected, p_stream_of, p_ids, p_types, p_versions, p_data, p_metadata) WITH ORDINALITY AS a(stream_id, outcome, revision, tx_id, last_position, ord);
  IF 'write' = ALL(v_o) THEN
    EXECUTE p_then INTO v_value USING p_arg;
  END IF;
  RETURN QUERY SELECT u.s, u.o, u.r, u.t, u.p, v_value FROM unnest(v_s, v_o, v_r, v_t, v_p) WITH ORDINALITY AS u(s, o, r, t, p, i) ORDER BY u.i;
END
$thenn$;
`;

/**
 * One-off data migrations of stored events, each applied once per store (recorded in `es_migrations`).
 * The only kind allowed: removing data that must never have been stored. Events are otherwise immutable.
 */
const EVENT_STORE_MIGRATIONS: ReadonlyArray<{ name: string; sql: string }> = [
  {
    // Issue 15.4: credentials recorded before passwords lost their hash carry the plain SHA-256 of the password
    // (crackable offline). Readers already upcast it away; this removes it at rest (backups made before stay as
    // they were, and so does Kafka topic history: rotate those passwords).
    name: '2026-12-credential-password-hash',
    sql: `UPDATE es_events SET data = jsonb_set(data, '{fingerprint}', 'null'::jsonb)
          WHERE event_type IN ('FindingReceived', 'LeakDetected') AND data->>'kind' = 'credential' AND data->>'fingerprint' IS NOT NULL`,
  },
  {
    // Issue 14.3: the hash chain starts here. Events written before (every position the sequence has handed
    // out, committed or not) carry no hash and are reported as "unchained", not as tampered — among them every
    // event the password-hash removal above rewrote: it runs first, so no rewrite ever breaks a chain.
    // A row without a hash after this position is tampering (its hash was removed).
    name: '2026-12-event-hash-chain',
    sql: `INSERT INTO es_chain_checkpoints (kind, transaction_id, global_position, events)
          SELECT 'start', pg_current_xact_id(), COALESCE(pg_sequence_last_value(pg_get_serial_sequence('es_events', 'global_position')::regclass), 0),
                 (SELECT count(*) FROM es_events)
          ON CONFLICT DO NOTHING`,
  },
];

/** Idempotent; an advisory lock keeps concurrently starting processes from racing on CREATE. */
export function ensureEventStoreSchema(pool: Pool): Promise<void> {
  return createSchemaOnce(pool, 'leakwatch:es-schema', async (client) => {
    await client.query(EVENT_STORE_SCHEMA_SQL);
    await client.query(`CREATE TABLE IF NOT EXISTS es_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    for (const migration of EVENT_STORE_MIGRATIONS) {
      const { rowCount } = await client.query(`INSERT INTO es_migrations (name) VALUES ($1) ON CONFLICT DO NOTHING`, [migration.name]);
      if (rowCount) await client.query(migration.sql);
    }
  });
}
