/**
 * A list page is answered again from memory only while `ll_leaks` has not been written since it was read: any
 * write (a counted column or not, an insert, a delete, a truncate) makes the next request read the table again,
 * and a page is never handed to a caller whose query (visibility, filters, cursor, limit) differs.
 */
import type { Pool } from 'pg';
import type { Caller } from '@leakwatch/authz';
import { startThrowawayPostgres, ThrowawayPostgres } from '@leakwatch/testing';
import { LeakQueries } from '../src/read-model/leak-queries';
import { leaksProjection } from '../src/read-model/leaks.projection';

const orgA: Caller = { keyId: 'ka', role: 'admin', orgId: 'o1', email: 'admin@a.example', verifiedDomains: [] };
const orgB: Caller = { keyId: 'kb', role: 'admin', orgId: 'o2', email: 'admin@b.example', verifiedDomains: ['b.example'] };

describe('list page cache', () => {
  let pg: ThrowawayPostgres;
  let pool: Pool;
  let queries: LeakQueries;
  /** How many page queries reached PostgreSQL. */
  let pageReads = 0;

  beforeAll(async () => {
    pg = await startThrowawayPostgres();
    pool = await pg.newPool('leak_list_page_cache');
    const client = await pool.connect();
    try {
      await leaksProjection.setup(client);
    } finally {
      client.release();
    }
    const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
    pool.query = ((...args: unknown[]) => {
      const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text: string }).text;
      if (text.includes(' AS sort_value,')) pageReads++;
      return query(...args);
    }) as Pool['query'];
    queries = new LeakQueries(pool);
  });
  afterAll(async () => pg?.stop());

  const leak = (n: number, org: string) =>
    pool.query(
      `INSERT INTO ll_leaks (leakid, kind, secret_type, fingerprint, preview, identity_email, identity_domain, org_id, source, sources, risk, blockable, status, first_seen, last_seen, updated_at, revision)
       VALUES ($1, 'token', 'github-pat', $2, 'ghp_…', $3, $4, $5, 'gitleaks', '["gitleaks"]', 'high', true, 'open', $6, $6, $6, 1)`,
      [String(n).padStart(32, '0'), 'f'.repeat(64), `dev${n}@${org === 'o1' ? 'a' : 'b'}.example`, org === 'o1' ? 'a.example' : 'b.example', org, new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString()],
    );
  const page = async (caller: Caller, limit = 2, cursor?: string) => {
    const before = pageReads;
    const { body, nextCursor } = await queries.list(caller, { limit, cursor });
    return { json: JSON.parse(body.toString('utf8')), nextCursor, read: pageReads > before };
  };

  beforeEach(async () => {
    await pool.query('TRUNCATE ll_leaks');
    for (let n = 1; n <= 3; n++) await leak(n, 'o1');
    for (let n = 4; n <= 5; n++) await leak(n, 'o2');
  });

  it('answers a repeated page from memory, and reads again after any write to ll_leaks', async () => {
    const first = await page(orgA);
    expect(first.read).toBe(true);
    const again = await page(orgA);
    expect(again).toEqual({ ...first, read: false });

    // A column no count depends on (a token-use attempt): the counts stay cached, the page does not.
    await pool.query(`UPDATE ll_leaks SET attempts = attempts + 1 WHERE leakid = $1`, ['3'.padStart(32, '0')]);
    const attempted = await page(orgA);
    expect(attempted.read).toBe(true);
    expect(attempted.json.items[0]).toMatchObject({ leakid: '3'.padStart(32, '0'), attempts: 1 });

    await leak(6, 'o1');
    const inserted = await page(orgA);
    expect(inserted.read).toBe(true);
    expect(inserted.json.items.map((i: { leakid: string }) => i.leakid)).toEqual(['6'.padStart(32, '0'), '3'.padStart(32, '0')]);
    expect(inserted.json.total).toBe(4);

    await pool.query(`DELETE FROM ll_leaks WHERE leakid = $1`, ['6'.padStart(32, '0')]);
    expect((await page(orgA)).json.total).toBe(3);
    await pool.query('TRUNCATE ll_leaks');
    expect((await page(orgA)).json).toEqual({ items: [], next_cursor: null, total: 0, summary: { personal: 0, employee: 0, customer: 0, organization: 0 } });
  });

  it('keeps pages per caller and per query: another organisation, limit or cursor never gets them', async () => {
    const a = await page(orgA);
    const b = await page(orgB);
    expect(b.read).toBe(true);
    expect(a.json.items.every((i: { org_id: string }) => i.org_id === 'o1')).toBe(true);
    expect(b.json.items.map((i: { org_id: string; type: string }) => [i.org_id, i.type])).toEqual([['o2', 'employee'], ['o2', 'employee']]);
    expect((await page(orgA, 3)).read).toBe(true);
    const next = await page(orgA, 2, a.nextCursor as string);
    expect(next.read).toBe(true);
    expect(next.json.items.map((i: { leakid: string }) => i.leakid)).toEqual(['1'.padStart(32, '0')]);
    expect(await page(orgB)).toEqual({ ...b, read: false });
  });

  it('reuses nothing while the version trigger is disabled, nor after ll_leaks is dropped and created again', async () => {
    expect((await page(orgA)).read).toBe(true);
    await pool.query('ALTER TABLE ll_leaks DISABLE TRIGGER ll_leaks_rows_version_bump');
    try {
      expect((await page(orgA)).read).toBe(true);
      await pool.query(`UPDATE ll_leaks SET attempts = 5 WHERE leakid = $1`, ['3'.padStart(32, '0')]); // bumps nothing now
      const unbumped = await page(orgA);
      expect(unbumped.read).toBe(true);
      expect(unbumped.json.items[0]).toMatchObject({ attempts: 5 });
    } finally {
      await pool.query('ALTER TABLE ll_leaks ENABLE TRIGGER ll_leaks_rows_version_bump');
    }
    expect((await page(orgA)).read).toBe(true);
    expect((await page(orgA)).read).toBe(false);

    // Dropped and created again (no triggers until the schema is set up again): the pages and counts of the old table are not used.
    await pool.query('DROP TABLE ll_leaks');
    const client = await pool.connect();
    try {
      await leaksProjection.setup(client);
    } finally {
      client.release();
    }
    await leak(9, 'o1');
    const recreated = await page(orgA);
    expect(recreated.read).toBe(true);
    expect(recreated.json).toMatchObject({ total: 1, items: [{ leakid: '9'.padStart(32, '0') }] });
    await leak(8, 'o1');
    expect((await page(orgA)).json.total).toBe(2);
  });
});
