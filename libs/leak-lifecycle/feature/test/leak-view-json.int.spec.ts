/**
 * The list's items are written as JSON from narrow array rows with the times formatted by PostgreSQL
 * (leakViewJson): they must be the very bytes the API wrote before, `JSON.stringify(toView(row))` of the whole row
 * `pg` decodes — escaping, nulls, empty strings, credentials, key order, and times (milliseconds truncated, UTC
 * whatever the session's time zone).
 */
import type { Pool } from 'pg';
import { startThrowawayPostgres, ThrowawayPostgres, seededRandom } from '@leakwatch/testing';
import { toView } from '../src/read-model/leak-queries';
import { LEAK_VIEW_COLUMNS_SQL, leakViewJson } from '../src/read-model/leak-view-json';
import { leaksProjection } from '../src/read-model/leaks.projection';

const COLUMNS = [
  'leakid', 'kind', 'secret_type', 'fingerprint', 'preview', 'identity_email', 'identity_username', 'identity_domain', 'site_url', 'site_domain',
  'org_id', 'source', 'sources', 'risk', 'blockable', 'status', 'virtual_patch', 'sightings', 'attempts', 'first_seen', 'last_seen', 'fixed_at',
  'updated_at', 'revision',
] as const;
type Row = Record<(typeof COLUMNS)[number], unknown>;

const base: Row = {
  leakid: 'a'.repeat(32), kind: 'token', secret_type: 'github-pat', fingerprint: 'f'.repeat(64), preview: 'ghp_…(40)', identity_email: 'dev@acme.example',
  identity_username: null, identity_domain: 'acme.example', site_url: null, site_domain: null, org_id: 'o1', source: 'gitleaks', sources: '["gitleaks"]',
  risk: 'high', blockable: true, status: 'open', virtual_patch: false, sightings: 1, attempts: 0, first_seen: '2026-01-01T00:00:00.123456Z',
  last_seen: '2026-01-02T00:00:00Z', fixed_at: null, updated_at: '2026-01-02T00:00:00Z', revision: 1,
};

/** Strings that JSON escaping and UTF-8 could get wrong. */
const AWKWARD = ['', 'quote " and \\ backslash', 'tab\tnew\nline\rcr\bbs\fff', 'ctl \u0001\u001f\u007f', 'é ü ß 中文 😀', 'line\u2028sep\u2029', '</script>', "it's"];

describe('leakViewJson', () => {
  let pg: ThrowawayPostgres;
  let pool: Pool;

  beforeAll(async () => {
    pg = await startThrowawayPostgres();
    pool = await pg.newPool('leak_view_json');
    const client = await pool.connect();
    try {
      await leaksProjection.setup(client);
    } finally {
      client.release();
    }
  });
  afterAll(async () => pg?.stop());

  async function insert(rows: Row[]): Promise<void> {
    const values: unknown[] = [];
    const tuples = rows.map((row) => `(${COLUMNS.map((c) => `$${values.push(row[c])}`).join(', ')})`);
    await pool.query(`INSERT INTO ll_leaks (${COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`, values);
  }

  /** Each row as pg decodes it whole (→ toView → JSON.stringify) beside leakViewJson of its narrow array row. */
  async function both(timeZone: string): Promise<Array<{ expected: string; actual: string }>> {
    const client = await pool.connect();
    try {
      await client.query(`SET TimeZone = '${timeZone}'`);
      // caller_type as the list computes it: a type or NULL (a global role sees leaks of no type).
      const rows = `FROM (SELECT *, CASE WHEN org_id = 'o1' THEN 'organization' WHEN identity_email IS NOT NULL THEN 'personal' END AS caller_type FROM ll_leaks) l ORDER BY leakid`;
      const whole = await client.query(`SELECT * ${rows}`);
      const narrow = await client.query<unknown[]>({ text: `SELECT ${LEAK_VIEW_COLUMNS_SQL} ${rows}`, rowMode: 'array' });
      return whole.rows.map((row, i) => ({ expected: JSON.stringify(toView(row)), actual: leakViewJson(narrow.rows[i]) }));
    } finally {
      await client.query('RESET TimeZone');
      client.release();
    }
  }

  beforeEach(() => pool.query('TRUNCATE ll_leaks'));

  it('writes what JSON.stringify(toView(row)) writes, for awkward strings, nulls, empty identity/site and credentials', async () => {
    const rows: Row[] = AWKWARD.map((text, i) => ({
      ...base, leakid: `${i}`.padStart(32, '0'), preview: text, secret_type: text, identity_email: text, identity_username: i % 2 ? text : null,
      site_url: i % 3 ? null : text, site_domain: i % 3 === 1 ? text : null, org_id: i % 2 ? 'o1' : null, sources: JSON.stringify([text, 'x', text]),
      kind: i % 2 ? 'token' : 'credential', fingerprint: i % 4 ? 'f'.repeat(64) : null, status: i % 2 ? 'fixed' : 'open',
      fixed_at: i % 2 ? '2026-03-01T10:20:30.999999+05:30' : null, virtual_patch: i % 2 === 0, blockable: i % 3 === 0, sightings: i, attempts: 1000 * i, revision: 7 + i,
    }));
    rows.push({ ...base, leakid: 'e'.repeat(32), identity_email: '', identity_username: '', site_url: '', site_domain: '', sources: '[]' });
    await insert(rows);
    const pairs = await both('UTC');
    expect(pairs).toHaveLength(rows.length);
    for (const { expected, actual } of pairs) expect(actual).toBe(expected);
  });

  it('writes UTC times with the milliseconds pg keeps (truncated), in any session time zone', async () => {
    const random = seededRandom(17);
    const start = Date.UTC(1900, 0, 1);
    const rows: Row[] = Array.from({ length: 400 }, (_, i) => {
      // Microsecond times from 1900 to 2200, incl. .000000, .999999 and .000500; the years 0001 and 9999 below.
      const micros = i < 3 ? [0, 999_999, 500][i] : Math.floor(random() * 1_000_000);
      const at = new Date(start + Math.floor(random() * 300 * 365 * 86_400_000));
      const text = `${at.toISOString().slice(0, 19)}.${String(micros).padStart(6, '0')}+00:00`;
      return { ...base, leakid: `${i}`.padStart(32, '0'), first_seen: text, last_seen: text, fixed_at: i % 2 ? text : null };
    });
    rows.push({ ...base, leakid: 'y'.repeat(32), first_seen: '0001-01-01T00:00:00.000001Z', last_seen: '9999-12-31T23:59:59.999999Z' });
    await insert(rows);
    for (const zone of ['UTC', 'America/St_Johns', 'Asia/Kathmandu', 'Pacific/Kiritimati']) {
      for (const { expected, actual } of await both(zone)) expect(actual).toBe(expected);
    }
  });
});
