/**
 * The stats context's own leak read model, fed by `leakwatch.leaks.v1`:
 * - `st_leaks`: one row per leak with what the charts group by (status, risk, sources, virtual patch) and the
 *   access facts visibility needs (ingesting org, identity email/domain, site domain).
 * - `st_leak_activity`: one row per counted event (opened, reopened, fixed, false_positive, attempt) with its
 *   time — the per-day series — and, for a fix, how long the leak had been open; an attempt row's `attempts` is
 *   how many attempts its event stands for (a gateway folds repeats), 1 for every other row.
 * Idempotent by stream revision: a leak's events arrive in order (message key = leak id), each applies only
 * if newer than the row's revision, and activity rows are keyed by (leakid, revision).
 */
import type { Pool, PoolClient } from 'pg';
import { withTransaction } from '@leakwatch/pg';
import type { LeakFactAt } from './leak-events.reader';
// Decision rows go with their status change's counts (a function-level cycle: each module uses the other's at call time).
import { LeakDecision, insertDecisions } from '../reports/leak-decisions.read-model';

export const LEAK_STATS_TABLES = ['st_leaks', 'st_leak_activity'];

export const LEAK_STATS_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS st_leaks (
  leakid text PRIMARY KEY, kind text NOT NULL, secret_type text NOT NULL, org_id text, identity_email text,
  identity_domain text, site_domain text, sources jsonb NOT NULL, risk text NOT NULL, status text NOT NULL,
  virtual_patch boolean NOT NULL DEFAULT false, detected_at timestamptz NOT NULL, open_since timestamptz,
  fixed_at timestamptz, revision integer NOT NULL);
CREATE INDEX IF NOT EXISTS st_leaks_org ON st_leaks (org_id);
CREATE TABLE IF NOT EXISTS st_leak_activity (
  leakid text NOT NULL, revision integer NOT NULL, kind text NOT NULL, at timestamptz NOT NULL, seconds_open double precision,
  PRIMARY KEY (leakid, revision));
ALTER TABLE st_leak_activity ADD COLUMN IF NOT EXISTS attempts integer NOT NULL DEFAULT 1;
CREATE INDEX IF NOT EXISTS st_leak_activity_at ON st_leak_activity (at);`;

export class LeakStatsReadModel {
  constructor(private readonly pool: Pool) {}

  apply(event: LeakFactAt): Promise<void> {
    return withTransaction(this.pool, (client) => applyLeakFact(client, event));
  }

  /** A page of facts (with the decision rows of its status changes) in one transaction. */
  applyPage(items: LeakStatsItem[]): Promise<void> {
    return withTransaction(this.pool, (client) => applyLeakFactsPage(client, items));
  }
}

/** A fact of a page, with its decision row when it is a status change (`st_leak_decisions`, same transaction). */
export interface LeakStatsItem {
  fact: LeakFactAt;
  decision?: LeakDecision;
}

type Detected = LeakFactAt & { fact: Extract<LeakFactAt['fact'], { type: 'LeakDetected' }> };

/**
 * A page of facts in order, set-based: each run of `LeakDetected` (an ingest's bulk) is one multi-row insert
 * into `st_leaks` and one into `st_leak_activity` (for the leaks that were new); each run of the other facts
 * (status changes, sightings, patches, attempts) is folded onto the rows it touches — read once under row
 * locks, changed in memory as \`applyLeakFact\` would, written back in one multi-row UPDATE, its activity and
 * decision rows in one insert each. Gives the same rows as applying the facts one by one (tested), and a
 * replayed page changes nothing.
 */
export async function applyLeakFactsPage(client: PoolClient, items: LeakStatsItem[]): Promise<void> {
  for (let i = 0; i < items.length; ) {
    const detected = items[i].fact.fact.type === 'LeakDetected';
    let end = i;
    while (end < items.length && (items[end].fact.fact.type === 'LeakDetected') === detected) end++;
    const run = items.slice(i, end);
    if (detected) await insertDetected(client, run.map((item) => item.fact as Detected));
    else await foldFacts(client, run);
    i = end;
  }
}

interface StatsRow {
  leakid: string;
  revision: number;
  status: string;
  sources: string[];
  virtual_patch: boolean;
  open_since: Date | null;
  fixed_at: Date | null;
  changed?: boolean;
}

/** The UPDATEs of `applyLeakFact` for every fact but LeakDetected, as a fold over the rows (same guards, same results). */
async function foldFacts(client: PoolClient, run: LeakStatsItem[]): Promise<void> {
  await insertDecisions(client, run.flatMap((item) => item.decision ?? []));
  const ids = [...new Set(run.map((item) => item.fact.fact.leakid))];
  const { rows } = await client.query<StatsRow>(
    `SELECT leakid, revision, status, sources, virtual_patch, open_since, fixed_at FROM st_leaks WHERE leakid = ANY($1::text[]) ORDER BY leakid FOR UPDATE`,
    [ids],
  );
  const byId = new Map(rows.map((r) => [r.leakid, r]));
  const activity: Array<{ leakid: string; revision: number; kind: string; at: string; seconds: number | null; attempts?: number }> = [];
  for (const { fact: { fact, revision, at } } of run) {
    const row = byId.get(fact.leakid);
    if (!row || row.revision >= revision) continue; // no such leak yet, or already applied
    row.revision = revision;
    row.changed = true;
    switch (fact.type) {
      case 'LeakSighted':
        if (!row.sources.includes(fact.source)) row.sources = [...row.sources, fact.source];
        break;
      case 'LeakStatusChanged':
        if (fact.to === 'fixed') {
          const seconds = row.open_since ? Math.max(0, (Date.parse(at) - row.open_since.getTime()) / 1000) : null;
          Object.assign(row, { status: 'fixed', fixed_at: new Date(at), open_since: null });
          activity.push({ leakid: fact.leakid, revision, kind: 'fixed', at, seconds });
        } else if (fact.to === 'open') {
          Object.assign(row, { status: 'open', fixed_at: null, open_since: new Date(at) });
          activity.push({ leakid: fact.leakid, revision, kind: 'reopened', at, seconds: null });
        } else {
          Object.assign(row, { status: 'false_positive', fixed_at: null, open_since: null });
          activity.push({ leakid: fact.leakid, revision, kind: 'false_positive', at, seconds: null });
        }
        break;
      case 'VirtualPatchApplied':
      case 'VirtualPatchRemoved':
        row.virtual_patch = fact.type === 'VirtualPatchApplied';
        break;
      case 'LeakedTokenUseAttempted':
        activity.push({ leakid: fact.leakid, revision, kind: 'attempt', at: fact.attemptedAt, seconds: null, attempts: fact.count });
        break;
    }
  }
  const changed = rows.filter((r) => r.changed);
  if (changed.length) {
    const col = <T>(pick: (r: StatsRow) => T) => changed.map(pick);
    await client.query(
      `UPDATE st_leaks s SET revision = u.revision, status = u.status, sources = u.sources, virtual_patch = u.virtual_patch,
         open_since = u.open_since, fixed_at = u.fixed_at
       FROM unnest($1::text[], $2::int[], $3::text[], $4::jsonb[], $5::boolean[], $6::timestamptz[], $7::timestamptz[])
            AS u(leakid, revision, status, sources, virtual_patch, open_since, fixed_at)
       WHERE s.leakid = u.leakid`,
      [col((r) => r.leakid), col((r) => r.revision), col((r) => r.status), col((r) => JSON.stringify(r.sources)), col((r) => r.virtual_patch),
        col((r) => r.open_since), col((r) => r.fixed_at)],
    );
  }
  if (activity.length) {
    const col = <T>(pick: (a: (typeof activity)[number]) => T) => activity.map(pick);
    await client.query(
      `INSERT INTO st_leak_activity (leakid, revision, kind, at, seconds_open, attempts)
       SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::timestamptz[], $5::float8[], $6::int[]) ON CONFLICT DO NOTHING`,
      [col((a) => a.leakid), col((a) => a.revision), col((a) => a.kind), col((a) => a.at), col((a) => a.seconds), col((a) => a.attempts ?? 1)],
    );
  }
}

async function insertDetected(client: PoolClient, run: Detected[]): Promise<void> {
  // One JSON document rather than eleven array parameters, whose literals pg escapes element by element in JavaScript.
  const page = run.map(({ fact: f, revision }) => ({
    leakid: f.leakid, kind: f.kind, secret_type: f.secretType, org_id: f.orgId, identity_email: f.identityEmail,
    identity_domain: f.identityEmail?.split('@')[1] ?? null, site_domain: f.siteDomain, source: f.source, risk: f.risk, detected_at: f.detectedAt, revision,
  }));
  const { rows } = await client.query<{ leakid: string; detected_at: Date }>(
    `INSERT INTO st_leaks (leakid, kind, secret_type, org_id, identity_email, identity_domain, site_domain, sources, risk, status,
       detected_at, open_since, revision)
     SELECT t.leakid, t.kind, t.secret_type, t.org_id, t.identity_email, t.identity_domain, t.site_domain,
            jsonb_build_array(t.source), t.risk, 'open', t.detected_at, t.detected_at, t.revision
       FROM jsonb_to_recordset($1::jsonb)
            AS t(leakid text, kind text, secret_type text, org_id text, identity_email text, identity_domain text, site_domain text, source text, risk text,
                 detected_at timestamptz, revision int)
     ON CONFLICT (leakid) DO NOTHING
     RETURNING leakid, detected_at`,
    [JSON.stringify(page)],
  );
  if (!rows.length) return;
  const inserted = new Set(rows.map((r) => r.leakid));
  const opened = run.filter((d) => inserted.delete(d.fact.leakid));
  await client.query(
    `INSERT INTO st_leak_activity (leakid, revision, kind, at, seconds_open)
     SELECT leakid, revision, 'opened', at, NULL FROM jsonb_to_recordset($1::jsonb) AS t(leakid text, revision int, at timestamptz)
     ON CONFLICT DO NOTHING`,
    [JSON.stringify(opened.map((d) => ({ leakid: d.fact.leakid, revision: d.revision, at: d.fact.detectedAt })))],
  );
}

export async function applyLeakFact(client: PoolClient, { fact, revision, at }: LeakFactAt): Promise<void> {
  const activity = (kind: string, when: string, secondsOpen: number | null = null, attempts = 1) =>
    client.query(`INSERT INTO st_leak_activity (leakid, revision, kind, at, seconds_open, attempts) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`, [
      fact.leakid, revision, kind, when, secondsOpen, attempts,
    ]);

  if (fact.type === 'LeakDetected') {
    const { rowCount } = await client.query(
      `INSERT INTO st_leaks (leakid, kind, secret_type, org_id, identity_email, identity_domain, site_domain, sources, risk, status,
         detected_at, open_since, revision)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open', $10, $10, $11) ON CONFLICT (leakid) DO NOTHING`,
      [fact.leakid, fact.kind, fact.secretType, fact.orgId, fact.identityEmail, fact.identityEmail?.split('@')[1] ?? null, fact.siteDomain,
        JSON.stringify([fact.source]), fact.risk, fact.detectedAt, revision],
    );
    if (rowCount) await activity('opened', fact.detectedAt);
    return;
  }

  // Claim the revision first: a duplicate or an older redelivery changes nothing.
  const { rows } = await client.query<{ open_since: Date | null }>(
    `UPDATE st_leaks SET revision = $2 WHERE leakid = $1 AND revision < $2 RETURNING open_since`,
    [fact.leakid, revision],
  );
  if (!rows.length) return;
  switch (fact.type) {
    case 'LeakSighted':
      await client.query(`UPDATE st_leaks SET sources = CASE WHEN sources ? $2 THEN sources ELSE sources || to_jsonb($2::text) END WHERE leakid = $1`, [
        fact.leakid, fact.source,
      ]);
      return;
    case 'LeakStatusChanged': {
      if (fact.to === 'fixed') {
        const openSince = rows[0].open_since;
        const seconds = openSince ? Math.max(0, (Date.parse(at) - openSince.getTime()) / 1000) : null;
        await client.query(`UPDATE st_leaks SET status = 'fixed', fixed_at = $2, open_since = NULL WHERE leakid = $1`, [fact.leakid, at]);
        await activity('fixed', at, seconds);
      } else if (fact.to === 'open') {
        await client.query(`UPDATE st_leaks SET status = 'open', fixed_at = NULL, open_since = $2 WHERE leakid = $1`, [fact.leakid, at]);
        await activity('reopened', at);
      } else {
        await client.query(`UPDATE st_leaks SET status = 'false_positive', fixed_at = NULL, open_since = NULL WHERE leakid = $1`, [fact.leakid]);
        await activity('false_positive', at);
      }
      return;
    }
    case 'VirtualPatchApplied':
    case 'VirtualPatchRemoved':
      await client.query(`UPDATE st_leaks SET virtual_patch = $2 WHERE leakid = $1`, [fact.leakid, fact.type === 'VirtualPatchApplied']);
      return;
    case 'LeakedTokenUseAttempted':
      await activity('attempt', fact.attemptedAt, null, fact.count);
      return;
  }
}
