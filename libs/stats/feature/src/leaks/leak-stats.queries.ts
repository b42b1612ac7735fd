/**
 * Leak statistics through the caller's visibility — the same rules as the leak list (personal, employee,
 * customer, organization; global roles see every leak), applied to the stats context's own tables.
 * `type` counts are what each leak is FOR THIS CALLER (first matching rule, in that order).
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { Caller, LEAK_TYPES, leakTypeSql, leakVisibleSql } from '@leakwatch/authz';
import { PG_POOL } from '@leakwatch/runtime';

export const STATUSES = ['open', 'fixed', 'false_positive'] as const;
export const RISKS = ['critical', 'high', 'medium', 'low'] as const;

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
  by_status: Record<(typeof STATUSES)[number], number>;
  by_risk: Record<(typeof RISKS)[number], number>;
  by_type: Record<(typeof LEAK_TYPES)[number], number>;
  /** Leaks seen in each source (a leak seen in two sources counts in both). */
  by_source: Record<string, number>;
  /** Over the fixes in the window: how long each leak had been open (since detected or last reopened). */
  mean_time_to_fix: { seconds: number | null; hours: number | null; fixes: number };
  per_day: DayPoint[];
}

@Injectable()
export class LeakStatsQueries {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async stats(caller: Caller, days: number, now: Date): Promise<LeakStats> {
    const params: unknown[] = [];
    const p = (value: unknown) => `$${params.push(value)}`;
    const typeSql = leakTypeSql(caller, p);
    const visible = `(SELECT *, ${typeSql} AS caller_type FROM st_leaks WHERE ${leakVisibleSql(caller, p)})`;
    const to = now.toISOString().slice(0, 10);
    const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - (days - 1))).toISOString().slice(0, 10);
    const fromParam = p(from);
    const toParam = p(to);

    const { rows } = await this.pool.query(
      `WITH v AS ${visible},
         a AS (SELECT act.* FROM st_leak_activity act JOIN v USING (leakid)
               WHERE act.at >= ${fromParam}::date AND act.at < ${toParam}::date + 1)
       SELECT
         (SELECT count(*)::int FROM v) AS total,
         (SELECT count(*)::int FROM v WHERE virtual_patch) AS virtual_patched,
         (SELECT coalesce(jsonb_object_agg(status, n), '{}') FROM (SELECT status, count(*)::int n FROM v GROUP BY status) s) AS by_status,
         (SELECT coalesce(jsonb_object_agg(risk, n), '{}') FROM (SELECT risk, count(*)::int n FROM v GROUP BY risk) s) AS by_risk,
         (SELECT coalesce(jsonb_object_agg(caller_type, n), '{}') FROM (SELECT caller_type, count(*)::int n FROM v WHERE caller_type IS NOT NULL GROUP BY caller_type) s) AS by_type,
         (SELECT coalesce(jsonb_object_agg(source, n), '{}') FROM (SELECT src AS source, count(*)::int n FROM v, jsonb_array_elements_text(v.sources) src GROUP BY src) s) AS by_source,
         (SELECT avg(seconds_open) FROM a WHERE kind = 'fixed' AND seconds_open IS NOT NULL) AS mttf,
         (SELECT count(*)::int FROM a WHERE kind = 'fixed' AND seconds_open IS NOT NULL) AS fixes,
         (SELECT coalesce(jsonb_agg(jsonb_build_object('day', d.day, 'opened', d.opened, 'fixed', d.fixed, 'attempts', d.attempts) ORDER BY d.day), '[]')
            FROM (SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
                         count(*) FILTER (WHERE kind IN ('opened', 'reopened'))::int AS opened,
                         count(*) FILTER (WHERE kind = 'fixed')::int AS fixed,
                         count(*) FILTER (WHERE kind = 'attempt')::int AS attempts
                  FROM a GROUP BY 1) d) AS per_day`,
      params,
    );
    const r = rows[0];
    const byDay = new Map<string, { opened: number; fixed: number; attempts: number }>((r.per_day as Array<{ day: string; opened: number; fixed: number; attempts: number }>).map((d) => [d.day, d]));
    const perDay: DayPoint[] = [];
    for (let i = 0; i < days; i++) {
      const day = new Date(Date.parse(`${from}T00:00:00Z`) + i * 86_400_000).toISOString().slice(0, 10);
      const d = byDay.get(day);
      perDay.push({ day, opened: d?.opened ?? 0, fixed: d?.fixed ?? 0, token_use_attempts: d?.attempts ?? 0 });
    }
    const mttf = r.mttf === null ? null : Number(r.mttf);
    return {
      window: { days, from, to },
      total: r.total,
      virtual_patched: r.virtual_patched,
      by_status: fill(STATUSES, r.by_status),
      by_risk: fill(RISKS, r.by_risk),
      by_type: fill(LEAK_TYPES, r.by_type),
      by_source: r.by_source,
      mean_time_to_fix: { seconds: mttf === null ? null : Math.round(mttf), hours: mttf === null ? null : Math.round((mttf / 3600) * 100) / 100, fixes: r.fixes },
      per_day: perDay,
    };
  }
}

function fill<K extends string>(keys: readonly K[], counts: Record<string, number>): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, counts[k] ?? 0])) as Record<K, number>;
}

