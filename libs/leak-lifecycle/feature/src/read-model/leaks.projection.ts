/**
 * `ll_leaks`: one row per leak for lists, filters and access checks. Guarded by stream revision, so
 * duplicates and rebuilds give the same rows. Access facts (identity email/domain, site domain, ingesting
 * org) are columns, so visibility is a WHERE clause.
 */
import { attemptCount, withoutPasswordHash } from '@leakwatch/contracts';
import type { RecordedEvent, StatementInAppend } from '@leakwatch/event-store';
import { leakEventCodec } from '@leakwatch/leak-lifecycle/domain';
import type { Projection } from '@leakwatch/projections';
import type { PoolClient } from 'pg';

export const leaksProjection: Projection = {
  name: 'leaks',
  tables: ['ll_leaks'],
  async setup(client) {
    await client.query(`
      CREATE TABLE IF NOT EXISTS ll_leaks (
        leakid text PRIMARY KEY, kind text NOT NULL, secret_type text NOT NULL, fingerprint text, preview text NOT NULL,
        identity_email text, identity_username text, identity_domain text, site_url text, site_domain text, org_id text,
        source text NOT NULL, sources jsonb NOT NULL, risk text NOT NULL, blockable boolean NOT NULL,
        status text NOT NULL, virtual_patch boolean NOT NULL DEFAULT false, sightings integer NOT NULL DEFAULT 1,
        attempts integer NOT NULL DEFAULT 0, first_seen timestamptz NOT NULL, last_seen timestamptz NOT NULL,
        fixed_at timestamptz, updated_at timestamptz NOT NULL, revision integer NOT NULL);
      CREATE INDEX IF NOT EXISTS ll_leaks_order ON ll_leaks (first_seen DESC, leakid DESC);
      CREATE INDEX IF NOT EXISTS ll_leaks_org ON ll_leaks (org_id);
      CREATE INDEX IF NOT EXISTS ll_leaks_identity ON ll_leaks (identity_email);
      CREATE INDEX IF NOT EXISTS ll_leaks_fingerprint ON ll_leaks (fingerprint);`);
    // Issue 15.4: rows projected before passwords lost their hash drop the plain SHA-256 of the password.
    await client.query(`UPDATE ll_leaks SET fingerprint = NULL WHERE kind = 'credential' AND fingerprint IS NOT NULL`);
  },
  filter: { streamCategories: ['leak'] },
  canHandle: (event) => event.streamId.startsWith('leak-'),
  /**
   * Set-based, in page order: a run of LeakDetected (an ingest: most pages) is one multi-row insert; a run of
   * the other events is folded onto the rows it touches (read under row locks, one multi-row UPDATE). The
   * same rows as `apply` event by event (tested), in two statements per run instead of one per event.
   */
  async applyPage(events, client) {
    for (let i = 0; i < events.length; ) {
      const detected = events[i].type === 'LeakDetected';
      let end = i;
      while (end < events.length && (events[end].type === 'LeakDetected') === detected) end++;
      if (detected) await insertDetected(events.slice(i, end), client);
      else await foldUpdates(events.slice(i, end), client);
      i = end;
    }
  },
  async apply(recorded: RecordedEvent, client) {
    const event = leakEventCodec.decode(recorded);
    if (!event) return;
    const rev = recorded.revision;
    const at = (recorded.metadata.occurred_at as string | undefined) ?? recorded.recordedAt.toISOString();
    switch (event.type) {
      case 'LeakDetected':
        return insertDetected([recorded], client);
      case 'LeakSighted':
        await client.query(
          `UPDATE ll_leaks SET sightings = sightings + 1, last_seen = GREATEST(last_seen, $2::timestamptz),
             sources = CASE WHEN sources ? $3 THEN sources ELSE sources || to_jsonb($3::text) END, updated_at = $4, revision = $5
           WHERE leakid = $1 AND revision < $5`,
          [event.data.leakid, event.data.seen_at, event.data.source.name, at, rev],
        );
        return;
      case 'LeakStatusChanged':
        await client.query(
          `UPDATE ll_leaks SET status = $2, fixed_at = CASE WHEN $2 = 'fixed' THEN $3::timestamptz ELSE NULL END, updated_at = $3, revision = $4
           WHERE leakid = $1 AND revision < $4`,
          [event.data.leakid, event.data.to, at, rev],
        );
        return;
      case 'VirtualPatchApplied':
      case 'VirtualPatchRemoved':
        await client.query(`UPDATE ll_leaks SET virtual_patch = $2, updated_at = $3, revision = $4 WHERE leakid = $1 AND revision < $4`, [
          event.data.leakid, event.type === 'VirtualPatchApplied', at, rev,
        ]);
        return;
      case 'LeakedTokenUseAttempted':
        await client.query(`UPDATE ll_leaks SET attempts = attempts + $3, revision = $2 WHERE leakid = $1 AND revision < $2`, [event.data.leakid, rev, attemptCount(event.data)]);
        return;
    }
  },
};

/**
 * Multi-row insert of new leaks (ON CONFLICT DO NOTHING: a replayed LeakDetected changes nothing). The rows go as
 * one JSON document (`jsonb_to_recordset`): `JSON.stringify` is native, where `pg` builds each array parameter's
 * literal by escaping element after element in JavaScript (the largest single cost of this runner during a big
 * ingest: ~10% of the process).
 */
async function insertDetected(events: RecordedEvent[], client: PoolClient): Promise<void> {
  const rows = events.map((recorded) => {
    const event = leakEventCodec.decodeKnown(recorded);
    if (event.type !== 'LeakDetected') throw new Error(`insertDetected got ${event.type}`);
    const d = withoutPasswordHash(event.data);
    const email = d.identity?.email?.toLowerCase() ?? null;
    return {
      l: d.leakid, k: d.kind, st: d.secret_type, fp: d.fingerprint, pv: d.preview, ie: email, iu: d.identity?.username ?? null, idm: email?.split('@')[1] ?? null,
      su: d.site?.url ?? null, sd: d.site?.domain?.toLowerCase() ?? null, o: d.org_id, src: d.source?.name, srcs: [d.source?.name ?? null], r: d.risk, b: d.blockable,
      at: d.detected_at, rev: recorded.revision,
    };
  });
  await client.query(
    `INSERT INTO ll_leaks (leakid, kind, secret_type, fingerprint, preview, identity_email, identity_username, identity_domain,
       site_url, site_domain, org_id, source, sources, risk, blockable, status, first_seen, last_seen, updated_at, revision)
     SELECT l, k, st, fp, pv, ie, iu, idm, su, sd, o, src, srcs, r, b, 'open', at, at, at, rev
       FROM jsonb_to_recordset($1::jsonb)
            AS x(l text, k text, st text, fp text, pv text, ie text, iu text, idm text, su text, sd text, o text, src text, srcs jsonb, r text, b boolean, at timestamptz, rev int)
     ON CONFLICT (leakid) DO NOTHING`,
    [JSON.stringify(rows)],
  );
}

/** A decision's effect on one leak's row: what its events set, from the revision it was decided against. */
export interface DecidedRow {
  leakid: string;
  /** The stream revision the decision was taken against; the row must be exactly there. */
  base: number;
  /** The revision of the decision's last event. */
  revision: number;
  at: string;
  status?: string;
  virtualPatch?: boolean;
}

/**
 * Read-your-writes without waiting behind a backlog (e.g. a big ingest the runner is still applying): a
 * command that just appended applies its own rows in one statement — only where the row is exactly at the
 * revision the decision was taken against, so nothing the runner has not applied yet is skipped. The runner
 * later passes over these events (its revision guard). Returns the leak ids it could not apply (then wait).
 *
 * Its commit does not wait for the WAL flush (`synchronous_commit` off for this statement's own transaction
 * only): the row is derived — the decision's events were appended, durably, before — and a crash that lost it
 * also loses every later commit (WAL is written in order), so the runner, whose checkpoint cannot be past
 * these events then, applies them again on restart. Visibility, which read-your-writes needs, is immediate.
 */
export async function applyDecisionsInline(db: Pick<PoolClient, 'query'>, rows: DecidedRow[]): Promise<string[]> {
  if (!rows.length) return [];
  const { rows: applied } = await db.query<{ leakid: string }>(
    `WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true))
     UPDATE ll_leaks l SET
       status = COALESCE(u.status, l.status),
       fixed_at = CASE WHEN u.status IS NULL THEN l.fixed_at WHEN u.status = 'fixed' THEN u.at ELSE NULL END,
       virtual_patch = COALESCE(u.patch, l.virtual_patch),
       updated_at = u.at, revision = u.rev
     FROM unnest($1::text[], $2::int[], $3::int[], $4::timestamptz[], $5::text[], $6::boolean[]) AS u(leakid, base, rev, at, status, patch), relaxed
     WHERE l.leakid = u.leakid AND l.revision = u.base
     RETURNING l.leakid`,
    [rows.map((r) => r.leakid), rows.map((r) => r.base), rows.map((r) => r.revision), rows.map((r) => r.at), rows.map((r) => r.status ?? null), rows.map((r) => r.virtualPatch ?? null)],
  );
  const done = new Set(applied.map((r) => r.leakid));
  return rows.filter((r) => !done.has(r.leakid)).map((r) => r.leakid);
}

/**
 * applyDecisionsInline's UPDATE as a statement for the append's own transaction (EventStore.appendToStreamsWith):
 * the same rows, the same revision guard, no round trip of its own, and no commit of its own (the append's is
 * durable). Its value is the ids of the rows it updated (a jsonb array); see decisionsPending.
 */
export function decisionsInAppend(rows: DecidedRow[]): StatementInAppend {
  return {
    sql: `WITH done AS (
            UPDATE ll_leaks l SET
              status = COALESCE(u.status, l.status),
              fixed_at = CASE WHEN u.status IS NULL THEN l.fixed_at WHEN u.status = 'fixed' THEN u.at ELSE NULL END,
              virtual_patch = COALESCE(u.patch, l.virtual_patch),
              updated_at = u.at, revision = u.rev
            FROM jsonb_to_recordset($1) AS u(leakid text, base int, rev int, at timestamptz, status text, patch boolean)
            -- The ids as an index condition too: jsonb_to_recordset is estimated at 100 rows, which would make the
            -- join a scan of the whole table (one primary key probe per leak instead, as applyDecisionsInline).
            WHERE l.leakid = ANY (ARRAY(SELECT x->>'leakid' FROM jsonb_array_elements($1) x)) AND l.leakid = u.leakid AND l.revision = u.base
            RETURNING l.leakid)
          SELECT COALESCE(jsonb_agg(done.leakid), '[]'::jsonb) FROM done`,
    param: rows.map((r) => ({ leakid: r.leakid, base: r.base, rev: r.revision, at: r.at, status: r.status ?? null, patch: r.virtualPatch ?? null })),
  };
}

/** The leak ids of `rows` that decisionsInAppend's value does not name (the runner applies those: wait for it). */
export function decisionsPending(rows: DecidedRow[], value: unknown): string[] {
  const done = new Set(Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
  return rows.filter((r) => !done.has(r.leakid)).map((r) => r.leakid);
}

interface FoldedRow {
  leakid: string;
  revision: number;
  status: string;
  fixed_at: Date | null;
  virtual_patch: boolean;
  sightings: number;
  attempts: number;
  last_seen: Date;
  sources: string[];
  updated_at: Date;
  changed?: boolean;
}

/** The UPDATEs of `apply` for every event but LeakDetected, as a fold over the rows (same guards, same results). */
async function foldUpdates(events: RecordedEvent[], client: PoolClient): Promise<void> {
  const leakids = events.map((e) => leakEventCodec.decodeKnown(e).data.leakid);
  const ids = [...new Set(leakids)];
  // Lock only the rows this page moves: a row already at or past the page's last revision of its leak (a decision
  // applied it inline, for read-your-writes) is neither read nor locked, so the next decision on that leak does not
  // queue behind this transaction. FOR UPDATE re-checks the condition on a row changed meanwhile (READ COMMITTED).
  const lastRevision = new Map<string, number>();
  events.forEach((e, i) => lastRevision.set(leakids[i], Math.max(lastRevision.get(leakids[i]) ?? -1, e.revision)));
  const { rows } = await client.query<FoldedRow>(
    `SELECT l.leakid, l.revision, l.status, l.fixed_at, l.virtual_patch, l.sightings, l.attempts, l.last_seen, l.sources, l.updated_at
       FROM ll_leaks l JOIN unnest($1::text[], $2::int[]) AS u(leakid, last) ON l.leakid = u.leakid
      WHERE l.revision < u.last FOR UPDATE OF l`,
    [ids, ids.map((id) => lastRevision.get(id) ?? -1)],
  );
  const byId = new Map(rows.map((r) => [r.leakid, r]));
  for (const recorded of events) {
    const event = leakEventCodec.decode(recorded);
    if (!event) continue;
    const row = byId.get(event.data.leakid);
    if (!row || row.revision >= recorded.revision) continue; // no such leak yet, or already applied
    const at = new Date((recorded.metadata.occurred_at as string | undefined) ?? recorded.recordedAt.toISOString());
    switch (event.type) {
      case 'LeakSighted': {
        const seen = new Date(event.data.seen_at);
        row.sightings += 1;
        if (seen > row.last_seen) row.last_seen = seen;
        if (!row.sources.includes(event.data.source.name)) row.sources = [...row.sources, event.data.source.name];
        row.updated_at = at;
        break;
      }
      case 'LeakStatusChanged':
        row.status = event.data.to;
        row.fixed_at = event.data.to === 'fixed' ? at : null;
        row.updated_at = at;
        break;
      case 'VirtualPatchApplied':
      case 'VirtualPatchRemoved':
        row.virtual_patch = event.type === 'VirtualPatchApplied';
        row.updated_at = at;
        break;
      case 'LeakedTokenUseAttempted':
        row.attempts += attemptCount(event.data);
        break;
      default:
        continue; // not a read-model change
    }
    row.revision = recorded.revision;
    row.changed = true;
  }
  const changed = [...byId.values()].filter((r) => r.changed);
  if (!changed.length) return;
  await client.query(
    `UPDATE ll_leaks l SET revision = u.rev, status = u.status, fixed_at = u.fixed_at, virtual_patch = u.vp, sightings = u.sightings,
       attempts = u.attempts, last_seen = u.last_seen, sources = u.sources, updated_at = u.updated_at
     FROM unnest($1::text[], $2::int[], $3::text[], $4::timestamptz[], $5::boolean[], $6::int[], $7::int[], $8::timestamptz[], $9::jsonb[], $10::timestamptz[])
          AS u(leakid, rev, status, fixed_at, vp, sightings, attempts, last_seen, sources, updated_at)
     WHERE l.leakid = u.leakid`,
    [
      changed.map((r) => r.leakid), changed.map((r) => r.revision), changed.map((r) => r.status), changed.map((r) => r.fixed_at),
      changed.map((r) => r.virtual_patch), changed.map((r) => r.sightings), changed.map((r) => r.attempts), changed.map((r) => r.last_seen),
      changed.map((r) => JSON.stringify(r.sources)), changed.map((r) => r.updated_at),
    ],
  );
}
