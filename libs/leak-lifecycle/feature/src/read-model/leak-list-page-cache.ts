/**
 * Whole list pages, kept per exact page query (its SQL text and every bound value: the caller's visibility, the
 * filters, the order, the cursor, the limit) and tagged with the rows version of `ll_leaks` they were read at
 * (leak-list-counts.ts: a statement trigger bumps it on every write to the table, any column). A page is reused
 * only while that version is still current — checked with one small query on every request — so it is never
 * older than the table: same version, no committed write since, the very rows the page was built from.
 *
 * Per process and bounded by size (least recently used out first); nothing is kept for a page read before the
 * version counter existed, and pages of other callers are other keys: a page is only ever answered to a request
 * that would have run the same query with the same values.
 */

export interface CachedListPage {
  /** The answer's JSON, encoded once. */
  body: Buffer;
  nextCursor: string | null;
  /** The body's weak ETag, computed once with it. */
  etag: string;
}

/** Enough for a few hundred typical pages (a page of 20 is ~10 kB); a page of 500 is ~250 kB. */
const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;

export class LeakListPageCache {
  private readonly entries = new Map<string, { version: string; page: CachedListPage }>();
  private bytes = 0;

  constructor(private readonly maxBytes = DEFAULT_MAX_BYTES) {}

  /** The page kept for `key`, whatever its version: the caller compares `version` with the current one. */
  peek(key: string): { version: string; page: CachedListPage } | undefined {
    const entry = this.entries.get(key);
    if (entry) {
      // Most recently used last: eviction takes the first.
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  set(key: string, version: string, page: CachedListPage): void {
    this.delete(key);
    if (page.body.length + key.length > this.maxBytes) return;
    this.entries.set(key, { version, page });
    this.bytes += page.body.length + key.length;
    for (const oldest of this.entries.keys()) {
      if (this.bytes <= this.maxBytes) break;
      this.delete(oldest);
    }
  }

  private delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= entry.page.body.length + key.length;
  }
}
