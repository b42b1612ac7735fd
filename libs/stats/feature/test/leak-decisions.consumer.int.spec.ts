/**
 * The decisions read model through the real consumers, on a real (in-process) bus and real PostgreSQL:
 * an installation upgraded from a version without `st_leak_decisions` (its leak stats already current) gets
 * every past decision from the decisions consumer's own group, which starts at the beginning of the topic;
 * a live decision is the leak stats consumer's alone to write (the backfill leaves what the stats have not
 * passed), and every decision is stored exactly once.
 */
import type { Pool } from 'pg';
import { CloudEvent, cloudEvent, InProcessMessageBus, TOPICS } from '@leakwatch/messaging';
import { startThrowawayPostgres, ThrowawayPostgres } from '@leakwatch/testing';
import { readLeakEvent } from '../src/leaks/leak-events.reader';
import { LeakStatsConsumer } from '../src/leaks/leak-stats.consumer';
import { LeakStatsReadModel } from '../src/leaks/leak-stats.read-model';
import { LeakDecisionsConsumer } from '../src/reports/leak-decisions.consumer';
import { LeakDecisionsReadModel } from '../src/reports/leak-decisions.read-model';
import { RemediationReportQueries } from '../src/reports/remediation-report.queries';
import { StatsSchema } from '../src/stats-schema';

const id = (n: number) => n.toString(16).padStart(32, '0');
const revisions = new Map<string, number>();
let seq = 0;
function leakEvent(leakid: string, type: string, time: string, data: Record<string, unknown>, actor?: { key: string; role: string; org: string }): CloudEvent {
  const revision = revisions.get(leakid) ?? 0;
  revisions.set(leakid, revision + 1);
  const extensions: Record<string, string> = { streamrevision: String(revision) };
  if (actor) Object.assign(extensions, { actorkeyid: actor.key, actorrole: actor.role, actororgid: actor.org });
  return cloudEvent({ id: `ev-${++seq}`, type, source: 'leakwatch/test', time, data: { leakid, ...data }, key: leakid, extensions });
}
const detected = (leakid: string, at: string) =>
  leakEvent(leakid, 'LeakDetected', at, { kind: 'token', secret_type: 'github-pat', identity: null, site: null, org_id: 'org-a', source: { name: 'github' }, risk: 'high', detected_at: at });
const admin = { key: 'key-admin-a', role: 'admin', org: 'org-a' };

describe('decisions consumers (PostgreSQL, in-process bus)', () => {
  let pg: ThrowawayPostgres;
  let pool: Pool;

  beforeAll(async () => {
    pg = await startThrowawayPostgres();
    pool = await pg.newPool('decisions');
  }, 60_000);
  afterAll(async () => pg?.stop());

  it('backfills the decisions of an upgraded installation, each stored once, with figures that agree', async () => {
    const schema = new StatsSchema(pool);
    await schema.ready();
    const [l1, l2] = [1, 2].map(id);
    const history = [
      detected(l1, '2026-11-02T00:00:00Z'),
      leakEvent(l1, 'LeakStatusChanged', '2026-11-03T00:00:00Z', { from: 'open', to: 'fixed', comment: 'rotated', reason: 'decision' }, admin),
      leakEvent(l1, 'LeakSighted', '2026-11-04T00:00:00Z', { source: { name: 'pastebin' } }),
      leakEvent(l1, 'LeakStatusChanged', '2026-11-04T00:00:00Z', { from: 'fixed', to: 'open', comment: 'seen again after it was fixed', reason: 'regression' }),
      detected(l2, '2026-11-05T00:00:00Z'),
      leakEvent(l2, 'LeakStatusChanged', '2026-11-06T00:00:00Z', { from: 'open', to: 'false_positive', comment: 'test key', reason: 'decision' }, admin),
    ];
    // The previous version's consumer already built the leak stats, but kept no decisions.
    const stats = new LeakStatsReadModel(pool);
    for (const e of history) {
      const fact = readLeakEvent(e);
      if (fact) await stats.apply(fact);
    }
    const decisions = new LeakDecisionsReadModel(pool);
    const bus = new InProcessMessageBus({ partitions: 2 });
    await bus.publish(TOPICS.leaks, history);
    await bus.publish(TOPICS.leaks, history); // at-least-once: everything again
    const backfill = new LeakDecisionsConsumer(schema, decisions, bus, 'test');
    const live = new LeakStatsConsumer(schema, stats, decisions, bus, 'test');
    const rows = async () => (await pool.query('SELECT leakid, revision, to_status, reason, comment, actor_key_id FROM st_leak_decisions ORDER BY at')).rows;
    try {
      // Upgrade: only the new group reads the topic's past.
      await backfill.onModuleInit();
      await bus.drain();
      expect(await rows()).toEqual([
        { leakid: l1, revision: 1, to_status: 'fixed', reason: 'decision', comment: 'rotated', actor_key_id: 'key-admin-a' },
        { leakid: l1, revision: 3, to_status: 'open', reason: 'regression', comment: 'seen again after it was fixed', actor_key_id: null },
        { leakid: l2, revision: 1, to_status: 'false_positive', reason: 'decision', comment: 'test key', actor_key_id: 'key-admin-a' },
      ]);
      // A decision the leak stats have not passed is not the backfill's to write (the live consumer owns it).
      await decisions.applyPage([{ leakid: l2, revision: 9, at: '2026-11-08T00:00:00Z', from: 'open', to: 'fixed', reason: 'decision', comment: null, actor: { key_id: null, role: null, org_id: null } }]);
      expect(await rows()).toHaveLength(3);
      // Live: both consumers see the next decision; the leak stats consumer writes it with its counts.
      await live.onModuleInit();
      await bus.publish(TOPICS.leaks, [leakEvent(l2, 'LeakStatusChanged', '2026-11-07T00:00:00Z', { from: 'false_positive', to: 'open', comment: 'not a test key after all', reason: 'decision' }, admin)]);
      await bus.drain();
    } finally {
      await backfill.onApplicationShutdown();
      await live.onApplicationShutdown();
      await bus.close();
    }

    expect(await rows()).toHaveLength(4);
    expect((await rows())[3]).toEqual({ leakid: l2, revision: 2, to_status: 'open', reason: 'decision', comment: 'not a test key after all', actor_key_id: 'key-admin-a' });
    const report = await new RemediationReportQueries(pool).report(
      { keyId: 'k', role: 'analyst', orgId: 'org-a', verifiedDomains: [] },
      { from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-12-01T00:00:00Z'), openLongerThanDays: 30 },
    );
    expect(report.totals).toMatchObject({ opened: 2, fixed: 1, reopened: 2, reopened_by_regression: 1, false_positives: 1, mean_time_to_fix_seconds: 86_400 });
    expect(report.decisions).toHaveLength(4);
  }, 60_000);
});
