/**
 * The leak list for exports: the same visibility and filters as `GET /api/v1/leaks` (LeakQueries.list), but
 * read as keyset pages (first_seen DESC, leakid DESC) yielded one at a time, so an export of any size holds one
 * page in memory, and no transaction or connection stays open while a slow client reads. With `as_of`, the
 * leaks as they were then (the list's temporal rows).
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { Caller, LeakType, leakTypeSql, leakVisibleSql } from '@leakwatch/authz';
import { PG_POOL } from '@leakwatch/runtime';
import { LeakView, leakFilterSql, leakRowsSql, toView } from './leak-queries';

export interface LeakExportFilters {
  type?: LeakType | 'all';
  status?: string;
  risk?: string;
  source?: string;
  virtual_patch?: boolean;
  q?: string;
  as_of?: string;
  first_seen_from?: string;
  first_seen_to?: string;
  fixed_from?: string;
  fixed_to?: string;
}

export const EXPORT_PAGE_SIZE = 500;

@Injectable()
export class LeakExportQuery {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** Every visible leak matching the filters, newest first, page by page. */
  async *pages(caller: Caller, filters: LeakExportFilters, pageSize = EXPORT_PAGE_SIZE): AsyncGenerator<LeakView[]> {
    let after: { firstSeen: Date; leakid: string } | undefined;
    for (;;) {
      const params: unknown[] = [];
      const p = (value: unknown) => `$${params.push(value)}`;
      const typeSql = leakTypeSql(caller, p);
      const where = [leakVisibleSql(caller, p), ...leakFilterSql(filters, p)];
      if (filters.type && filters.type !== 'all') where.push(`caller_type = ${p(filters.type)}`);
      if (after) where.push(`(first_seen, leakid) < (${p(after.firstSeen)}::timestamptz, ${p(after.leakid)})`);
      const { rows } = await this.pool.query(
        `SELECT * FROM (SELECT *, ${typeSql} AS caller_type FROM ${leakRowsSql(filters.as_of, p)}) l WHERE ${where.join(' AND ')} ORDER BY first_seen DESC, leakid DESC LIMIT ${p(pageSize)}`,
        params,
      );
      if (rows.length) yield rows.map(toView);
      if (rows.length < pageSize) return;
      const last = rows[rows.length - 1];
      after = { firstSeen: last.first_seen, leakid: last.leakid };
    }
  }
}
