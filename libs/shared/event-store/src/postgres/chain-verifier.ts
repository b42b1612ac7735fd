/**
 * Verifies the tamper-evidence chain of a PostgreSQL event store (issue 14.3) and extends its checkpoints.
 *
 * One pass over the all-stream, in its order, below the visibility horizon: each event's revision must follow
 * its stream's previous one, its hash must be the hash of its stored bytes chained to the previous event's
 * hash, and events after the chain's start must have one. The all-stream running hash and event count are
 * compared with every checkpoint on the way (es_chain_checkpoints) — with the stream heads a checkpoint keeps,
 * that is what reveals a deleted last event of a stream, or events whose positions were exchanged. A clean
 * pass then writes new checkpoints (every `checkpointEvery` events, and one at the end).
 *
 * What it cannot see: anyone able to write the tables can recompute every hash after an edit; checkpoints live
 * in the same database. The anchor against that is outside it — the checkpoint hash this prints, or a signed
 * export (audit-export.ts), kept by someone else.
 */
import type { Pool } from 'pg';
import type { ExportEventRow as Row } from '../audit/audit-export-file';
import { allStreamStep, eventHash, HashedEvent, recordedAtSql } from '../audit/event-hash';

export type ChainProblemKind = 'changed' | 'deleted' | 'reordered' | 'unhashed' | 'checkpoint';

export interface ChainPosition {
  transactionId: string;
  globalPosition: string;
}

export interface ChainProblem {
  kind: ChainProblemKind;
  streamId?: string;
  revision?: number;
  /** Where it was found: the event's position (for a deleted event, the next one's or the checkpoint's). */
  position: ChainPosition;
  detail: string;
}

export interface ChainReport {
  streams: number;
  events: number;
  chained: number;
  unchained: number;
  /** In all-stream order, the first one first; at most `maxProblems`. */
  problems: ChainProblem[];
  /** Problems found in all (problems may be cut short). */
  problemCount: number;
  checkpoints: { checked: number; written: number; latest?: { position: ChainPosition; events: number; hash: string } };
  /** Events written up to this position (`global_position` of the chain start) carry no hash by design. */
  chainStart?: string;
}

export interface VerifyChainOptions {
  /** Write checkpoints when the pass is clean (default true). */
  writeCheckpoints?: boolean;
  /** Events between two checkpoints written by this pass (default 10,000). */
  checkpointEvery?: number;
  pageSize?: number;
  maxProblems?: number;
  /** Called after every page with events checked so far and the total to check. */
  onProgress?: (done: number, total: number) => void;
}


interface Checkpoint {
  tx: string;
  gp: string;
  events: string;
  hash: string;
  /** Stream → [revision, hash, `transaction_id:global_position`] of its head, for streams that moved in the stretch. */
  heads: Record<string, [number, string, string]> | null;
}

interface StreamState {
  revision: number;
  /** The stored hash of its last event (what the next one chains to), null when unchained. */
  link: string | null;
  /** The hash the running all-stream hash took for its last event, and that event's position (`tx:gp`). */
  head: string;
  gp: string;
}

/** Columns of a row as the encoding needs them (shared with the export). */
export const CHAIN_COLUMNS = `transaction_id::text AS tx, global_position::text AS gp, stream_id, stream_revision::text AS stream_revision,
  event_id::text AS event_id, event_type, schema_version, ${recordedAtSql('recorded_at')} AS recorded, data::text AS data, metadata::text AS metadata,
  encode(event_hash, 'hex') AS hash`;

export function toHashedEvent(row: Row): HashedEvent {
  return {
    streamId: row.stream_id,
    revision: Number(row.stream_revision),
    eventId: row.event_id,
    type: row.event_type,
    schemaVersion: row.schema_version,
    recordedAt: row.recorded,
    data: row.data,
    metadata: row.metadata,
  };
}


const compare = (a: ChainPosition, b: ChainPosition) => {
  const tx = BigInt(a.transactionId) - BigInt(b.transactionId);
  if (tx !== 0n) return tx < 0n ? -1 : 1;
  const gp = BigInt(a.globalPosition) - BigInt(b.globalPosition);
  return gp === 0n ? 0 : gp < 0n ? -1 : 1;
};

export async function verifyEventChain(pool: Pool, options: VerifyChainOptions = {}): Promise<ChainReport> {
  const pageSize = options.pageSize ?? 5000;
  const every = options.checkpointEvery ?? 10_000;
  const maxProblems = options.maxProblems ?? 100;
  const { rows: meta } = await pool.query<{ horizon: string; total: string; start: string | null }>(
    `WITH h AS MATERIALIZED (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin)
     SELECT h.xmin::text AS horizon,
            (SELECT count(*) FROM es_events, h WHERE transaction_id < h.xmin)::text AS total,
            (SELECT min(global_position)::text FROM es_chain_checkpoints WHERE kind = 'start') AS start
       FROM h`,
  );
  const horizon = meta[0].horizon;
  const total = Number(meta[0].total);
  const chainStart = meta[0].start === null ? undefined : BigInt(meta[0].start);
  const { rows: checkpoints } = await pool.query<Checkpoint>(
    `SELECT transaction_id::text AS tx, global_position::text AS gp, events::text AS events, encode(hash, 'hex') AS hash, heads
       FROM es_chain_checkpoints WHERE kind = 'checkpoint' AND transaction_id < $1::xid8 ORDER BY transaction_id, global_position`,
    [horizon],
  );

  const streams = new Map<string, StreamState>();
  const problems: ChainProblem[] = [];
  let problemCount = 0;
  const report = (problem: ChainProblem) => {
    problemCount++;
    problems.push(problem);
  };
  let running = '';
  /** Events in the all-stream so far, as the running hash counts them (reset to a checkpoint's after a mismatch). */
  let events = 0;
  let checkedEvents = 0;
  let chained = 0;
  let unchained = 0;
  let checked = 0;
  let next = 0; // the next existing checkpoint to compare
  /** Stream heads that moved since the last checkpoint (existing or planned): kept by the next one. */
  let moved = new Map<string, [number, string, string]>();
  const planned: Array<{ position: ChainPosition; events: number; hash: string; heads: Record<string, [number, string, string]> }> = [];
  let sinceCheckpoint = 0;
  let last: ChainPosition | undefined;
  /** Revisions found missing, per stream: if one turns up later, it was moved, not deleted. */
  const gaps = new Map<string, { problem: ChainProblem; from: number; to: number; seen: number }>();

  const compareCheckpoint = (cp: Checkpoint) => {
    checked++;
    const position = { transactionId: cp.tx, globalPosition: cp.gp };
    if (cp.hash !== running || Number(cp.events) !== events) {
      let located = false;
      for (const [streamId, [revision, head, at]] of Object.entries(cp.heads ?? {})) {
        const state = streams.get(streamId);
        const [transactionId, gp] = at.split(':');
        const where = { transactionId, globalPosition: gp };
        if (!state || state.revision < revision) {
          const from = state ? state.revision + 1 : 0;
          report({ kind: 'deleted', streamId, revision: from, position: where, detail: `revision${from < revision ? `s ${from}–${revision}` : ` ${revision}`} missing: the checkpoint at position ${cp.tx}:${cp.gp} recorded the stream's head at revision ${revision} (position ${at}); the store's head is ${state ? `revision ${state.revision}` : 'absent'}` });
          located = true;
        } else if (state.revision === revision && state.head !== head) {
          report({ kind: 'changed', streamId, revision, position: where, detail: `the stream's head differs from the one the checkpoint at position ${cp.tx}:${cp.gp} recorded (the event or one before it was rewritten with recomputed hashes)` });
          located = true;
        } else if (state.revision === revision && state.gp !== at) {
          report({ kind: 'reordered', streamId, revision, position: where, detail: `the stream's head moved from position ${at} (recorded by the checkpoint at position ${cp.tx}:${cp.gp}) to ${state.gp}` });
          located = true;
        }
      }
      if (!located) {
        report({ kind: 'checkpoint', position, detail: `the all-stream up to position ${cp.tx}:${cp.gp} does not match its checkpoint (${events} events here, ${cp.events} recorded): events were deleted, inserted or moved between the previous checkpoint and this one` });
      }
      // Judge the next stretch on its own.
      running = cp.hash;
      events = Number(cp.events);
    }
    moved = new Map();
    sinceCheckpoint = 0;
  };

  let after: ChainPosition = { transactionId: '0', globalPosition: '0' };
  for (;;) {
    const { rows } = await pool.query<Row>({
      name: 'es_chain_verify_page',
      text: `SELECT ${CHAIN_COLUMNS} FROM es_events
              WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint) AND transaction_id < $3::xid8
              ORDER BY transaction_id, global_position LIMIT $4`,
      values: [after.transactionId, after.globalPosition, horizon, pageSize],
    });
    for (const row of rows) {
      const position = { transactionId: row.tx, globalPosition: row.gp };
      while (next < checkpoints.length && compare({ transactionId: checkpoints[next].tx, globalPosition: checkpoints[next].gp }, position) < 0) compareCheckpoint(checkpoints[next++]);
      const event = toHashedEvent(row);
      const state = streams.get(row.stream_id);
      const expected = state ? state.revision + 1 : 0;
      const base = { streamId: row.stream_id, revision: event.revision, position };
      let found = false;
      if (event.revision > expected) {
        const problem: ChainProblem = { ...base, kind: 'deleted', revision: expected, detail: `revision${expected < event.revision - 1 ? `s ${expected}–${event.revision - 1}` : ` ${expected}`} missing before revision ${event.revision} (position ${row.tx}:${row.gp})` };
        report(problem);
        gaps.set(row.stream_id, { problem, from: expected, to: event.revision - 1, seen: event.revision });
        found = true;
      } else if (event.revision < expected) {
        const gap = gaps.get(row.stream_id);
        if (gap && event.revision >= gap.from && event.revision <= gap.to) {
          // The "missing" revision came later: the rows are out of order, the problem is where it started.
          Object.assign(gap.problem, { kind: 'reordered', revision: gap.seen, detail: `revision ${gap.seen} comes before revision ${event.revision} in the all-stream order (rows swapped, or positions changed)` });
          gaps.delete(row.stream_id);
        } else {
          report({ ...base, kind: 'reordered', detail: `revision ${event.revision} comes after revision ${state?.revision} in the all-stream order (rows swapped, or positions changed)` });
        }
        found = true;
      }
      let head: string;
      if (row.hash === null) {
        unchained++;
        head = eventHash(event, null);
        const beforeChain = chainStart !== undefined && BigInt(row.gp) <= chainStart;
        if (!found && (!beforeChain || state?.link)) {
          report({ ...base, kind: 'unhashed', detail: `no hash, but written after the chain started (position ${chainStart ?? 'unknown'}): its hash was removed, or the row was inserted by hand` });
        }
      } else {
        chained++;
        head = row.hash;
        const computed = eventHash(event, state?.link ?? null);
        if (!found && computed !== row.hash) {
          report({ ...base, kind: 'changed', detail: `stored bytes do not match the event's hash (data, metadata, type, revision, time or id edited — or copied from another row)` });
        }
      }
      streams.set(row.stream_id, { revision: Math.max(event.revision, state?.revision ?? -1), link: row.hash, head, gp: `${row.tx}:${row.gp}` });
      running = allStreamStep(running, position, head);
      events++;
      moved.set(row.stream_id, [event.revision, head, `${row.tx}:${row.gp}`]);
      checkedEvents++;
      last = position;
      if (next >= checkpoints.length && ++sinceCheckpoint >= every) {
        planned.push({ position, events, hash: running, heads: Object.fromEntries(moved) });
        moved = new Map();
        sinceCheckpoint = 0;
      }
    }
    options.onProgress?.(checkedEvents, total);
    if (rows.length < pageSize) break;
    const end = rows[rows.length - 1];
    after = { transactionId: end.tx, globalPosition: end.gp };
  }
  // Checkpoints past the last event: everything after the last surviving event was deleted.
  while (next < checkpoints.length) compareCheckpoint(checkpoints[next++]);
  if (sinceCheckpoint > 0 && last) planned.push({ position: last, events, hash: running, heads: Object.fromEntries(moved) });

  let written = 0;
  if (problemCount === 0 && options.writeCheckpoints !== false && planned.length) {
    const { rowCount } = await pool.query(
      `INSERT INTO es_chain_checkpoints (kind, transaction_id, global_position, events, hash, heads)
       SELECT 'checkpoint', t::xid8, g, e, decode(h, 'hex'), hd FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::jsonb[]) AS x(t, g, e, h, hd)
       ON CONFLICT DO NOTHING`,
      [planned.map((p) => p.position.transactionId), planned.map((p) => p.position.globalPosition), planned.map((p) => p.events), planned.map((p) => p.hash), planned.map((p) => JSON.stringify(p.heads))],
    );
    written = rowCount ?? 0;
  }
  const newest = planned.length && written ? planned[planned.length - 1] : checkpoints.length ? checkpoints[checkpoints.length - 1] : undefined;
  const latest = !newest
    ? undefined
    : 'position' in newest
      ? { position: newest.position, events: newest.events, hash: newest.hash }
      : { position: { transactionId: newest.tx, globalPosition: newest.gp }, events: Number(newest.events), hash: newest.hash };
  problems.sort((a, b) => compare(a.position, b.position));
  return {
    streams: streams.size,
    events: checkedEvents,
    chained,
    unchained,
    problems: problems.slice(0, maxProblems),
    problemCount,
    checkpoints: { checked, written, latest },
    chainStart: chainStart?.toString(),
  };
}

/** The newest checkpoint at or before a position (an export's manifest names it). */
export async function checkpointAtOrBefore(pool: Pool, position: ChainPosition): Promise<{ position: ChainPosition; events: number; hash: string; createdAt: string } | null> {
  const { rows } = await pool.query<{ tx: string; gp: string; events: string; hash: string; created_at: Date }>(
    `SELECT transaction_id::text AS tx, global_position::text AS gp, events::text AS events, encode(hash, 'hex') AS hash, created_at
       FROM es_chain_checkpoints WHERE kind = 'checkpoint' AND (transaction_id, global_position) <= ($1::xid8, $2::bigint)
      ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
    [position.transactionId, position.globalPosition],
  );
  const row = rows[0];
  return row ? { position: { transactionId: row.tx, globalPosition: row.gp }, events: Number(row.events), hash: row.hash, createdAt: row.created_at.toISOString() } : null;
}
