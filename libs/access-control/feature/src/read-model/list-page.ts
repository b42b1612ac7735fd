/**
 * Keyset pages for the admin lists (API keys, domains, organisations): the cursor is the last row's order
 * key, so a page never repeats or skips a row even while rows are added. The default limit is the maximum,
 * so callers written before pagination still see every row of a normal installation in one answer.
 */
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

/** A list's order key: `arity` text values (times as µs UTC text, as `timeKeySql` writes them). */
export function encodeListCursor(key: string[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeListCursor(cursor: string, arity: number): string[] {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === arity && key.every((v) => typeof v === 'string' && v.length > 0 && v.length <= 300 && !v.includes('\0'))) return key;
  } catch {
    // fall through
  }
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
