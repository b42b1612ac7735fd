/**
 * The leak list's order (`sort` + `direction`) and its keyset cursor. Every order ends in `leakid` (same
 * direction) so ties never reorder between pages; the cursor carries the last row's sort value and leakid,
 * plus the order it was made for — a cursor replayed under another order is refused, not misread.
 */
import { LEAK_STATUSES, RISKS } from '@leakwatch/leak-lifecycle/domain';
import { parseIsoDateTime } from '@leakwatch/runtime';
import { LEAK_ID_PATTERN } from '@leakwatch/contracts';

export const LEAK_SORTS = ['first_seen', 'last_seen', 'risk', 'status'] as const;
export type LeakSort = (typeof LEAK_SORTS)[number];
export const SORT_DIRECTIONS = ['asc', 'desc'] as const;
export type SortDirection = (typeof SORT_DIRECTIONS)[number];

export interface LeakOrder {
  sort: LeakSort;
  direction: SortDirection;
}

export const DEFAULT_LEAK_ORDER: LeakOrder = { sort: 'first_seen', direction: 'desc' };

/** Position after which the next page starts: a time (µs precision, as PostgreSQL stores it) or a rank. */
export interface LeakCursor extends LeakOrder {
  value: string | number;
  leakid: string;
}

/** Microsecond UTC timestamps, exactly as `sortValueSql` writes them. */
const MICRO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

const isTimeSort = (sort: LeakSort) => sort === 'first_seen' || sort === 'last_seen';

/** Risk ranks most severe highest (desc = critical first); statuses rank in their lifecycle order (asc = open first). */
const rankSql = (column: string, values: readonly string[], reverse: boolean) =>
  `(CASE ${column} ${values.map((v, i) => `WHEN '${v}' THEN ${reverse ? values.length - i : i + 1}`).join(' ')} ELSE 0 END)`;

/** The SQL expression the list orders by (constants only: safe to interpolate). */
export function sortExpressionSql(sort: LeakSort): string {
  switch (sort) {
    case 'first_seen':
    case 'last_seen':
      return sort;
    case 'risk':
      return rankSql('risk', RISKS, true);
    case 'status':
      return rankSql('status', LEAK_STATUSES, false);
  }
}

/** The sort value as the cursor holds it (text for times, keeping PostgreSQL's microseconds). */
export function sortValueSql(sort: LeakSort): string {
  return isTimeSort(sort) ? `to_char(${sort} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')` : sortExpressionSql(sort);
}

export function orderBySql({ sort, direction }: LeakOrder): string {
  const dir = direction === 'asc' ? 'ASC' : 'DESC';
  return `${sortExpressionSql(sort)} ${dir}, leakid ${dir}`;
}

/** Rows strictly after the cursor in its order; `p` binds a parameter and returns its placeholder. */
export function afterCursorSql(cursor: LeakCursor, p: (value: unknown) => string): string {
  const cast = isTimeSort(cursor.sort) ? 'timestamptz' : 'int';
  return `(${sortExpressionSql(cursor.sort)}, leakid) ${cursor.direction === 'asc' ? '>' : '<'} (${p(cursor.value)}::${cast}, ${p(cursor.leakid)})`;
}

export function encodeLeakCursor(cursor: LeakCursor): string {
  return Buffer.from(JSON.stringify({ s: cursor.sort, d: cursor.direction, v: cursor.value, id: cursor.leakid })).toString('base64url');
}

export class InvalidCursorError extends Error {
  constructor(message = 'cursor is not one this API returned') {
    super(message);
  }
}

/** The cursor for `order`, or InvalidCursorError. Cursors of the first format (`[first_seen, leakid]`) still work for the default order. */
export function decodeLeakCursor(text: string, order: LeakOrder): LeakCursor {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  const cursor = Array.isArray(value) ? legacyCursor(value) : currentCursor(value);
  if (!cursor) throw new InvalidCursorError();
  if (cursor.sort !== order.sort || cursor.direction !== order.direction) {
    throw new InvalidCursorError(`cursor was made for sort=${cursor.sort}&direction=${cursor.direction}; ask again with the same order`);
  }
  return cursor;
}

function legacyCursor(value: unknown[]): LeakCursor | undefined {
  // The time must be one this API wrote (toISOString of a real moment): Date.parse takes what PostgreSQL refuses.
  const at = value.length === 2 ? parseIsoDateTime(value[0]) : undefined;
  if (!at || at.toISOString() !== value[0] || typeof value[1] !== 'string' || !LEAK_ID_PATTERN.test(value[1])) return undefined;
  return { ...DEFAULT_LEAK_ORDER, value: value[0], leakid: value[1] };
}

function currentCursor(value: unknown): LeakCursor | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const { s, d, v, id } = value as Record<string, unknown>;
  if (!LEAK_SORTS.includes(s as LeakSort) || !SORT_DIRECTIONS.includes(d as SortDirection)) return undefined;
  if (typeof id !== 'string' || !LEAK_ID_PATTERN.test(id)) return undefined;
  const sort = s as LeakSort;
  if (isTimeSort(sort)) {
    if (typeof v !== 'string' || !MICRO_TIME.test(v) || !parseIsoDateTime(v)) return undefined;
  } else if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 10) {
    return undefined;
  }
  return { sort, direction: d as SortDirection, value: v as string | number, leakid: id };
}
