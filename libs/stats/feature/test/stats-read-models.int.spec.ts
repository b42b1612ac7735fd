/**
 * The stats read models against real PostgreSQL: built from integration events, idempotent (every event
 * delivered twice, and old ones again at the end), scoped by the caller's visibility.
 */
import type { Pool } from 'pg';
import type { Caller } from '@leakwatch/authz';
import { CloudEvent, cloudEvent } from '@leakwatch/messaging';
import { startThrowawayPostgres, ThrowawayPostgres } from '@leakwatch/testing';
import { readLeakEvent } from '../src/leaks/leak-events.reader';
import { LeakStatsQueries } from '../src/leaks/leak-stats.queries';
import { LeakStatsReadModel } from '../src/leaks/leak-stats.read-model';
import { setUpStatsSchema } from '../src/stats-schema';
import { ApiUsageReadModel } from '../src/usage/api-usage.read-model';

const id = (n: number) => n.toString(16).padStart(32, '0');
const revisions = new Map<string, number>();
let seq = 0;
function leakEvent(leakid: string, type: string, time: string, data: Record<string, unknown> = {}): CloudEvent {
  const revision = revisions.get(leakid) ?? 0;
  revisions.set(leakid, revision + 1);
  return cloudEvent({ id: `ev-${++seq}`, type, source: 'leakwatch/test', time, data: { leakid, ...data }, key: leakid, extensions: { streamrevision: String(revision) } });
}
const detected = (leakid: string, at: string, o: { org?: string | null; email?: string | null; site?: string | null; risk?: string; source?: string }) =>
  leakEvent(leakid, 'LeakDetected', at, {
    kind: o.email ? 'credential' : 'token', secret_type: 'github-pat', fingerprint: 'f', preview: 'p', identity: o.email ? { email: o.email } : null,
    site: o.site ? { url: `https://${o.site}/`, domain: o.site } : null, org_id: o.org ?? null, source: { name: o.source ?? 'pastebin' }, risk: o.risk ?? 'high',
    blockable: true, detected_at: at, finding_id: 'f',
  });

const fact = (e: CloudEvent) => {
  const read = readLeakEvent(e);
  if (!read) throw new Error(`not a leak event: ${e.type}`);
  return read;
};

const orgA: Caller = { keyId: 'ka', role: 'admin', orgId: 'org-a', email: 'sec@acme.example', verifiedDomains: ['acme.example'] };
const orgB: Caller = { keyId: 'kb', role: 'analyst', orgId: 'org-b', verifiedDomains: [] };
const global: Caller = { keyId: 'kg', role: 'global_analyst', verifiedDomains: [] };
const now = new Date('2026-11-25T12:00:00.000Z');

describe('stats read models (PostgreSQL)', () => {
  let pg: ThrowawayPostgres;
  let pool: Pool;
  let model: LeakStatsReadModel;
  let queries: LeakStatsQueries;

  beforeAll(async () => {
    pg = await startThrowawayPostgres();
    pool = await pg.newPool('stats');
    await setUpStatsSchema(pool);
    await setUpStatsSchema(pool); // idempotent
    model = new LeakStatsReadModel(pool);
    queries = new LeakStatsQueries(pool);

    const [l1, l2, l3, l4, l5] = [1, 2, 3, 4, 5].map(id);
    const events = [
      detected(l1, '2026-11-20T10:00:00Z', { org: 'org-a', risk: 'critical', source: 'github' }),
      detected(l2, '2026-11-21T10:00:00Z', { org: 'org-a', risk: 'high' }),
      detected(l3, '2026-11-21T11:00:00Z', { email: 'bob@acme.example', risk: 'medium', source: 'stealer-log' }), // employee of A
      detected(l4, '2026-11-22T10:00:00Z', { org: 'org-b', risk: 'low' }),
      detected(l5, '2026-11-22T10:00:00Z', { site: 'shop.acme.example', email: 'x@gmail.example', org: 'org-b', risk: 'low' }), // customer of A, org of B
      leakEvent(l1, 'LeakSighted', '2026-11-22T09:00:00Z', { source: { name: 'pastebin' }, seen_at: '2026-11-22T09:00:00Z', finding_id: 'f2' }),
      leakEvent(l1, 'VirtualPatchApplied', '2026-11-22T09:30:00Z'),
      leakEvent(l1, 'LeakedTokenUseAttempted', '2026-11-23T08:00:00Z', { attempted_at: '2026-11-23T08:00:00Z', key_id: null, blocked: true }),
      // Three repeats a gateway folded into one event: they count as three.
      leakEvent(l1, 'LeakedTokenUseAttempted', '2026-11-23T08:05:00Z', { attempted_at: '2026-11-23T08:05:00Z', key_id: null, blocked: true, count: 3, first_attempted_at: '2026-11-23T08:04:59Z' }),
      leakEvent(l1, 'LeakStatusChanged', '2026-11-24T10:00:00Z', { from: 'open', to: 'fixed', comment: null, reason: 'decision' }), // open 4 days
      leakEvent(l1, 'VirtualPatchRemoved', '2026-11-24T10:00:00Z', { reason: 'status_changed' }),
      leakEvent(l2, 'LeakStatusChanged', '2026-11-21T12:00:00Z', { from: 'open', to: 'fixed', comment: null, reason: 'decision' }), // open 2 h
      leakEvent(l2, 'LeakStatusChanged', '2026-11-23T10:00:00Z', { from: 'fixed', to: 'open', comment: null, reason: 'regression' }),
      leakEvent(l4, 'LeakStatusChanged', '2026-11-23T10:00:00Z', { from: 'open', to: 'false_positive', comment: null, reason: 'decision' }),
    ];
    // At-least-once delivery: everything twice, then the whole history once more.
    for (const e of events) {
      await model.apply(fact(e));
      await model.apply(fact(e));
    }
    for (const e of events) await model.apply(fact(e));
  });
  afterAll(async () => pg?.stop());

  it('counts a scoped caller\'s leaks by status, risk, type and source', async () => {
    const stats = await queries.stats(orgA, 30, now);
    expect(stats).toMatchObject({
      total: 4,
      virtual_patched: 0,
      by_status: { open: 3, fixed: 1, false_positive: 0 },
      by_risk: { critical: 1, high: 1, medium: 1, low: 1 },
      by_type: { personal: 0, employee: 1, customer: 1, organization: 2 },
      by_source: { github: 1, pastebin: 3, 'stealer-log': 1 },
      // What still needs attention: l1 is fixed, l2 reopened, l3 and l5 open.
      open_by_risk: { critical: 0, high: 1, medium: 1, low: 1 },
      open_by_type: { personal: 0, employee: 1, customer: 1, organization: 1 },
      open_by_source: { pastebin: 2, 'stealer-log': 1 },
    });
    expect(stats.open_by_source).not.toHaveProperty('github');
  });

  it('gives opened/fixed/attempts per day, zero-filled over the window, and the mean time to fix', async () => {
    const stats = await queries.stats(orgA, 7, now);
    expect(stats.window).toEqual({ days: 7, from: '2026-11-19', to: '2026-11-25' });
    expect(stats.per_day).toEqual([
      { day: '2026-11-19', opened: 0, fixed: 0, token_use_attempts: 0 },
      { day: '2026-11-20', opened: 1, fixed: 0, token_use_attempts: 0 },
      { day: '2026-11-21', opened: 2, fixed: 1, token_use_attempts: 0 },
      { day: '2026-11-22', opened: 1, fixed: 0, token_use_attempts: 0 },
      { day: '2026-11-23', opened: 1, fixed: 0, token_use_attempts: 4 },
      { day: '2026-11-24', opened: 0, fixed: 1, token_use_attempts: 0 },
      { day: '2026-11-25', opened: 0, fixed: 0, token_use_attempts: 0 },
    ]);
    const expected = (4 * 86400 + 2 * 3600) / 2;
    expect(stats.mean_time_to_fix).toEqual({ seconds: expected, hours: 49, fixes: 2 });
  });

  it('shows another organisation none of A\'s leaks; global roles see all', async () => {
    const b = await queries.stats(orgB, 30, now);
    expect(b).toMatchObject({ total: 2, by_status: { open: 1, fixed: 0, false_positive: 1 }, by_type: { organization: 2 }, mean_time_to_fix: { seconds: null, fixes: 0 } });
    expect(b.per_day.reduce((n, d) => n + d.token_use_attempts, 0)).toBe(0);
    expect((await queries.stats(global, 30, now)).total).toBe(5);
  });

  it('limits the series to the window', async () => {
    const stats = await queries.stats(global, 1, now);
    expect(stats.per_day).toEqual([{ day: '2026-11-25', opened: 0, fixed: 0, token_use_attempts: 0 }]);
    expect(stats.mean_time_to_fix.fixes).toBe(0);
  });

  it('sums usage batches per key and day, once per stream revision', async () => {
    const usage = new ApiUsageReadModel(pool);
    const batch = (requests: number, at: string) => ({ key_id: 'k1', day: '2026-11-25', requests, last_request_at: at });
    expect(await usage.apply(batch(3, '2026-11-25T10:00:00Z'), 0)).toBe(true);
    expect(await usage.apply(batch(3, '2026-11-25T10:00:00Z'), 0)).toBe(false);
    expect(await usage.apply(batch(2, '2026-11-25T11:00:00Z'), 1)).toBe(true);
    expect(await usage.apply(batch(3, '2026-11-25T10:00:00Z'), 0)).toBe(false);
    expect(await usage.requestsOn('k1', '2026-11-25')).toBe(5);
    expect(await usage.requestsOn('k1', '2026-11-24')).toBe(0);
    // Each day is its own stream: revision 0 of the next day is new.
    expect(await usage.apply({ ...batch(4, '2026-11-26T00:00:01Z'), day: '2026-11-26' }, 0)).toBe(true);
    expect(await usage.requestsOn('k1', '2026-11-26')).toBe(4);
  });
});
