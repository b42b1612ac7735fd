/**
 * Writes an audit export of a PostgreSQL event store (issue 14.4; the format: audit/audit-export-file.ts).
 *
 * The window is contiguous in the all-stream: from the first event recorded at or after `from` to the last one
 * recorded before `to`, below the visibility horizon — so every stream's part of it is a run of consecutive
 * revisions, and `prev` (the hash before the run) is all an offline verifier needs. Events are exported as
 * stored: they hold fingerprints and sealed secrets only, never a leaked secret in plaintext.
 */
import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { AUDIT_EXPORT_FORMAT, exportEventLine, ExportEventRow, ExportManifest, exportManifestLine, ExportSigner } from '../audit/audit-export-file';
import { CHAIN_COLUMNS, checkpointAtOrBefore } from './chain-verifier';

export interface AuditExportOptions {
  from?: Date;
  to?: Date;
  signer: ExportSigner;
  pageSize?: number;
  onProgress?: (done: number, total: number) => void;
}

/** Writes every line (each ending in a newline) through `write`, which may return a promise (back-pressure). */
export async function writeAuditExport(pool: Pool, write: (chunk: string) => unknown, options: AuditExportOptions): Promise<ExportManifest> {
  const pageSize = options.pageSize ?? 2000;
  const { rows: bounds } = await pool.query<{ horizon: string; first: string[] | null; last: string[] | null }>(
    `WITH h AS MATERIALIZED (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin)
     SELECT h.xmin::text AS horizon,
            (SELECT ARRAY[transaction_id::text, global_position::text] FROM es_events WHERE transaction_id < h.xmin AND ($1::timestamptz IS NULL OR recorded_at >= $1)
              ORDER BY transaction_id, global_position LIMIT 1) AS first,
            (SELECT ARRAY[transaction_id::text, global_position::text] FROM es_events WHERE transaction_id < h.xmin AND ($2::timestamptz IS NULL OR recorded_at < $2)
              ORDER BY transaction_id DESC, global_position DESC LIMIT 1) AS last
       FROM h`,
    [options.from ?? null, options.to ?? null],
  );
  const { first, last } = bounds[0];
  const empty = !first || !last || BigInt(first[0]) > BigInt(last[0]) || (first[0] === last[0] && BigInt(first[1]) > BigInt(last[1]));
  const total = empty
    ? 0
    : Number(
        (await pool.query<{ n: string }>(
          `SELECT count(*) AS n FROM es_events WHERE (transaction_id, global_position) BETWEEN ($1::xid8, $2::bigint) AND ($3::xid8, $4::bigint)`,
          [first[0], first[1], last[0], last[1]],
        )).rows[0].n,
      );

  const digest = createHash('sha256');
  const streams: ExportManifest['streams'] = {};
  let events = 0;
  let chained = 0;
  let lastPosition: string | null = null;
  if (!empty) {
    let after: [string, string] | undefined;
    for (;;) {
      const { rows } = await pool.query<ExportEventRow>({
        name: 'es_audit_export_page',
        text: `SELECT ${CHAIN_COLUMNS} FROM es_events
                WHERE (transaction_id, global_position) ${after ? '>' : '>='} ($1::xid8, $2::bigint) AND (transaction_id, global_position) <= ($3::xid8, $4::bigint)
                ORDER BY transaction_id, global_position LIMIT $5`,
        values: [...(after ?? first), last[0], last[1], pageSize],
      });
      // The hash before the window of each stream first met here (an export may start mid-stream).
      const met = new Set<string>();
      const opening = rows.filter((r) => !streams[r.stream_id] && !met.has(r.stream_id) && met.add(r.stream_id) && Number(r.stream_revision) > 0);
      const prevs = new Map<string, string | null>();
      if (opening.length) {
        const { rows: found } = await pool.query<{ stream_id: string; hash: string | null }>(
          `SELECT e.stream_id, encode(e.event_hash, 'hex') AS hash FROM es_events e
             JOIN unnest($1::text[], $2::bigint[]) AS w(s, r) ON e.stream_id = w.s AND e.stream_revision = w.r - 1`,
          [opening.map((r) => r.stream_id), opening.map((r) => r.stream_revision)],
        );
        for (const row of found) prevs.set(row.stream_id, row.hash);
      }
      let chunk = '';
      for (const row of rows) {
        const line = `${exportEventLine(row)}\n`;
        digest.update(line, 'utf8');
        chunk += line;
        const revision = Number(row.stream_revision);
        const stream = streams[row.stream_id];
        if (stream) Object.assign(stream, { last_revision: revision, events: stream.events + 1, head: row.hash });
        else streams[row.stream_id] = { first_revision: revision, last_revision: revision, events: 1, prev: prevs.get(row.stream_id) ?? null, head: row.hash };
        events++;
        if (row.hash !== null) chained++;
        lastPosition = `${row.tx}:${row.gp}`;
      }
      if (chunk) await write(chunk);
      options.onProgress?.(events, total);
      if (rows.length < pageSize) break;
      after = [rows[rows.length - 1].tx, rows[rows.length - 1].gp];
    }
  }
  const checkpoint = lastPosition ? await checkpointAtOrBefore(pool, { transactionId: lastPosition.split(':')[0], globalPosition: lastPosition.split(':')[1] }) : null;
  const manifest: ExportManifest = {
    format: AUDIT_EXPORT_FORMAT,
    exported_at: new Date().toISOString(),
    window: { from: options.from?.toISOString() ?? null, to: options.to?.toISOString() ?? null },
    first_position: empty ? null : `${(first as string[])[0]}:${(first as string[])[1]}`,
    last_position: lastPosition,
    events,
    chained,
    unchained: events - chained,
    streams,
    checkpoint: checkpoint && { position: `${checkpoint.position.transactionId}:${checkpoint.position.globalPosition}`, events: checkpoint.events, hash: checkpoint.hash, created_at: checkpoint.createdAt },
    hash_encoding: 'lw-event-v1',
    digest: `sha256:${digest.digest('hex')}`,
  };
  await write(`${exportManifestLine(manifest, options.signer)}\n`);
  return manifest;
}
