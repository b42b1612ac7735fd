/**
 * Attempts to use leaked tokens (the "attempt" rows of `st_leak_activity`, each with its count), newest first, for the leaks the
 * caller may see — the same visibility SQL as the leak list and the statistics, so an organisation never
 * sees another's attempts. Filters: a UTC day range, risk, source, one leak.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { Caller, leakTypeSql, leakVisibleSql } from '@leakwatch/authz';
import { PG_POOL } from '@leakwatch/runtime';

export interface AttemptFilters {
  /** First and last UTC day, inclusive (YYYY-MM-DD). */
  from: string;
  to: string;
  risk?: string;
  source?: string;
  leakid?: string;
  limit: number;
}

export interface AttemptView {
  leakid: string;
  /** The (last) attempt's time. */
  at: string;
  /** Attempts this item stands for (a gateway's folded repeats). */
  count: number;
  secret_type: string;
  type: string | null;
  risk: string;
  status: string;
  virtual_patch: boolean;
  sources: string[];
}

export interface AttemptList {
  window: { from: string; to: string };
  total: number;
  items: AttemptView[];
}

@Injectable()
export class LeakAttemptsQueries {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async list(caller: Caller, filters: AttemptFilters): Promise<AttemptList> {
    const params: unknown[] = [];
    const p = (value: unknown) => `$${params.push(value)}`;
    const visible = `(SELECT *, ${leakTypeSql(caller, p)} AS caller_type FROM st_leaks WHERE ${leakVisibleSql(caller, p)}) l`;
    const where = [
      `act.kind = 'attempt'`,
      `act.at >= ${p(filters.from)}::date`,
      `act.at < ${p(filters.to)}::date + 1`,
    ];
    if (filters.risk) where.push(`l.risk = ${p(filters.risk)}`);
    if (filters.source) where.push(`l.sources ? ${p(filters.source)}`);
    if (filters.leakid) where.push(`l.leakid = ${p(filters.leakid)}`);
    const from = `FROM st_leak_activity act JOIN ${visible} USING (leakid) WHERE ${where.join(' AND ')}`;
    const [total, page] = await Promise.all([
      this.pool.query<{ n: number }>(`SELECT coalesce(sum(act.attempts), 0)::int AS n ${from}`, params),
      this.pool.query(
        `SELECT l.leakid, act.at, act.attempts, l.secret_type, l.caller_type, l.risk, l.status, l.virtual_patch, l.sources ${from}
         ORDER BY act.at DESC, l.leakid, act.revision DESC LIMIT ${Number(filters.limit)}`,
        params,
      ),
    ]);
    return {
      window: { from: filters.from, to: filters.to },
      total: total.rows[0].n,
      items: page.rows.map((r) => ({
        leakid: r.leakid, at: r.at.toISOString(), count: r.attempts, secret_type: r.secret_type, type: r.caller_type ?? null, risk: r.risk, status: r.status,
        virtual_patch: r.virtual_patch, sources: r.sources,
      })),
    };
  }
}
