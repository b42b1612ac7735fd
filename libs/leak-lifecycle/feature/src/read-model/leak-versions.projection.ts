/**
 * `ll_leak_versions`: the temporal read model behind `GET /api/v1/leaks?as_of=` (and the export's). One row per
 * version of a leak — what one of its events made it — valid over [valid_from, valid_to), with the columns of
 * `ll_leaks`, so the list's visibility, filter, order and summary SQL runs unchanged over "the versions valid
 * at t" (`leakRowsSql`). valid_from is the event's time (`occurred_at`), the same cut-off the single-leak
 * `?as_of=` folds by; the current version has valid_to = infinity. Keyed by (leakid, revision) and guarded by
 * the latest version's revision: a replayed event or a rebuild gives the same rows.
 *
 * Its own runner (`leak-versions`, own checkpoint): added to an existing store it starts from position 0 and
 * fills itself from the events while the service runs, without touching `ll_leaks`' runner.
 */
import { attemptCount, withoutPasswordHash } from '@leakwatch/contracts';
import type { RecordedEvent } from '@leakwatch/event-store';
import { LeakEvent, leakEventCodec } from '@leakwatch/leak-lifecycle/domain';
import type { Projection } from '@leakwatch/projections';
import type { PoolClient } from 'pg';

export const LEAK_VERSIONS_RUNNER = 'leak-versions';

/** The columns every version carries (those of `ll_leaks`) plus its validity. */
interface VersionRow {
  leakid: string;
  revision: number;
  valid_from: Date;
  valid_to?: Date | 'infinity';
  kind: string;
  secret_type: string;
  fingerprint: string | null;
  preview: string;
  identity_email: string | null;
  identity_username: string | null;
  identity_domain: string | null;
  site_url: string | null;
  site_domain: string | null;
  org_id: string | null;
  source: string;
  sources: string[];
  risk: string;
  blockable: boolean;
  status: string;
  virtual_patch: boolean;
  sightings: number;
  attempts: number;
  first_seen: Date;
  last_seen: Date;
  fixed_at: Date | null;
  updated_at: Date;
}

const COLUMNS = `leakid, revision, valid_from, kind, secret_type, fingerprint, preview, identity_email, identity_username, identity_domain,
  site_url, site_domain, org_id, source, sources, risk, blockable, status, virtual_patch, sightings, attempts, first_seen, last_seen, fixed_at, updated_at`;

export const leakVersionsProjection: Projection = {
  name: 'leak-versions',
  tables: ['ll_leak_versions'],
  async setup(client) {
    await client.query(`
      CREATE TABLE IF NOT EXISTS ll_leak_versions (
        leakid text NOT NULL, revision integer NOT NULL, valid_from timestamptz NOT NULL, valid_to timestamptz NOT NULL DEFAULT 'infinity',
        kind text NOT NULL, secret_type text NOT NULL, fingerprint text, preview text NOT NULL,
        identity_email text, identity_username text, identity_domain text, site_url text, site_domain text, org_id text,
        source text NOT NULL, sources jsonb NOT NULL, risk text NOT NULL, blockable boolean NOT NULL,
        status text NOT NULL, virtual_patch boolean NOT NULL, sightings integer NOT NULL, attempts integer NOT NULL,
        first_seen timestamptz NOT NULL, last_seen timestamptz NOT NULL, fixed_at timestamptz, updated_at timestamptz NOT NULL,
        PRIMARY KEY (leakid, revision));
      CREATE INDEX IF NOT EXISTS ll_leak_versions_valid ON ll_leak_versions USING gist (tstzrange(valid_from, valid_to, '[)'));
      CREATE INDEX IF NOT EXISTS ll_leak_versions_current ON ll_leak_versions (leakid) WHERE valid_to = 'infinity';`);
  },
  filter: { streamCategories: ['leak'] },
  canHandle: (event) => event.streamId.startsWith('leak-'),
  apply: (event, client) => applyVersions([event], client),
  applyPage: (events, client) => applyVersions(events, client),
};

/**
 * Set-based, per page: the current versions of the leaks the page touches are read under row locks, the
 * page's events folded onto them in memory (each event closes the version before it and opens its own),
 * then one UPDATE closes the versions that were stored and one INSERT writes the new ones.
 */
async function applyVersions(events: RecordedEvent[], client: PoolClient): Promise<void> {
  // Only leaks with a later event in the page need their current version: a detection of a leak this page does not
  // touch again is inserted as is (a replayed one is a no-op of ON CONFLICT), so a page of an ingest's new leaks
  // reads nothing first.
  const ids = [...new Set(events.filter((e) => e.type !== 'LeakDetected').map((e) => leakEventCodec.decodeKnown(e).data.leakid))];
  const { rows } = ids.length
    ? await client.query<VersionRow>(`SELECT ${COLUMNS} FROM ll_leak_versions WHERE leakid = ANY($1::text[]) AND valid_to = 'infinity' FOR UPDATE`, [ids])
    : { rows: [] as VersionRow[] };
  const current = new Map(rows.map((r) => [r.leakid, r]));
  const stored = new Set(rows);
  const closed: VersionRow[] = [];
  const opened: VersionRow[] = [];
  for (const recorded of events) {
    const event = leakEventCodec.decode(recorded);
    if (!event) continue;
    const leakid = event.data.leakid;
    const previous = current.get(leakid);
    const at = new Date((recorded.metadata.occurred_at as string | undefined) ?? recorded.recordedAt.toISOString());
    let next: VersionRow;
    if (event.type === 'LeakDetected') {
      if (previous) continue; // a replayed detection: the leak has its versions already
      next = detectedVersion(recorded, at);
    } else {
      if (!previous || previous.revision >= recorded.revision) continue; // no such leak yet, or already applied
      const evolved = evolveVersion(previous, event, at);
      if (!evolved) continue;
      // A version never starts before the one it follows (an event stamped earlier than its predecessor).
      const from = at < previous.valid_from ? previous.valid_from : at;
      next = { ...evolved, revision: recorded.revision, valid_from: from };
      previous.valid_to = from;
      if (stored.has(previous)) closed.push(previous);
    }
    current.set(leakid, next);
    opened.push(next);
  }
  if (closed.length) {
    await client.query(
      `UPDATE ll_leak_versions v SET valid_to = u.valid_to FROM unnest($1::text[], $2::int[], $3::timestamptz[]) AS u(leakid, revision, valid_to)
        WHERE v.leakid = u.leakid AND v.revision = u.revision`,
      [closed.map((r) => r.leakid), closed.map((r) => r.revision), closed.map((r) => r.valid_to)],
    );
  }
  if (opened.length) {
    await client.query(
      `INSERT INTO ll_leak_versions (${COLUMNS}, valid_to) SELECT ${COLUMNS}, valid_to FROM jsonb_populate_recordset(NULL::ll_leak_versions, $1::jsonb)
       ON CONFLICT (leakid, revision) DO NOTHING`,
      [JSON.stringify(opened.map((r) => ({ ...r, valid_to: r.valid_to ?? 'infinity' })))],
    );
  }
}

function detectedVersion(recorded: RecordedEvent, at: Date): VersionRow {
  const event = leakEventCodec.decodeKnown(recorded);
  if (event.type !== 'LeakDetected') throw new Error(`detectedVersion got ${event.type}`);
  const d = withoutPasswordHash(event.data);
  const email = d.identity?.email?.toLowerCase() ?? null;
  const detectedAt = new Date(d.detected_at);
  return {
    leakid: d.leakid, revision: recorded.revision, valid_from: at, kind: d.kind, secret_type: d.secret_type, fingerprint: d.fingerprint,
    preview: d.preview, identity_email: email, identity_username: d.identity?.username ?? null, identity_domain: email?.split('@')[1] ?? null,
    site_url: d.site?.url ?? null, site_domain: d.site?.domain?.toLowerCase() ?? null, org_id: d.org_id, source: d.source?.name,
    sources: [d.source?.name ?? null] as string[], risk: d.risk, blockable: d.blockable, status: 'open', virtual_patch: false,
    sightings: 1, attempts: 0, first_seen: detectedAt, last_seen: detectedAt, fixed_at: null, updated_at: detectedAt,
  };
}

/** What `ll_leaks` does with each event (the same fields, the same rules), as a new version. */
function evolveVersion(previous: VersionRow, event: LeakEvent, at: Date): Omit<VersionRow, 'revision' | 'valid_from'> | undefined {
  const { valid_to: _closedLater, ...row } = previous;
  switch (event.type) {
    case 'LeakSighted': {
      const seen = new Date(event.data.seen_at);
      const name = event.data.source.name;
      return {
        ...row, sightings: row.sightings + 1, last_seen: seen > new Date(row.last_seen) ? seen : row.last_seen,
        sources: row.sources.includes(name) ? row.sources : [...row.sources, name], updated_at: at,
      };
    }
    case 'LeakStatusChanged':
      return { ...row, status: event.data.to, fixed_at: event.data.to === 'fixed' ? at : null, updated_at: at };
    case 'VirtualPatchApplied':
    case 'VirtualPatchRemoved':
      return { ...row, virtual_patch: event.type === 'VirtualPatchApplied', updated_at: at };
    case 'LeakedTokenUseAttempted':
      return { ...row, attempts: row.attempts + attemptCount(event.data) };
    default:
      return undefined;
  }
}
