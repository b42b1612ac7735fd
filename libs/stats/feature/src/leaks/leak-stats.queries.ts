/**
 * Leak statistics through the caller's visibility — the same rules as the leak list (personal, employee,
 * customer, organization; global roles see every leak), applied to the stats context's own tables.
 * `type` counts are what each leak is FOR THIS CALLER (first matching rule, in that order).
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { Caller, LEAK_TYPES, leakTypeSql, leakVisibleSql } from '@leakwatch/authz';
import { LEAK_STATUSES, LeakStatus, Risk, RISKS } from '@leakwatch/contracts';
import { PG_POOL } from '@leakwatch/runtime';
import { leakStatsRowsSql } from './leak-versions.read-model';


export interface DayPoint {
  day: string;
  /** Leaks detected, or reopened, that day. */
  opened: number;
  fixed: number;
  token_use_attempts: number;
}

export interface LeakStats {
  window: { days: number; from: string; to: string };
  total: number;
  virtual_patched: number;
  by_status: Record<LeakStatus, number>;
  by_risk: Record<Risk, number>;
  by_type: Record<(typeof LEAK_TYPES)[number], number>;
  /** Leaks seen in each source (a leak seen in two sources counts in both). */
  by_source: Record<string, number>;
  /** The same breakdowns over open leaks only: what still needs attention. */
  open_by_risk: Record<Risk, number>;
  open_by_type: Record<(typeof LEAK_TYPES)[number], number>;
  open_by_source: Record<string, number>;
  /** Over the fixes in the window: how long each leak had been open (since detected or last reopened). */
  mean_time_to_fix: { seconds: number | null; hours: number | null; fixes: number };
  per_day: DayPoint[];
}

@Injectable()
export class LeakStatsQueries {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /**
   * One statement, few passes (the overview must stay interactive with 100,000 leaks): the caller's visible
   * leaks are materialised once; status, risk, type, the total and the patched count come from one GROUPING
   * SETS pass, sources from one unnest pass, and the window's activity from one join grouped by day (the mean
   * time to fix is summed per day and divided here). The answer is a few dozen small rows, folded below.
   * With `asOf`, the same query over each leak's version valid then (`st_leak_versions`) and the activity up to
   * then: the window ends on that day.
   */
  async stats(caller: Caller, days: number, now: Date, asOf?: Date): Promise<LeakStats> {
    if (asOf) now = asOf;
    const params: unknown[] = [];
    const p = (value: unknown) => `$${params.push(value)}`;
    const typeSql = leakTypeSql(caller, p);
    const to = now.toISOString().slice(0, 10);
    const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - (days - 1))).toISOString().slice(0, 10);
    const fromParam = p(from);
    const toParam = p(to);

    const { rows } = await this.pool.query<StatsRow>(
      `WITH v AS MATERIALIZED (
         SELECT leakid, status, risk, virtual_patch, sources, ${typeSql} AS caller_type FROM ${leakStatsRowsSql(asOf, p)} WHERE ${leakVisibleSql(caller, p)})
       SELECT 'count' AS part, GROUPING(status, risk, caller_type)::int AS grouping, status, risk, caller_type AS type, NULL::text AS label,
              count(*)::int AS n, count(*) FILTER (WHERE virtual_patch)::int AS patched, count(*) FILTER (WHERE status = 'open')::int AS open_n,
              NULL::int AS opened, NULL::int AS fixed, NULL::int AS attempts, NULL::float8 AS fix_seconds, NULL::int AS fixes
         FROM v GROUP BY GROUPING SETS ((status), (risk), (caller_type), ())
       UNION ALL
       SELECT 'source', NULL, NULL, NULL, NULL, src, count(*)::int, NULL, count(*) FILTER (WHERE v.status = 'open')::int, NULL, NULL, NULL, NULL, NULL
         FROM v, jsonb_array_elements_text(v.sources) src GROUP BY src
       UNION ALL
       SELECT 'day', NULL, NULL, NULL, NULL, (act.at AT TIME ZONE 'UTC')::date::text, NULL, NULL, NULL,
              count(*) FILTER (WHERE act.kind IN ('opened', 'reopened'))::int,
              count(*) FILTER (WHERE act.kind = 'fixed')::int,
              coalesce(sum(act.attempts) FILTER (WHERE act.kind = 'attempt'), 0)::int,
              sum(act.seconds_open) FILTER (WHERE act.kind = 'fixed' AND act.seconds_open IS NOT NULL),
              count(*) FILTER (WHERE act.kind = 'fixed' AND act.seconds_open IS NOT NULL)::int
         FROM st_leak_activity act JOIN v USING (leakid)
        WHERE act.at >= ${fromParam}::date AND act.at < ${toParam}::date + 1${asOf ? ` AND act.at <= ${p(asOf.toISOString())}::timestamptz` : ''}
        GROUP BY 6`,
      params,
    );

    let total = 0;
    let patched = 0;
    const byStatus: Record<string, number> = {};
    const byRisk: Record<string, number> = {};
    const byType: Record<string, number> = {};
    const bySource: Record<string, number> = {};
    const openByRisk: Record<string, number> = {};
    const openByType: Record<string, number> = {};
    const openBySource: Record<string, number> = {};
    const byDay = new Map<string, { opened: number; fixed: number; attempts: number }>();
    let fixSeconds = 0;
    let fixes = 0;
    for (const r of rows) {
      if (r.part === 'source' && r.label !== null) {
        bySource[r.label] = r.n ?? 0;
        if (r.open_n) openBySource[r.label] = r.open_n;
      }
      else if (r.part === 'day' && r.label !== null) {
        byDay.set(r.label, { opened: r.opened ?? 0, fixed: r.fixed ?? 0, attempts: r.attempts ?? 0 });
        fixSeconds += Number(r.fix_seconds ?? 0);
        fixes += r.fixes ?? 0;
      } else if (r.part === 'count') {
        // GROUPING bits (status, risk, caller_type): 1 = that column is rolled up in this row.
        if (r.grouping === 7) [total, patched] = [r.n ?? 0, r.patched ?? 0];
        else if (r.grouping === 3 && r.status !== null) byStatus[r.status] = r.n ?? 0;
        else if (r.grouping === 5 && r.risk !== null) [byRisk[r.risk], openByRisk[r.risk]] = [r.n ?? 0, r.open_n ?? 0];
        else if (r.grouping === 6 && r.type !== null) [byType[r.type], openByType[r.type]] = [r.n ?? 0, r.open_n ?? 0];
      }
    }
    const perDay: DayPoint[] = [];
    for (let i = 0; i < days; i++) {
      const day = new Date(Date.parse(`${from}T00:00:00Z`) + i * 86_400_000).toISOString().slice(0, 10);
      const d = byDay.get(day);
      perDay.push({ day, opened: d?.opened ?? 0, fixed: d?.fixed ?? 0, token_use_attempts: d?.attempts ?? 0 });
    }
    const mttf = fixes === 0 ? null : fixSeconds / fixes;
    return {
      window: { days, from, to },
      total,
      virtual_patched: patched,
      by_status: fill(LEAK_STATUSES, byStatus),
      by_risk: fill(RISKS, byRisk),
      by_type: fill(LEAK_TYPES, byType),
      by_source: bySource,
      open_by_risk: fill(RISKS, openByRisk),
      open_by_type: fill(LEAK_TYPES, openByType),
      open_by_source: openBySource,
      mean_time_to_fix: { seconds: mttf === null ? null : Math.round(mttf), hours: mttf === null ? null : Math.round((mttf / 3600) * 100) / 100, fixes },
      per_day: perDay,
    };
  }
}

interface StatsRow {
  part: 'count' | 'source' | 'day';
  grouping: number | null;
  status: string | null;
  risk: string | null;
  type: string | null;
  label: string | null;
  n: number | null;
  patched: number | null;
  open_n: number | null;
  opened: number | null;
  fixed: number | null;
  attempts: number | null;
  fix_seconds: number | string | null;
  fixes: number | null;
}

function fill<K extends string>(keys: readonly K[], counts: Record<string, number>): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, counts[k] ?? 0])) as Record<K, number>;
}

