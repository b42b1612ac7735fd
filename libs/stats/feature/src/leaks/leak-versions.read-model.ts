/**
 * `st_leak_versions`: the stats context's temporal read model, behind `GET /api/v1/stats/leaks?as_of=`. One row
 * per version of a leak — what it was after one of its events — valid over [valid_from, valid_to), with the
 * columns `st_leaks` gives the statistics (status, risk, virtual patch, sources) and visibility (ingesting org,
 * identity email/domain, site domain), so the statistics query runs unchanged over "the versions valid at t".
 * valid_from is the event's time (CloudEvent `time` = the event's `occurred_at`); the current version has
 * valid_to = infinity. Token-use attempts change nothing here (the per-day series reads `st_leak_activity`),
 * nor does a sighting from a source the leak already had.
 *
 * Fed by its own consumer group, which starts at the beginning of the topic: an installation upgraded from a
 * version without the table gets every past version. Keyed by (leakid, revision), guarded by the latest
 * version's revision: a redelivered event changes nothing.
 */
import type { PoolClient } from 'pg';
import type { LeakFactAt } from './leak-events.reader';

export const LEAK_VERSIONS_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS st_leak_versions (
  leakid text NOT NULL, revision integer NOT NULL, valid_from timestamptz NOT NULL, valid_to timestamptz NOT NULL DEFAULT 'infinity',
  org_id text, identity_email text, identity_domain text, site_domain text, sources jsonb NOT NULL, risk text NOT NULL,
  status text NOT NULL, virtual_patch boolean NOT NULL, PRIMARY KEY (leakid, revision));
CREATE INDEX IF NOT EXISTS st_leak_versions_valid ON st_leak_versions USING gist (tstzrange(valid_from, valid_to, '[)'));
CREATE INDEX IF NOT EXISTS st_leak_versions_current ON st_leak_versions (leakid) WHERE valid_to = 'infinity';`;

interface VersionRow {
  leakid: string;
  revision: number;
  valid_from: Date;
  valid_to?: Date;
  org_id: string | null;
  identity_email: string | null;
  identity_domain: string | null;
  site_domain: string | null;
  sources: string[];
  risk: string;
  status: string;
  virtual_patch: boolean;
}

const COLUMNS = 'leakid, revision, valid_from, org_id, identity_email, identity_domain, site_domain, sources, risk, status, virtual_patch';

/** The stats' leak rows: today's (`st_leaks`), or — with `asOf` — each leak's version valid at that moment. */
export function leakStatsRowsSql(asOf: Date | undefined, p: (value: unknown) => string): string {
  if (!asOf) return 'st_leaks';
  return `(SELECT * FROM st_leak_versions WHERE tstzrange(valid_from, valid_to, '[)') @> ${p(asOf.toISOString())}::timestamptz) AS as_of`;
}

/**
 * A page of leak events, in order, set-based: the current versions of the leaks it touches are read under row
 * locks, the events folded onto them in memory (each change closes the version before it), then one UPDATE
 * closes the stored versions and one INSERT writes the new ones.
 */
export async function applyLeakVersions(client: PoolClient, facts: LeakFactAt[]): Promise<void> {
  if (!facts.length) return;
  // Only leaks with a later fact in the page need their current version (a page of new leaks reads nothing first);
  // a replayed detection of any other is a no-op of the insert's ON CONFLICT.
  const ids = [...new Set(facts.filter((f) => f.fact.type !== 'LeakDetected').map((f) => f.fact.leakid))];
  const { rows } = ids.length
    ? await client.query<VersionRow>(`SELECT ${COLUMNS} FROM st_leak_versions WHERE leakid = ANY($1::text[]) AND valid_to = 'infinity' FOR UPDATE`, [ids])
    : { rows: [] as VersionRow[] };
  const current = new Map(rows.map((r) => [r.leakid, r]));
  const stored = new Set(rows);
  const closed: VersionRow[] = [];
  const opened: VersionRow[] = [];
  for (const { fact, revision, at: time } of facts) {
    const previous = current.get(fact.leakid);
    const at = new Date(time);
    let next: VersionRow;
    if (fact.type === 'LeakDetected') {
      if (previous) continue;
      next = {
        leakid: fact.leakid, revision, valid_from: at, org_id: fact.orgId, identity_email: fact.identityEmail,
        identity_domain: fact.identityEmail?.split('@')[1] ?? null, site_domain: fact.siteDomain, sources: [fact.source], risk: fact.risk,
        status: 'open', virtual_patch: false,
      };
    } else {
      if (!previous || previous.revision >= revision) continue;
      const changed = evolve(previous, fact);
      if (!changed) continue;
      const from = at < previous.valid_from ? previous.valid_from : at;
      next = { ...changed, revision, valid_from: from, valid_to: undefined };
      previous.valid_to = from;
      if (stored.has(previous)) closed.push(previous);
    }
    current.set(fact.leakid, next);
    opened.push(next);
  }
  if (closed.length) {
    await client.query(
      `UPDATE st_leak_versions v SET valid_to = u.valid_to FROM unnest($1::text[], $2::int[], $3::timestamptz[]) AS u(leakid, revision, valid_to)
        WHERE v.leakid = u.leakid AND v.revision = u.revision`,
      [closed.map((r) => r.leakid), closed.map((r) => r.revision), closed.map((r) => r.valid_to)],
    );
  }
  if (opened.length) {
    await client.query(
      `INSERT INTO st_leak_versions (${COLUMNS}, valid_to) SELECT ${COLUMNS}, valid_to FROM jsonb_populate_recordset(NULL::st_leak_versions, $1::jsonb)
       ON CONFLICT (leakid, revision) DO NOTHING`,
      [JSON.stringify(opened.map((r) => ({ ...r, valid_to: r.valid_to ?? 'infinity' })))],
    );
  }
}

/** What a fact changes for the statistics, or undefined when it changes nothing they count. */
function evolve(previous: VersionRow, fact: LeakFactAt['fact']): VersionRow | undefined {
  switch (fact.type) {
    case 'LeakSighted':
      return previous.sources.includes(fact.source) ? undefined : { ...previous, sources: [...previous.sources, fact.source] };
    case 'LeakStatusChanged':
      return previous.status === fact.to ? undefined : { ...previous, status: fact.to };
    case 'VirtualPatchApplied':
    case 'VirtualPatchRemoved':
      return { ...previous, virtual_patch: fact.type === 'VirtualPatchApplied' };
    default:
      return undefined;
  }
}
