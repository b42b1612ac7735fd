/**
 * Leak reads, always through the caller's visibility (the SQL mirror of the authz policy: personal,
 * employee, customer, organization; global roles see all). `type` is what the leak is FOR THIS CALLER.
 */
import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { Caller, LeakType, leakTypeSql, leakVisibleSql } from '@leakwatch/authz';
import { PG_POOL, weakEtagOf } from '@leakwatch/runtime';
import { LeakListCounts } from './leak-list-counts';
import { LeakListPageCache } from './leak-list-page-cache';
import { LEAK_VIEW_COLUMNS_SQL, LEAK_VIEW_COLUMN_COUNT, leakViewJson } from './leak-view-json';
import { DEFAULT_LEAK_ORDER, LeakOrder, LeakSort, SortDirection, afterCursorSql, decodeLeakCursor, encodeLeakCursor, orderBySql, sortValueSql } from './leak-list-order';

export { InvalidCursorError } from './leak-list-order';

export interface LeakView {
  leakid: string;
  kind: string;
  secret_type: string;
  type: LeakType | null;
  preview: string;
  fingerprint: string | null;
  status: string;
  virtual_patch: boolean;
  risk: string;
  blockable: boolean;
  identity: { email: string | null; username: string | null } | null;
  site: { url: string | null; domain: string | null } | null;
  org_id: string | null;
  sources: string[];
  sightings: number;
  attempts: number;
  first_seen: string;
  last_seen: string;
  fixed_at: string | null;
  revision: number;
}

export interface LeakFilters {
  type?: LeakType | 'all';
  status?: string;
  risk?: string;
  source?: string;
  virtual_patch?: boolean;
  q?: string;
  limit: number;
  cursor?: string;
  sort?: LeakSort;
  direction?: SortDirection;
  /** ISO time: the list as it was then, from the temporal read model (`ll_leak_versions`). */
  as_of?: string;
  /** ISO times: first seen in [from, to), fixed in [from, to). */
  first_seen_from?: string;
  first_seen_to?: string;
  fixed_from?: string;
  fixed_to?: string;
}

/**
 * A page of the list as the API answers it: `body` is its JSON (UTF-8); `nextCursor` (also in the body) is for the
 * `Link` header; `etag` the weak ETag of `body` (weakEtagOf), computed once for a page answered again from memory.
 */
export interface LeakListPage {
  body: Buffer;
  nextCursor: string | null;
  etag: string;
}

type FilterFields = 'status' | 'risk' | 'source' | 'virtual_patch' | 'q' | 'first_seen_from' | 'first_seen_to' | 'fixed_from' | 'fixed_to';

/**
 * The leak rows a list reads: today's (`ll_leaks`), or — with `asOf` — every leak's version valid at that
 * moment (`ll_leak_versions`, same columns), so one visibility/filter/order/summary builder serves both.
 */
export function leakRowsSql(asOf: string | undefined, p: (value: unknown) => string): string {
  if (!asOf) return 'll_leaks';
  return `(SELECT * FROM ll_leak_versions WHERE tstzrange(valid_from, valid_to, '[)') @> ${p(asOf)}::timestamptz) AS as_of`;
}

/** The list's filters besides visibility and type (status, risk, source, virtual patch, search, dates): the list and the export share them. */
export function leakFilterSql(filters: Pick<LeakFilters, FilterFields>, p: (value: unknown) => string): string[] {
  const where: string[] = [];
  if (filters.first_seen_from) where.push(`first_seen >= ${p(filters.first_seen_from)}::timestamptz`);
  if (filters.first_seen_to) where.push(`first_seen < ${p(filters.first_seen_to)}::timestamptz`);
  if (filters.fixed_from) where.push(`fixed_at >= ${p(filters.fixed_from)}::timestamptz`);
  if (filters.fixed_to) where.push(`fixed_at < ${p(filters.fixed_to)}::timestamptz`);
  if (filters.status) where.push(`status = ${p(filters.status)}`);
  if (filters.risk) where.push(`risk = ${p(filters.risk)}`);
  if (filters.source) where.push(`sources ? ${p(filters.source)}`);
  if (filters.virtual_patch !== undefined) where.push(`virtual_patch = ${p(filters.virtual_patch)}`);
  if (filters.q) {
    const q = p(`%${filters.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    where.push(`(leakid ILIKE ${q} OR preview ILIKE ${q} OR secret_type ILIKE ${q} OR identity_email ILIKE ${q} OR site_domain ILIKE ${q} OR source ILIKE ${q})`);
  }
  return where;
}

@Injectable()
export class LeakQueries {
  private readonly counts: LeakListCounts<{ total: number; summary: Record<'personal' | 'employee' | 'customer' | 'organization', number> }>;

  constructor(@Inject(PG_POOL) private readonly pool: Pool) {
    this.counts = new LeakListCounts(pool);
  }

  private readonly pages = new LeakListPageCache();

  /**
   * A page of the list, its JSON already written (`leakViewJson`: the bytes `JSON.stringify(toView(row))` gives).
   * The page query selects only the view's columns (times as text), the sort value for the cursor and the versions
   * of `ll_leaks` it was read at, as array rows. A page asked again before any write to `ll_leaks` is answered from
   * memory after one version check.
   */
  async list(caller: Caller, filters: LeakFilters): Promise<LeakListPage> {
    if (filters.as_of) return serialized(await this.listAsOf(caller, filters, filters.as_of));
    const params: unknown[] = [];
    const p = bindForGenericPlan(params);
    const typeSql = leakTypeSql(caller, p);
    const where: string[] = [leakVisibleSql(caller, p), ...leakFilterSql(filters, p)];
    const base = `FROM (SELECT *, ${typeSql} AS caller_type FROM ${leakRowsSql(filters.as_of, p)}) l WHERE ${where.join(' AND ')}`;
    const typedParams = [...params];
    const q = (value: unknown) => `$${typedParams.push(value)}`;
    const typed = filters.type && filters.type !== 'all' ? ` AND caller_type = ${q(filters.type)}` : '';
    const order: LeakOrder = { sort: filters.sort ?? DEFAULT_LEAK_ORDER.sort, direction: filters.direction ?? DEFAULT_LEAK_ORDER.direction };
    // The cursor binds parameters of the page query only (the counts below run without it).
    const pageParams = [...typedParams];
    const r = (value: unknown) => `$${pageParams.push(value)}`;
    const cursorSql = filters.cursor ? ` AND ${afterCursorSql(decodeLeakCursor(filters.cursor, order), r)}` : '';
    // The limit is written into the text (a checked integer), not bound: with `LIMIT $n` PostgreSQL's generic plan
    // expects a tenth of the table, so it re-planned the page query on every request (~half its CPU there).
    if (!Number.isSafeInteger(filters.limit) || filters.limit < 1) throw new Error(`limit must be a positive integer, got ${filters.limit}`);
    // The page carries the versions of ll_leaks it was read at (same snapshot): counts cached at that version match
    // it, and the page itself may be answered again while the rows version is current (leak-list-page-cache.ts).
    const text = `SELECT ${LEAK_VIEW_COLUMNS_SQL}, ${sortValueSql(order.sort)} AS sort_value, ${await this.counts.versionColumns()} ${base}${typed}${cursorSql} ORDER BY ${orderBySql(order)} LIMIT ${filters.limit + 1}`;
    // The exact query: its text (the shape, the order, the limit) and every value bound to it (visibility, filters, cursor).
    const key = `${text}\u0000${JSON.stringify(pageParams)}`;
    const kept = this.pages.peek(key);
    if (kept && kept.version === (await this.counts.rowsVersion())) return kept.page;
    // A named (prepared) statement per query shape: PostgreSQL parses and plans the page query once per connection.
    const { rows } = await this.pool.query<unknown[]>({ name: statementName(text), text, values: pageParams, rowMode: 'array' });
    const countsVersion = rows[0]?.[LEAK_VIEW_COLUMN_COUNT + 1] as string | null | undefined;
    const rowsVersion = rows[0]?.[LEAK_VIEW_COLUMN_COUNT + 2] as string | null | undefined;
    // Summary and total count every visible row: computed once per version of ll_leaks (see leak-list-counts.ts).
    const counts = await this.counts.get(JSON.stringify([base, typedParams]), countsVersion, async () => {
      // The summary counts every type; total applies the type filter (with its own parameters).
      const summary = await this.pool.query(`SELECT caller_type, count(*)::int AS n ${base} GROUP BY caller_type`, params);
      const total = await this.pool.query(`SELECT count(*)::int AS n ${base}${typed}`, typedParams);
      const byType = Object.fromEntries(summary.rows.map((r) => [r.caller_type, r.n]));
      return {
        total: total.rows[0].n as number,
        summary: { personal: byType.personal ?? 0, employee: byType.employee ?? 0, customer: byType.customer ?? 0, organization: byType.organization ?? 0 },
      };
    });
    const last = rows.length > filters.limit ? rows[filters.limit - 1] : undefined;
    const nextCursor = last ? encodeLeakCursor({ ...order, value: last[LEAK_VIEW_COLUMN_COUNT] as string | number, leakid: last[0] as string }) : null;
    let items = '';
    for (let i = 0; i < rows.length && i < filters.limit; i++) items += i ? `,${leakViewJson(rows[i])}` : leakViewJson(rows[i]);
    // The same keys, in the same order, as the object listAsOf returns (and this method did before it wrote JSON).
    const body = `{"items":[${items}],"next_cursor":${JSON.stringify(nextCursor)},"total":${counts.total},"summary":${JSON.stringify(counts.summary)}}`;
    const bytes = Buffer.from(body, 'utf8');
    const page = { body: bytes, nextCursor, etag: weakEtagOf(bytes) };
    // An empty page carries no version: it is not kept (and costs little to read again).
    if (rowsVersion !== undefined && rowsVersion !== null) this.pages.set(key, rowsVersion, page);
    return page;
  }

  /**
   * `?as_of=`: the same visibility, filters, type, order and cursor (the same builders) over the versions valid
   * then. The slice has no order index to walk (today's page walks `ll_leaks_order`), so it is read ONCE, narrow
   * and materialised, for the summary, the total and the page's keys; then only the page's rows are read whole.
   */
  private async listAsOf(caller: Caller, filters: LeakFilters, asOf: string) {
    const params: unknown[] = [];
    const p = (value: unknown) => `$${params.push(value)}`;
    const typeSql = leakTypeSql(caller, p);
    const where: string[] = [leakVisibleSql(caller, p), ...leakFilterSql(filters, p)];
    const order: LeakOrder = { sort: filters.sort ?? DEFAULT_LEAK_ORDER.sort, direction: filters.direction ?? DEFAULT_LEAK_ORDER.direction };
    const typed = filters.type && filters.type !== 'all' ? ` AND caller_type = ${p(filters.type)}` : '';
    const cursorSql = filters.cursor ? ` AND ${afterCursorSql(decodeLeakCursor(filters.cursor, order), p)}` : '';
    const { rows: parts } = await this.pool.query<{ part: 'summary' | 'page'; caller_type: string | null; n: number | null; leakid: string | null; revision: number | null; sort_value: string | number | null; ord: number | null }>(
      `WITH l AS MATERIALIZED (
         SELECT leakid, revision, caller_type, first_seen, last_seen, risk, status
           FROM (SELECT *, ${typeSql} AS caller_type FROM ${leakRowsSql(asOf, p)}) v WHERE ${where.join(' AND ')})
       SELECT 'summary' AS part, caller_type, count(*)::int AS n, NULL AS leakid, NULL AS revision, NULL AS sort_value, NULL AS ord FROM l GROUP BY caller_type
       UNION ALL
       (SELECT 'page', caller_type, NULL, leakid, revision, ${sortValueSql(order.sort)}, row_number() OVER (ORDER BY ${orderBySql(order)})
          FROM l WHERE true${typed}${cursorSql} ORDER BY ${orderBySql(order)} LIMIT ${p(filters.limit + 1)})`,
      params,
    );
    const counts: Record<string, number> = {};
    let all = 0;
    for (const r of parts.filter((r) => r.part === 'summary')) {
      if (r.caller_type) counts[r.caller_type] = r.n ?? 0;
      all += r.n ?? 0;
    }
    const keys = parts.filter((r) => r.part === 'page').sort((a, b) => Number(a.ord) - Number(b.ord));
    const pageParams: unknown[] = [];
    const q = (value: unknown) => `$${pageParams.push(value)}`;
    const { rows } = keys.length
      ? await this.pool.query(
          `SELECT *, ${leakTypeSql(caller, q)} AS caller_type FROM ll_leak_versions
            WHERE (leakid, revision) IN (SELECT * FROM unnest(${q(keys.map((k) => k.leakid))}::text[], ${q(keys.map((k) => k.revision))}::int[]))`,
          pageParams,
        )
      : { rows: [] };
    const byId = new Map(rows.map((r) => [r.leakid as string, r]));
    const items = keys.slice(0, filters.limit).map((k) => toView(byId.get(k.leakid as string) as Record<string, unknown>));
    const last = keys.length > filters.limit ? keys[filters.limit - 1] : undefined;
    return {
      items,
      next_cursor: last ? encodeLeakCursor({ ...order, value: last.sort_value as string | number, leakid: last.leakid as string }) : null,
      total: typed ? counts[filters.type as string] ?? 0 : all,
      summary: { personal: counts.personal ?? 0, employee: counts.employee ?? 0, customer: counts.customer ?? 0, organization: counts.organization ?? 0 },
    };
  }

  /** The leak if it exists AND the caller may see it. */
  async findVisible(caller: Caller, leakid: string): Promise<LeakView | undefined> {
    const params: unknown[] = [];
    const p = (value: unknown) => `$${params.push(value)}`;
    const { rows } = await this.pool.query(
      `SELECT *, ${leakTypeSql(caller, p)} AS caller_type FROM ll_leaks WHERE leakid = ${p(leakid)} AND ${leakVisibleSql(caller, p)}`,
      params,
    );
    return rows.length ? toView(rows[0]) : undefined;
  }
}

/** A page built as an object (the `?as_of=` list), serialised as the API answers it. */
function serialized(page: { items: LeakView[]; next_cursor: string | null; total: number; summary: Record<string, number> }): LeakListPage {
  const body = Buffer.from(JSON.stringify(page), 'utf8');
  return { body, nextCursor: page.next_cursor, etag: weakEtagOf(body) };
}

/**
 * A parameter binder for the page query that writes an empty array (a caller without verified domains) as a
 * literal: bound, PostgreSQL's generic plan guesses ten elements per `unnest`, rates itself dearer than a fresh
 * plan and re-plans every request; written out, the generic plan is estimated as it is and kept. Only the empty
 * array: any other value stays a parameter, so the statement texts do not multiply per organisation.
 */
function bindForGenericPlan(params: unknown[]): (value: unknown) => string {
  return (value) => (Array.isArray(value) && value.length === 0 ? `'{}'` : `$${params.push(value)}`);
}

const statementNames = new Map<string, string>();

/** The prepared statement's name for a query text: a hash of it, remembered (the shapes are few). */
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    if (statementNames.size >= 1000) statementNames.clear();
    name = `ll-list-${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    statementNames.set(text, name);
  }
  return name;
}

export function toView(r: Record<string, any>): LeakView {
  return {
    // Only a token has a fingerprint to return: a credential's would be its password's hash (issue 15.4).
    leakid: r.leakid, kind: r.kind, secret_type: r.secret_type, type: r.caller_type ?? null, preview: r.preview, fingerprint: r.kind === 'token' ? r.fingerprint : null,
    status: r.status, virtual_patch: r.virtual_patch, risk: r.risk, blockable: r.blockable,
    identity: r.identity_email || r.identity_username ? { email: r.identity_email, username: r.identity_username } : null,
    site: r.site_url || r.site_domain ? { url: r.site_url, domain: r.site_domain } : null,
    org_id: r.org_id, sources: r.sources, sightings: r.sightings, attempts: r.attempts,
    first_seen: r.first_seen.toISOString(), last_seen: r.last_seen.toISOString(), fixed_at: r.fixed_at ? r.fixed_at.toISOString() : null,
    revision: r.revision,
  };
}
