/**
 * The attempts list against real PostgreSQL: built from leak events by the stats read model, newest first,
 * filtered by day range, risk, source and leak — and never showing one organisation another's attempts.
 */
import type { Pool } from 'pg';
import type { Caller } from '@leakwatch/authz';
import { CloudEvent, cloudEvent } from '@leakwatch/messaging';
import { startThrowawayPostgres, ThrowawayPostgres } from '@leakwatch/testing';
import { LeakAttemptsQueries } from '../src/leaks/leak-attempts.queries';
import { readLeakEvent } from '../src/leaks/leak-events.reader';
import { LeakStatsReadModel } from '../src/leaks/leak-stats.read-model';
import { setUpStatsSchema } from '../src/stats-schema';

const id = (n: number) => n.toString(16).padStart(32, '0');
const revisions = new Map<string, number>();
let seq = 0;
function leakEvent(leakid: string, type: string, time: string, data: Record<string, unknown> = {}): CloudEvent {
  const revision = revisions.get(leakid) ?? 0;
  revisions.set(leakid, revision + 1);
  return cloudEvent({ id: `ev-${++seq}`, type, source: 'leakwatch/test', time, data: { leakid, ...data }, key: leakid, extensions: { streamrevision: String(revision) } });
}
const detected = (leakid: string, at: string, org: string, risk: string, source: string) =>
  leakEvent(leakid, 'LeakDetected', at, {
    kind: 'token', secret_type: 'github-pat', fingerprint: 'f', preview: 'p', identity: null, site: null, org_id: org, source: { name: source }, risk,
    blockable: true, detected_at: at, finding_id: 'f',
  });
const attempt = (leakid: string, at: string, count?: number) =>
  leakEvent(leakid, 'LeakedTokenUseAttempted', at, { attempted_at: at, key_id: 'gw', blocked: true, ...(count ? { count, first_attempted_at: at } : {}) });

const orgA: Caller = { keyId: 'ka', role: 'analyst', orgId: 'org-a', verifiedDomains: [] };
const orgB: Caller = { keyId: 'kb', role: 'admin', orgId: 'org-b', verifiedDomains: [] };
const orgC: Caller = { keyId: 'kc', role: 'admin', orgId: 'org-c', verifiedDomains: [] };
const global: Caller = { keyId: 'kg', role: 'global_analyst', verifiedDomains: [] };
const window = { from: '2026-11-01', to: '2026-11-30', limit: 100 };

describe('attempts to use leaked tokens (PostgreSQL)', () => {
  let pg: ThrowawayPostgres;
  let pool: Pool;
  let queries: LeakAttemptsQueries;
  const [a1, a2, b1] = [1, 2, 3].map(id);

  beforeAll(async () => {
    pg = await startThrowawayPostgres();
    pool = await pg.newPool('attempts');
    await setUpStatsSchema(pool);
    const model = new LeakStatsReadModel(pool);
    queries = new LeakAttemptsQueries(pool);
    const events = [
      detected(a1, '2026-11-20T10:00:00Z', 'org-a', 'critical', 'github'),
      detected(a2, '2026-11-20T11:00:00Z', 'org-a', 'low', 'pastebin'),
      detected(b1, '2026-11-20T12:00:00Z', 'org-b', 'critical', 'github'),
      attempt(a1, '2026-11-21T08:00:00Z'),
      attempt(a1, '2026-11-23T08:00:00Z'),
      attempt(a2, '2026-11-22T08:00:00Z'),
      attempt(b1, '2026-11-22T09:00:00Z'),
      attempt(b1, '2026-11-24T09:00:00Z', 5), // five repeats a gateway folded into one event
    ];
    for (const e of events) {
      const fact = readLeakEvent(e);
      if (!fact) throw new Error(`not a leak event: ${e.type}`);
      await model.apply(fact);
      await model.apply(fact); // at-least-once delivery: a redelivered attempt is not a second attempt
    }
  });
  afterAll(async () => pg?.stop());

  it('lists the caller organisation\'s attempts newest first, with what the leak is', async () => {
    const list = await queries.list(orgA, window);
    expect(list.total).toBe(3);
    expect(list.items.map((i) => [i.leakid, i.at])).toEqual([
      [a1, '2026-11-23T08:00:00.000Z'],
      [a2, '2026-11-22T08:00:00.000Z'],
      [a1, '2026-11-21T08:00:00.000Z'],
    ]);
    expect(list.items[0]).toMatchObject({ risk: 'critical', status: 'open', type: 'organization', sources: ['github'], secret_type: 'github-pat', count: 1 });
  });

  it('counts folded attempts by their count: in the total and on their item', async () => {
    const list = await queries.list(orgB, window);
    expect(list.total).toBe(6);
    expect(list.items.map((i) => [i.at, i.count])).toEqual([['2026-11-24T09:00:00.000Z', 5], ['2026-11-22T09:00:00.000Z', 1]]);
  });

  it('never shows another organisation\'s attempts; global roles see all', async () => {
    expect((await queries.list(orgB, window)).items.map((i) => i.leakid)).toEqual([b1, b1]);
    expect(await queries.list(orgC, window)).toMatchObject({ total: 0, items: [] });
    expect((await queries.list(global, window)).total).toBe(9);
  });

  it('filters by day range, risk, source and leak', async () => {
    expect((await queries.list(orgA, { ...window, from: '2026-11-22', to: '2026-11-22' })).items.map((i) => i.leakid)).toEqual([a2]);
    expect((await queries.list(orgA, { ...window, risk: 'critical' })).total).toBe(2);
    expect((await queries.list(orgA, { ...window, source: 'pastebin' })).items.map((i) => i.leakid)).toEqual([a2]);
    expect((await queries.list(orgA, { ...window, leakid: a2 })).total).toBe(1);
    expect((await queries.list(orgA, { ...window, leakid: b1 })).total).toBe(0); // B's leak, asked for by id
  });

  it('pages with a limit while the total counts every match', async () => {
    const list = await queries.list(global, { ...window, limit: 2 });
    expect(list.total).toBe(9); // attempts (five of them folded into one event), not events
    expect(list.items).toHaveLength(2);
  });
});
