/**
 * The stats context's own leak read model, fed by `leakwatch.leaks.v1`:
 * - `st_leaks`: one row per leak with what the charts group by (status, risk, sources, virtual patch) and the
 *   access facts visibility needs (ingesting org, identity email/domain, site domain).
 * - `st_leak_activity`: one row per counted event (opened, reopened, fixed, false_positive, attempt) with its
 *   time — the per-day series — and, for a fix, how long the leak had been open.
 * Idempotent by stream revision: a leak's events arrive in order (message key = leak id), each applies only
 * if newer than the row's revision, and activity rows are keyed by (leakid, revision).
 */
import type { Pool, PoolClient } from 'pg';
import { withTransaction } from '@leakwatch/pg';
import type { LeakFactAt } from './leak-events.reader';

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
CREATE INDEX IF NOT EXISTS st_leak_activity_at ON st_leak_activity (at);`;

export class LeakStatsReadModel {
  constructor(private readonly pool: Pool) {}

  apply(event: LeakFactAt): Promise<void> {
    return withTransaction(this.pool, (client) => applyLeakFact(client, event));
  }
}

export async function applyLeakFact(client: PoolClient, { fact, revision, at }: LeakFactAt): Promise<void> {
  const activity = (kind: string, when: string, secondsOpen: number | null = null) =>
    client.query(`INSERT INTO st_leak_activity (leakid, revision, kind, at, seconds_open) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, [
      fact.leakid, revision, kind, when, secondsOpen,
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
      await activity('attempt', fact.attemptedAt);
      return;
  }
}
