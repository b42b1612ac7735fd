/**
 * The remediation report's figures on a known history, against real PostgreSQL: leak events (detections, fixes
 * after known durations, a false positive, a regression reopen, decisions with comments by known actors) fed
 * to the stats read models exactly as the consumer does — each delivered twice, then the whole history again —
 * and the report asserted to the second: counts, mean and p90 time to fix, long-open leaks, decisions, scoping.
 */
import type { Pool } from 'pg';
import type { Caller } from '@leakwatch/authz';
import { CloudEvent, cloudEvent } from '@leakwatch/messaging';
import { startThrowawayPostgres, ThrowawayPostgres } from '@leakwatch/testing';
import { readLeakEvent } from '../src/leaks/leak-events.reader';
import { LeakStatsReadModel } from '../src/leaks/leak-stats.read-model';
import { LeakDecisionsReadModel, readLeakDecision } from '../src/reports/leak-decisions.read-model';
import { RemediationReportQueries } from '../src/reports/remediation-report.queries';
import { setUpStatsSchema } from '../src/stats-schema';

const id = (n: number) => n.toString(16).padStart(32, '0');
const revisions = new Map<string, number>();
let seq = 0;
type Actor = { key: string; role: string; org?: string };
function leakEvent(leakid: string, type: string, time: string, data: Record<string, unknown> = {}, actor?: Actor): CloudEvent {
  const revision = revisions.get(leakid) ?? 0;
  revisions.set(leakid, revision + 1);
  const extensions: Record<string, string> = { streamrevision: String(revision) };
  if (actor) Object.assign(extensions, { actorkeyid: actor.key, actorrole: actor.role }, actor.org ? { actororgid: actor.org } : {});
  return cloudEvent({ id: `ev-${++seq}`, type, source: 'leakwatch/test', time, data: { leakid, ...data }, key: leakid, extensions });
}
const detected = (leakid: string, at: string, o: { org?: string | null; email?: string | null; risk: string; source: string }) =>
  leakEvent(leakid, 'LeakDetected', at, {
    kind: o.email ? 'credential' : 'token', secret_type: 'github-pat', fingerprint: 'f', preview: 'p', identity: o.email ? { email: o.email } : null,
    site: null, org_id: o.org ?? null, source: { name: o.source }, risk: o.risk, blockable: true, detected_at: at, finding_id: 'f',
  });
const status = (leakid: string, at: string, from: string, to: string, actor: Actor | undefined, comment: string | null, reason = 'decision') =>
  leakEvent(leakid, 'LeakStatusChanged', at, { from, to, comment, reason }, actor);

const adminA: Actor = { key: 'key-admin-a', role: 'admin', org: 'org-a' };
const adminB: Actor = { key: 'key-admin-b', role: 'admin', org: 'org-b' };
const root: Actor = { key: 'key-root', role: 'global_admin' };

const orgA: Caller = { keyId: 'key-analyst-a', role: 'analyst', orgId: 'org-a', verifiedDomains: ['acme.example'] };
const orgB: Caller = { keyId: 'key-analyst-b', role: 'analyst', orgId: 'org-b', verifiedDomains: [] };
const global: Caller = { keyId: 'key-root', role: 'global_analyst', verifiedDomains: [] };

const DAY = 86_400;
const [l1, l2, l3, l4, l5, l6, l7, l8, l9] = [1, 2, 3, 4, 5, 6, 7, 8, 9].map(id);
const november = { from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-12-01T00:00:00Z'), openLongerThanDays: 30 };

describe('remediation report (PostgreSQL)', () => {
  let pg: ThrowawayPostgres;
  let pool: Pool;
  let queries: RemediationReportQueries;

  beforeAll(async () => {
    pg = await startThrowawayPostgres();
    pool = await pg.newPool('reports');
    await setUpStatsSchema(pool);
    const stats = new LeakStatsReadModel(pool);
    const decisions = new LeakDecisionsReadModel(pool);
    queries = new RemediationReportQueries(pool);

    const events = [
      detected(l1, '2026-10-01T00:00:00Z', { org: 'org-a', risk: 'critical', source: 'github' }), // open all along: 61 days at the end
      detected(l7, '2026-10-15T00:00:00Z', { org: 'org-a', risk: 'high', source: 'github' }),
      status(l7, '2026-10-20T00:00:00Z', 'open', 'fixed', adminA, 'before the window'),
      detected(l9, '2026-10-01T00:00:00Z', { org: 'org-b', risk: 'medium', source: 'github' }),
      detected(l2, '2026-11-02T00:00:00Z', { org: 'org-a', risk: 'high', source: 'pastebin' }),
      status(l2, '2026-11-03T00:00:00Z', 'open', 'fixed', adminA, 'rotated'), // 1 day
      detected(l8, '2026-11-03T00:00:00Z', { org: 'org-b', risk: 'high', source: 'github' }),
      status(l8, '2026-11-04T00:00:00Z', 'open', 'fixed', adminB, 'B fixed'), // B: 1 day
      detected(l3, '2026-11-05T00:00:00Z', { org: 'org-a', risk: 'high', source: 'pastebin' }),
      status(l3, '2026-11-05T02:00:00Z', 'open', 'fixed', adminA, 'revoked'), // 2 hours
      detected(l4, '2026-11-06T00:00:00Z', { email: 'bob@acme.example', risk: 'medium', source: 'stealer-log' }), // employee of A
      status(l4, '2026-11-07T00:00:00Z', 'open', 'false_positive', adminA, '=test account'),
      detected(l5, '2026-11-08T00:00:00Z', { org: 'org-a', risk: 'low', source: 'github' }),
      status(l3, '2026-11-10T00:00:00Z', 'fixed', 'open', undefined, 'seen again after it was fixed', 'regression'),
      status(l3, '2026-11-12T00:00:00Z', 'open', 'fixed', adminA, 'rotated again'), // 2 days since the reopen
      status(l5, '2026-11-20T00:00:00Z', 'open', 'fixed', root, 'fixed by the SOC'), // 12 days
      detected(l6, '2026-11-28T00:00:00Z', { org: 'org-a', risk: 'low', source: 'github' }), // open 3 days at the end
    ];
    // Exactly what LeakStatsConsumer does with each message, at least once: twice each, then all again.
    const deliver = async (e: CloudEvent) => {
      const fact = readLeakEvent(e);
      if (!fact) throw new Error(`not a leak event: ${e.type}`);
      const decision = readLeakDecision(e);
      if (decision) await decisions.applyWithFact(decision, fact);
      else await stats.apply(fact);
    };
    for (const e of events) {
      await deliver(e);
      await deliver(e);
    }
    for (const e of events) await deliver(e);
  }, 60_000);
  afterAll(async () => pg?.stop());

  it("gives an organisation's totals: opened, fixed, false positives, regression reopens, mean and p90 time to fix, long-open leaks", async () => {
    const report = await queries.report(orgA, november);
    expect(report.window).toEqual({ from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' });
    expect(report.open_longer_than_days).toBe(30);
    // Fixes in the window: 1 day, 2 hours, 2 days, 12 days.
    expect(report.totals).toEqual({
      opened: 5, reopened: 1, reopened_by_regression: 1, fixed: 4, false_positives: 1,
      mean_time_to_fix_seconds: (DAY + 2 * 3600 + 2 * DAY + 12 * DAY) / 4, p90_time_to_fix_seconds: 12 * DAY, open_longer_than_n_days: 1,
    });
  });

  it('breaks the figures down by type (as the caller sees it), risk and source', async () => {
    const report = await queries.report(orgA, november);
    expect(report.by_type.organization).toMatchObject({ opened: 4, fixed: 4, reopened_by_regression: 1, false_positives: 0, open_longer_than_n_days: 1 });
    expect(report.by_type.employee).toMatchObject({ opened: 1, fixed: 0, false_positives: 1, mean_time_to_fix_seconds: null });
    expect(report.by_type.personal.opened + report.by_type.customer.opened).toBe(0);
    expect(report.by_risk.high).toEqual({
      opened: 2, reopened: 1, reopened_by_regression: 1, fixed: 3, false_positives: 0,
      mean_time_to_fix_seconds: (DAY + 2 * 3600 + 2 * DAY) / 3, p90_time_to_fix_seconds: 2 * DAY, open_longer_than_n_days: 0,
    });
    expect(report.by_risk.critical).toMatchObject({ opened: 0, open_longer_than_n_days: 1 });
    expect(report.by_risk.low).toMatchObject({ opened: 2, fixed: 1, mean_time_to_fix_seconds: 12 * DAY, p90_time_to_fix_seconds: 12 * DAY });
    expect(report.by_risk.medium).toMatchObject({ opened: 1, false_positives: 1 });
    expect(Object.keys(report.by_source)).toEqual(['github', 'pastebin', 'stealer-log']);
    expect(report.by_source.github).toMatchObject({ opened: 2, fixed: 1, open_longer_than_n_days: 1 });
    expect(report.by_source.pastebin).toMatchObject({ opened: 2, fixed: 3, p90_time_to_fix_seconds: 2 * DAY });
  });

  it('lists every status change in the window, oldest first, with time, actor, from → to, reason and comment', async () => {
    const report = await queries.report(orgA, november);
    expect(report.decisions).toEqual([
      { at: '2026-11-03T00:00:00.000Z', leakid: l2, revision: 1, from: 'open', to: 'fixed', reason: 'decision', comment: 'rotated', actor: { key_id: 'key-admin-a', role: 'admin', org_id: 'org-a' } },
      { at: '2026-11-05T02:00:00.000Z', leakid: l3, revision: 1, from: 'open', to: 'fixed', reason: 'decision', comment: 'revoked', actor: { key_id: 'key-admin-a', role: 'admin', org_id: 'org-a' } },
      { at: '2026-11-07T00:00:00.000Z', leakid: l4, revision: 1, from: 'open', to: 'false_positive', reason: 'decision', comment: '=test account', actor: { key_id: 'key-admin-a', role: 'admin', org_id: 'org-a' } },
      { at: '2026-11-10T00:00:00.000Z', leakid: l3, revision: 2, from: 'fixed', to: 'open', reason: 'regression', comment: 'seen again after it was fixed', actor: { key_id: null, role: null, org_id: null } },
      { at: '2026-11-12T00:00:00.000Z', leakid: l3, revision: 3, from: 'open', to: 'fixed', reason: 'decision', comment: 'rotated again', actor: { key_id: 'key-admin-a', role: 'admin', org_id: 'org-a' } },
      { at: '2026-11-20T00:00:00.000Z', leakid: l5, revision: 1, from: 'open', to: 'fixed', reason: 'decision', comment: 'fixed by the SOC', actor: { key_id: 'key-root', role: 'global_admin', org_id: null } },
    ]);
  });

  it('counts leaks open longer than N days at the end of the window, whatever N', async () => {
    expect((await queries.report(orgA, { ...november, openLongerThanDays: 2 })).totals.open_longer_than_n_days).toBe(2); // l1 and l6 (3 days)
    expect((await queries.report(orgA, { ...november, openLongerThanDays: 61 })).totals.open_longer_than_n_days).toBe(0); // l1 exactly 61 days
    expect((await queries.report(orgA, { ...november, openLongerThanDays: 60 })).totals.open_longer_than_n_days).toBe(1);
  });

  it('counts only what happened inside the window (end excluded), and the long-open leaks as of its end', async () => {
    const report = await queries.report(orgA, { from: new Date('2026-11-02T00:00:00Z'), to: new Date('2026-11-05T02:00:00Z'), openLongerThanDays: 30 });
    expect(report.totals).toMatchObject({ opened: 2, fixed: 1, reopened: 0, mean_time_to_fix_seconds: DAY, open_longer_than_n_days: 1 });
    expect(report.decisions.map((d) => d.leakid)).toEqual([l2]);
    // As of 25 Nov, l3 was fixed again and l1 open 55 days; l5 fixed; l6 not yet detected.
    const early = await queries.report(orgA, { from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-11-25T00:00:00Z'), openLongerThanDays: 0 });
    expect(early.totals.open_longer_than_n_days).toBe(1);
  });

  it("never counts or lists another organisation's leaks; global roles see all", async () => {
    const b = await queries.report(orgB, november);
    expect(b.totals).toEqual({
      opened: 1, reopened: 0, reopened_by_regression: 0, fixed: 1, false_positives: 0, mean_time_to_fix_seconds: DAY, p90_time_to_fix_seconds: DAY, open_longer_than_n_days: 1,
    });
    expect(b.decisions).toEqual([expect.objectContaining({ leakid: l8, comment: 'B fixed', actor: { key_id: 'key-admin-b', role: 'admin', org_id: 'org-b' } })]);
    expect(JSON.stringify(b)).not.toMatch(new RegExp([l1, l2, l3, l4, l5, l6, l7].join('|')));
    expect(Object.keys(b.by_source)).toEqual(['github']);

    const all = await queries.report(global, november);
    expect(all.totals).toMatchObject({ opened: 6, fixed: 5, false_positives: 1, reopened_by_regression: 1, open_longer_than_n_days: 2 });
    expect(all.decisions).toHaveLength(7);
  });
});
