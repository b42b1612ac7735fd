/**
 * Pagination and limits as clients expect them (issue 13.2), against `npm start`'s real process:
 * `Link: <…>; rel="next"` beside `next_cursor`, `sort`/`direction` on the leak list with keyset pages that
 * neither repeat nor skip a leak under any order, paginated admin lists, and RateLimit-* headers.
 */
import { randomBytes } from 'node:crypto';
import type { ApiAnswer } from './support/api-client';
import { E2E_ADMIN_KEY, E2e, startE2e } from './support/e2e-harness';
import { eventually } from '@leakwatch/testing';

const RISK_RANK: Record<string, number> = { critical: 4, high: 3, medium: 2, low: 1 };
const STATUS_RANK: Record<string, number> = { open: 1, fixed: 2, false_positive: 3 };

interface Leak {
  leakid: string;
  first_seen: string;
  last_seen: string;
  risk: string;
  status: string;
}

/** The target of `Link: <…>; rel="next"`, or undefined. */
const nextLink = (answer: ApiAnswer): string | undefined => /^<([^>]+)>;\s*rel="next"$/.exec(answer.headers.get('link') ?? '')?.[1];

describe('pagination and limits (e2e)', () => {
  let e2e: E2e;
  const call: E2e['call'] = (...args) => e2e.call(...args);
  let orgId: string;
  let admin: string;

  beforeAll(async () => {
    e2e = await startE2e();
    const paging = await e2e.organisation('Paging Corp', { admin: { role: 'admin' } });
    [orgId, admin] = [paging.orgId, paging.keys.admin];
    // 13 leaks in batches that share first_seen (ties), with every risk and, below, every status.
    const risks = ['critical', 'high', 'medium', 'low', 'high'];
    const leakids: string[] = [];
    for (const [i, risk] of risks.entries()) {
      const tokens = Array.from({ length: i === 0 ? 1 : 3 }, () => ({ value: `ghp_${randomBytes(18).toString('hex')}` }));
      const added = await call('POST', '/api/v1/leaks', admin, { source: { name: `batch-${i}` }, risk, tokens });
      expect(added.status).toBe(201);
      leakids.push(...added.body.leakids);
    }
    await waitForTotal(13);
    expect((await call('POST', '/api/v1/leaks/status', admin, { leakids: leakids.slice(0, 4), status: 'fixed' })).status).toBe(200);
    expect((await call('POST', '/api/v1/leaks/status', admin, { leakids: leakids.slice(4, 6), status: 'false_positive' })).status).toBe(200);
    await eventually('2 false positives listed', async () => (await call('GET', '/api/v1/leaks?status=false_positive', admin)).body.total, (total) => total === 2);
  }, 120_000);

  afterAll(async () => {
    if (e2e) expect(await e2e.stop()).toBe(0);
  });

  const waitForTotal = (n: number) => eventually(`${n} leaks listed`, async () => (await call('GET', '/api/v1/leaks?limit=1', admin)).body.total, (total) => total === n);

  /** Every page of a list, following `Link` (and checking it agrees with `next_cursor`). */
  async function walk(path: string, key: string): Promise<{ items: unknown[]; pages: number }> {
    const items: unknown[] = [];
    let next: string | undefined = path;
    let pages = 0;
    while (next) {
      const page = await call('GET', next, key);
      expect(page.status).toBe(200);
      items.push(...page.body.items);
      pages++;
      next = nextLink(page);
      if (page.body.next_cursor === null) expect(next).toBeUndefined();
      else expect(new URL(next as string, e2e.app.url).searchParams.get('cursor')).toBe(page.body.next_cursor);
      expect(pages).toBeLessThan(50);
    }
    return { items, pages };
  }

  const key = (sort: string, leak: Leak): string | number =>
    sort === 'risk' ? RISK_RANK[leak.risk] : sort === 'status' ? STATUS_RANK[leak.status] : Date.parse(leak[sort as 'first_seen' | 'last_seen']);

  it.each([
    ['first_seen', 'desc'], ['first_seen', 'asc'], ['last_seen', 'desc'], ['last_seen', 'asc'],
    ['risk', 'desc'], ['risk', 'asc'], ['status', 'desc'], ['status', 'asc'],
  ])('sort=%s&direction=%s: pages of 4 following Link hold every leak once, in order, ties by leakid', async (sort, direction) => {
    const { items, pages } = await walk(`/api/v1/leaks?sort=${sort}&direction=${direction}&limit=4`, admin);
    const leaks = items as Leak[];
    expect(pages).toBe(4);
    expect(new Set(leaks.map((l) => l.leakid)).size).toBe(13);
    const sign = direction === 'asc' ? -1 : 1; // each leak compares below (asc) or above (desc) the next
    for (let i = 1; i < leaks.length; i++) {
      const [a, b] = [key(sort, leaks[i - 1]), key(sort, leaks[i])];
      const cmp = a === b ? (leaks[i - 1].leakid < leaks[i].leakid ? -1 : 1) : a < b ? -1 : 1;
      expect(cmp).toBe(sign);
    }
    // One page of everything agrees with the pages.
    const whole = await call('GET', `/api/v1/leaks?sort=${sort}&direction=${direction}&limit=500`, admin);
    expect(whole.body.items.map((l: Leak) => l.leakid)).toEqual(leaks.map((l) => l.leakid));
    expect(whole.body.next_cursor).toBeNull();
    expect(whole.headers.get('link')).toBeNull();
  });

  it('keeps filters in the next link and defaults to newest first', async () => {
    const first = await call('GET', '/api/v1/leaks?status=open&limit=2', admin);
    expect(first.body.items).toHaveLength(2);
    const link = new URL(nextLink(first) as string, e2e.app.url);
    expect(link.pathname).toBe('/api/v1/leaks');
    expect(Object.fromEntries(link.searchParams)).toEqual({ status: 'open', limit: '2', cursor: first.body.next_cursor });
    const all = (await walk('/api/v1/leaks?status=open&limit=2', admin)).items as Leak[];
    expect(all).toHaveLength(7);
    expect(all.every((l) => l.status === 'open')).toBe(true);
    const byDefault = await call('GET', '/api/v1/leaks?limit=500', admin);
    const explicit = await call('GET', '/api/v1/leaks?limit=500&sort=first_seen&direction=desc', admin);
    expect(byDefault.body.items).toEqual(explicit.body.items);
  });

  it('refuses a cursor replayed under another order or a bad sort (400 naming the field)', async () => {
    const page = await call('GET', '/api/v1/leaks?sort=risk&limit=2', admin);
    const replayed = await call('GET', `/api/v1/leaks?sort=last_seen&cursor=${page.body.next_cursor}`, admin);
    expect(replayed).toMatchObject({ status: 400, body: { errors: [{ field: 'cursor' }] } });
    expect(replayed.type).toMatch(/application\/problem\+json/);
    const badSort = await call('GET', '/api/v1/leaks?sort=secret', admin);
    expect(badSort).toMatchObject({ status: 400, body: { errors: [expect.objectContaining({ field: 'sort' })] } });
    expect(await call('GET', '/api/v1/leaks?direction=up', admin)).toMatchObject({ status: 400, body: { errors: [expect.objectContaining({ field: 'direction' })] } });
  });

  it('pages the admin lists (orgs, API keys, domains) with limit/cursor/next_cursor and Link; no limit = everything, as before', async () => {
    for (let i = 0; i < 3; i++) expect((await call('POST', '/api/v1/orgs', E2E_ADMIN_KEY, { name: `Org ${i}` })).status).toBe(201);
    for (let i = 0; i < 3; i++) expect((await call('POST', '/api/v1/api-keys', admin, { name: `extra ${i}`, role: 'analyst' })).status).toBe(201);
    for (const domain of ['a.example', 'b.example', 'c.example']) expect((await call('POST', '/api/v1/domains', admin, { domain })).status).toBe(201);

    for (const [path, key, count, id] of [
      ['/api/v1/orgs', E2E_ADMIN_KEY, 4, 'org_id'],
      [`/api/v1/api-keys?org_id=${orgId}`, E2E_ADMIN_KEY, 4, 'id'],
      ['/api/v1/domains', admin, 3, 'domain'],
    ] as const) {
      const everything = await call('GET', path, key);
      expect(everything.body).toMatchObject({ next_cursor: null });
      expect(everything.body.items).toHaveLength(count);
      expect(everything.headers.get('link')).toBeNull();
      const first = await call('GET', `${path}${path.includes('?') ? '&' : '?'}limit=2`, key);
      expect(first.body.items).toHaveLength(2);
      expect(nextLink(first)).toContain(`cursor=${first.body.next_cursor}`);
      const { items, pages } = await walk(`${path}${path.includes('?') ? '&' : '?'}limit=1`, key);
      expect(pages).toBe(count);
      expect(items.map((x) => (x as Record<string, string>)[id])).toEqual(everything.body.items.map((x: Record<string, string>) => x[id]));
      const bad = await call('GET', `${path}${path.includes('?') ? '&' : '?'}cursor=garbage`, key);
      expect(bad).toMatchObject({ status: 400, body: { errors: [{ field: 'cursor' }] } });
      expect(await call('GET', `${path}${path.includes('?') ? '&' : '?'}limit=1001`, key)).toMatchObject({ status: 400 });
    }
  });

  it('sends RateLimit-Limit/Remaining/Reset on every counted answer (also the 429), none on public ones', async () => {
    const limited = (await call('POST', '/api/v1/api-keys', admin, { name: 'three a day', role: 'analyst', limit: 3 })).body.key;
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await call('GET', '/api/v1/leaks?limit=1', limited));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429]);
    expect(answers.map((a) => a.headers.get('ratelimit-remaining'))).toEqual(['2', '1', '0', '0']);
    for (const a of answers) {
      expect(a.headers.get('ratelimit-limit')).toBe('3');
      expect(a.headers.get('ratelimit-policy')).toBe('3;w=86400');
      const reset = Number(a.headers.get('ratelimit-reset'));
      expect(reset).toBeGreaterThan(0);
      expect(reset).toBeLessThanOrEqual(86_400);
    }
    expect(answers[3].headers.get('retry-after')).toBe(answers[3].headers.get('ratelimit-reset'));
    // An error answer of a counted request carries them too (the 404 was counted).
    const missing = await call('GET', `/api/v1/leaks/${'0'.repeat(32)}`, admin);
    expect(missing.status).toBe(404);
    expect(Number(missing.headers.get('ratelimit-remaining'))).toBeGreaterThan(0);
    const health = await fetch(`${e2e.app.url}/health`);
    expect(health.headers.get('ratelimit-limit')).toBeNull();
  });
});
