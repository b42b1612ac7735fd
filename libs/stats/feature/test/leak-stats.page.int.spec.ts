/**
 * The stats leak read model applied a page at a time (one transaction, runs of LeakDetected as multi-row
 * inserts) gives exactly the rows of applying the same events one by one — and replaying pages changes nothing.
 */
import type { Pool } from 'pg';
import { CloudEvent, cloudEvent } from '@leakwatch/messaging';
import { startThrowawayPostgres, ThrowawayPostgres } from '@leakwatch/testing';
import { readLeakEvent } from '../src/leaks/leak-events.reader';
import { LeakStatsReadModel } from '../src/leaks/leak-stats.read-model';
import { LeakDecisionsReadModel, readLeakDecision } from '../src/reports/leak-decisions.read-model';
import { setUpStatsSchema } from '../src/stats-schema';

const id = (n: number) => n.toString(16).padStart(32, '0');
const revisions = new Map<string, number>();
let seq = 0;
function leakEvent(leakid: string, type: string, time: string, data: Record<string, unknown> = {}): CloudEvent {
  const revision = revisions.get(leakid) ?? 0;
  revisions.set(leakid, revision + 1);
  return cloudEvent({ id: `ev-${++seq}`, type, source: 'leakwatch/test', time, data: { leakid, ...data }, key: leakid, extensions: { streamrevision: String(revision), actorkeyid: 'k1', actorrole: 'admin' } });
}
const detected = (leakid: string, at: string, o: { org?: string; email?: string; site?: string; risk?: string }) =>
  leakEvent(leakid, 'LeakDetected', at, {
    kind: o.email ? 'credential' : 'token', secret_type: 'github-pat', identity: o.email ? { email: o.email } : null,
    site: o.site ? { domain: o.site } : null, org_id: o.org ?? null, source: { name: 'pastebin' }, risk: o.risk ?? 'high', detected_at: at,
  });

const TABLES = ['st_leaks', 'st_leak_activity', 'st_leak_decisions'];
async function dump(pool: Pool): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of TABLES) out[table] = (await pool.query(`SELECT * FROM ${table} ORDER BY 1, 2`)).rows;
  return out;
}

describe('stats leak read model, a page at a time (PostgreSQL)', () => {
  let pg: ThrowawayPostgres;
  beforeAll(async () => {
    pg = await startThrowawayPostgres();
  });
  afterAll(async () => pg?.stop());

  it('gives the rows of event-by-event application, and a replayed page is a no-op', async () => {
    const leaks = Array.from({ length: 40 }, (_, i) => id(i + 1));
    const events: CloudEvent[] = [];
    leaks.forEach((leak, i) => events.push(detected(leak, `2026-11-20T10:00:${String(i).padStart(2, '0')}Z`, { org: i % 2 ? 'org-a' : undefined, email: i % 3 ? undefined : `u${i}@acme.example`, site: i % 5 ? undefined : 'shop.acme.example' })));
    // Later events of leaks detected in the same page, interleaved with more detections.
    events.push(leakEvent(leaks[0], 'LeakSighted', '2026-11-21T09:00:00Z', { source: { name: 'github' } }));
    events.push(leakEvent(leaks[0], 'LeakStatusChanged', '2026-11-22T10:00:00Z', { from: 'open', to: 'fixed', reason: 'decision', comment: 'rotated' }));
    events.push(detected(id(100), '2026-11-22T11:00:00Z', { org: 'org-b', risk: 'low' }));
    events.push(leakEvent(leaks[1], 'VirtualPatchApplied', '2026-11-22T12:00:00Z'));
    events.push(leakEvent(leaks[1], 'LeakStatusChanged', '2026-11-23T10:00:00Z', { from: 'open', to: 'false_positive', reason: 'decision', comment: null }));
    events.push(leakEvent(leaks[0], 'LeakStatusChanged', '2026-11-24T10:00:00Z', { from: 'fixed', to: 'open', reason: 'regression', comment: null }));
    events.push(leakEvent(leaks[2], 'LeakedTokenUseAttempted', '2026-11-24T11:00:00Z', { attempted_at: '2026-11-24T11:00:00Z' }));
    // One leak toggled several times within one run (the fold carries its row from event to event), others between.
    for (const [k, to] of (['fixed', 'open', 'fixed', 'open', 'false_positive'] as const).entries()) {
      const from = k === 0 ? 'open' : (['fixed', 'open', 'fixed', 'open'] as const)[k - 1];
      events.push(leakEvent(leaks[3], 'LeakStatusChanged', `2026-11-25T1${k}:00:00Z`, { from, to, reason: 'decision', comment: null }));
      events.push(leakEvent(leaks[4 + k], 'LeakSighted', `2026-11-25T1${k}:30:00Z`, { source: { name: k % 2 ? 'github' : 'pastebin' } }));
    }
    events.push(leakEvent(leaks[3], 'LeakedTokenUseAttempted', '2026-11-26T11:00:00Z', { attempted_at: '2026-11-26T11:00:00Z' }));
    events.push(leakEvent(id(999), 'LeakStatusChanged', '2026-11-26T12:00:00Z', { from: 'open', to: 'fixed', reason: 'decision', comment: null })); // no such leak

    const oneByOne = await pg.newPool('stats_one');
    const paged = await pg.newPool('stats_paged');
    for (const pool of [oneByOne, paged]) await setUpStatsSchema(pool);

    const single = new LeakStatsReadModel(oneByOne);
    const decisions = new LeakDecisionsReadModel(oneByOne);
    for (const event of events) {
      const fact = readLeakEvent(event);
      const decision = readLeakDecision(event);
      if (!fact) continue;
      if (decision) await decisions.applyWithFact(decision, fact);
      else await single.apply(fact);
    }

    const model = new LeakStatsReadModel(paged);
    const items = (page: CloudEvent[]) =>
      page.flatMap((event) => {
        const fact = readLeakEvent(event);
        const decision = readLeakDecision(event);
        return fact ? [{ fact, decision }] : [];
      });
    // Pages of 17: page boundaries fall inside runs; then a duplicate-laden page and the whole history again.
    for (let i = 0; i < events.length; i += 17) await model.applyPage(items(events.slice(i, i + 17)));
    const expected = await dump(oneByOne);
    expect(expected.st_leaks).toHaveLength(41);
    expect(expected.st_leak_decisions).toHaveLength(9);
    expect((expected.st_leak_activity as Array<{ kind: string; seconds_open: number | null }>).filter((a) => a.kind === 'fixed' && a.seconds_open !== null)).toHaveLength(3);
    expect(await dump(paged)).toEqual(expected);

    await model.applyPage(items([...events.slice(0, 5), ...events.slice(0, 5), ...events.slice(40)]));
    await model.applyPage(items(events));
    expect(await dump(paged)).toEqual(expected);
  });

  it('backfills st_leak_decisions from a page in one insert, only what the leak stats passed, a replay inserting nothing', async () => {
    const pool = await pg.newPool('stats_decisions');
    await setUpStatsSchema(pool);
    const model = new LeakDecisionsReadModel(pool);
    const leak = id(500);
    const events = [
      detected(leak, '2026-11-20T10:00:00Z', { org: 'org-a' }),
      leakEvent(leak, 'LeakStatusChanged', '2026-11-21T10:00:00Z', { from: 'open', to: 'fixed', reason: 'decision', comment: 'done' }),
      leakEvent(leak, 'LeakStatusChanged', '2026-11-22T10:00:00Z', { from: 'fixed', to: 'open', reason: 'regression', comment: null }),
    ];
    const decisions = events.flatMap((e) => readLeakDecision(e) ?? []);
    const stats = new LeakStatsReadModel(pool);
    const facts = events.flatMap((e) => readLeakEvent(e) ?? []);
    // The leak stats have not passed the decisions (live ones): the leak stats consumer owns those rows.
    await stats.apply(facts[0]);
    await model.applyPage(decisions);
    expect((await pool.query(`SELECT 1 FROM st_leak_decisions`)).rows).toEqual([]);
    // Past decisions (the stats passed them without recording decisions, as a version without the table did).
    for (const fact of facts.slice(1)) await stats.apply(fact);
    await model.applyPage(decisions);
    await model.applyPage(decisions);
    const { rows } = await pool.query(`SELECT revision, from_status, to_status, reason, comment, actor_key_id FROM st_leak_decisions ORDER BY revision`);
    expect(rows).toEqual([
      { revision: 1, from_status: 'open', to_status: 'fixed', reason: 'decision', comment: 'done', actor_key_id: 'k1' },
      { revision: 2, from_status: 'fixed', to_status: 'open', reason: 'regression', comment: null, actor_key_id: 'k1' },
    ]);
  });
});
