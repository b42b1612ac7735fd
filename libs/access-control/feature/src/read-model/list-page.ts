/**
 * Keyset pages for the admin lists (API keys, domains, organisations): the cursor is the last row's order
 * key, so a page never repeats or skips a row even while rows are added. The default limit is the maximum,
 * so callers written before pagination still see every row of a normal installation in one answer.
 */
import { parseIsoDateTime } from '@leakwatch/runtime';

export const ADMIN_LIST_MAX_LIMIT = 1000;
export const ADMIN_LIST_DEFAULT_LIMIT = ADMIN_LIST_MAX_LIMIT;

export interface PageRequest {
  limit?: number;
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export class InvalidListCursorError extends Error {
  constructor() {
    super('cursor is not one this list returned');
  }
}

/** A list's order key: text values (times as µs UTC text, as `timeKeySql` writes them). */
export function encodeListCursor(key: string[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** What each member of a list's order key is: a time as `timeKeySql` wrote it, or any other text. */
export type ListCursorMember = 'time' | 'text';

/** Microsecond UTC timestamps, exactly as `timeKeySql` writes them. */
const MICRO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/**
 * The order key a cursor of this list holds, or InvalidListCursorError. Every member is checked for what the
 * query casts it to: a time must be a real moment in `timeKeySql`'s form (PostgreSQL would refuse
 * `abc` or `2026-02-30` with an error, a 500), text must be non-empty, short and free of NUL.
 */
export function decodeListCursor(cursor: string, members: readonly ListCursorMember[]): string[] {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidListCursorError();
  }
  const valid = (value: unknown, member: ListCursorMember) =>
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= 300 &&
    !value.includes('\0') &&
    (member === 'text' || (MICRO_TIME.test(value) && parseIsoDateTime(value) !== undefined));
  if (Array.isArray(key) && key.length === members.length && key.every((v, i) => valid(v, members[i]))) return key as string[];
  throw new InvalidListCursorError();
}

/** A timestamp column as cursor text, at PostgreSQL's own precision (a ms-rounded value could skip rows). */
export const timeKeySql = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** The page's rows from `limit + 1` fetched rows (each carrying its order key), and the cursor of the next. */
export function toPage<R, T>(rows: R[], limit: number, keyOf: (row: R) => string[], view: (row: R) => T): Page<T> {
  const more = rows.length > limit;
  const pageRows = rows.slice(0, limit);
  return { items: pageRows.map(view), next_cursor: more ? encodeListCursor(keyOf(pageRows[pageRows.length - 1])) : null };
}
