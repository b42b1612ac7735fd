/**
 * Reads the remediation report from the stats context's own tables (`st_leaks`, `st_leak_activity`,
 * `st_leak_decisions`) through the caller's visibility — the same SQL rules as the leak list and the leak stats.
 * All three reads run in one read-only snapshot, so the figures and the decision list agree with each other.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { Caller, leakTypeSql, leakVisibleSql } from '@leakwatch/authz';
import { PG_POOL } from '@leakwatch/runtime';
import { RemediationReport, ReportDecision, ReportRow, summarize } from './remediation-report';

export interface ReportWindow {
  from: Date;
  /** Exclusive. */
  to: Date;
  openLongerThanDays: number;
}

@Injectable()
export class RemediationReportQueries {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async report(caller: Caller, window: ReportWindow): Promise<RemediationReport> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const rows = [...(await activityRows(client, caller, window)), ...(await openTooLongRows(client, caller, window))];
      const decisions = await decisionRows(client, caller, window);
      await client.query('COMMIT');
      return summarize(rows, { from: window.from.toISOString(), to: window.to.toISOString() }, window.openLongerThanDays, decisions);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

/** `v`: the caller's visible leaks with their type for this caller; `params`/`p` bind further values. */
function scoped(caller: Caller, window: ReportWindow) {
  const params: unknown[] = [];
  const p = (value: unknown) => `$${params.push(value)}`;
  const visible = `v AS (SELECT leakid, risk, sources, ${leakTypeSql(caller, p)} AS caller_type FROM st_leaks WHERE ${leakVisibleSql(caller, p)})`;
  // Bound only when asked for: PostgreSQL refuses a parameter the statement never uses.
  return {
    params, p, visible,
    get from() { return p(window.from.toISOString()); },
    get to() { return p(window.to.toISOString()); },
  };
}

async function activityRows(client: PoolClient, caller: Caller, window: ReportWindow): Promise<ReportRow[]> {
  const q = scoped(caller, window);
  const { rows } = await client.query(
    `WITH ${q.visible}
     SELECT a.kind, a.seconds_open, coalesce(d.reason = 'regression', false) AS regression, v.caller_type, v.risk, v.sources
       FROM st_leak_activity a JOIN v USING (leakid)
       LEFT JOIN st_leak_decisions d ON d.leakid = a.leakid AND d.revision = a.revision
      WHERE a.kind IN ('opened', 'reopened', 'fixed', 'false_positive') AND a.at >= ${q.from}::timestamptz AND a.at < ${q.to}::timestamptz`,
    q.params,
  );
  return rows.map((r) => ({ ...r, seconds_open: r.seconds_open === null ? null : Number(r.seconds_open) }) as ReportRow);
}

/** Leaks whose last status change before the end of the window left them open, more than N days before it. */
async function openTooLongRows(client: PoolClient, caller: Caller, window: ReportWindow): Promise<ReportRow[]> {
  const q = scoped(caller, window);
  const to = q.to;
  const days = q.p(window.openLongerThanDays);
  const { rows } = await client.query(
    `WITH ${q.visible},
       last AS (SELECT DISTINCT ON (a.leakid) a.leakid, a.kind, a.at FROM st_leak_activity a JOIN v USING (leakid)
                 WHERE a.kind IN ('opened', 'reopened', 'fixed', 'false_positive') AND a.at < ${to}::timestamptz
                 ORDER BY a.leakid, a.revision DESC)
     SELECT 'open_too_long' AS kind, v.caller_type, v.risk, v.sources FROM last JOIN v USING (leakid)
      WHERE last.kind IN ('opened', 'reopened') AND last.at < ${to}::timestamptz - make_interval(days => ${days}::int)`,
    q.params,
  );
  return rows as ReportRow[];
}

async function decisionRows(client: PoolClient, caller: Caller, window: ReportWindow): Promise<ReportDecision[]> {
  const q = scoped(caller, window);
  const { rows } = await client.query(
    `WITH ${q.visible}
     SELECT d.* FROM st_leak_decisions d JOIN v USING (leakid)
      WHERE d.at >= ${q.from}::timestamptz AND d.at < ${q.to}::timestamptz
      ORDER BY d.at, d.leakid, d.revision`,
    q.params,
  );
  return rows.map((d) => ({
    at: (d.at as Date).toISOString(),
    leakid: d.leakid,
    revision: d.revision,
    from: d.from_status,
    to: d.to_status,
    reason: d.reason,
    comment: d.comment,
    actor: { key_id: d.actor_key_id, role: d.actor_role, org_id: d.actor_org_id },
  }));
}
