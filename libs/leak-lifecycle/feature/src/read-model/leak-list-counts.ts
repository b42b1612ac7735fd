/**
 * The list's `total` and `summary` count every visible leak: at 200,000 leaks that is a scan per request. They
 * are kept per query (visibility + filters, never the page) and tagged with the version of `ll_leaks`, a
 * counter (spread over slots, see SLOTS) a statement trigger bumps on every insert, delete, truncate and every update of a column a count depends
 * on (projection writes, rebuilds, anything else): a cached figure is used only while the version it was computed
 * at is still current, so no list ever shows counts older than its rows. The version travels with the page (a column of the page query, read
 * in the same snapshot as its rows), so a cached figure costs no query at all.
 *
 * A second counter, the rows version, is bumped by EVERY write to `ll_leaks` (any column: an attempt counted, a
 * sighting's time): while it is unchanged the table is exactly as it was, which is what lets a whole list page be
 * reused (leak-list-page-cache.ts). It is kept apart so that those frequent updates do not invalidate the counts.
 */
import type { Pool } from 'pg';
import { createSchemaOnce } from '@leakwatch/pg';

/**
 * The columns visibility, type and the list's filters read: an update that sets none of them (a token-use attempt
 * counted, a sighting's time) changes no count and keeps the cached figures.
 */
const COUNTED_COLUMNS = ['leakid', 'kind', 'secret_type', 'preview', 'status', 'risk', 'virtual_patch', 'source', 'sources', 'identity_email', 'identity_domain', 'site_domain', 'org_id'];

/**
 * The counter is spread over SLOTS rows, one chosen per session (backend pid): a bump locks its slot's row until
 * the transaction commits, and with one row every write to ll_leaks — concurrent decisions' read-your-writes
 * updates, the runner's pages — queued behind the previous writer's commit (its WAL flush included). The version
 * is the sum of the slots: every slot only grows and snapshots are ordered by inclusion, so a sum read in a
 * snapshot identifies the bumps it sees, as the single counter did.
 */
const SLOTS = 32;

/** A version counter of `ll_leaks` spread over SLOTS rows (no hot row), bumped once per write statement that `on` names. */
const slotCounterSql = (slots: string, bump: string, trigger: string, on: string) => `
CREATE TABLE IF NOT EXISTS ${slots} (slot int PRIMARY KEY, version bigint NOT NULL);
INSERT INTO ${slots} (slot, version) SELECT s, 0 FROM generate_series(0, ${SLOTS - 1}) s ON CONFLICT DO NOTHING;
CREATE OR REPLACE FUNCTION ${bump}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN UPDATE ${slots} SET version = version + 1 WHERE slot = pg_backend_pid() % ${SLOTS}; RETURN NULL; END $$;
DROP TRIGGER IF EXISTS ${trigger} ON ll_leaks;
CREATE TRIGGER ${trigger}
  AFTER ${on} ON ll_leaks
  FOR EACH STATEMENT EXECUTE FUNCTION ${bump}();`;

const SCHEMA = `${slotCounterSql('ll_leaks_version_slots', 'll_leaks_bump_version', 'll_leaks_version_bump', `INSERT OR DELETE OR TRUNCATE OR UPDATE OF ${COUNTED_COLUMNS.join(', ')}`)}
DROP TABLE IF EXISTS ll_leaks_version;${slotCounterSql('ll_leaks_rows_version_slots', 'll_leaks_bump_rows_version', 'll_leaks_rows_version_bump', 'INSERT OR DELETE OR TRUNCATE OR UPDATE')}`;

/**
 * A version as text: the sum of its slots, the table's OID and the transaction that last wrote the trigger's catalog
 * row, and only while that trigger is in place and enabled (else NULL: nothing is reused). So a table dropped and
 * created again (new OID), or writes while the trigger was disabled (enabling it again rewrites its row), can never
 * leave a kept figure or page looking current.
 */
const versionSql = (slots: string, trigger: string) => `(SELECT (SELECT sum(version) FROM ${slots})::text || ':' || t.tgrelid::text || ':' || t.xmin::text FROM pg_trigger t
  WHERE t.tgrelid = to_regclass('ll_leaks') AND t.tgname = '${trigger}' AND t.tgenabled <> 'D')`;
const VERSION = versionSql('ll_leaks_version_slots', 'll_leaks_version_bump');
const ROWS_VERSION = versionSql('ll_leaks_rows_version_slots', 'll_leaks_rows_version_bump');

const MAX_ENTRIES = 1000;

export class LeakListCounts<T> {
  private readonly entries = new Map<string, { version: string; value: T }>();
  private ready?: Promise<boolean>;

  constructor(private readonly pool: Pool) {}

  /**
   * The select-list columns `list_version, rows_version` of a page query: the versions its rows were read at
   * (null before the counters exist).
   */
  async versionColumns(): Promise<string> {
    return (await this.prepare()) ? `${VERSION} AS list_version, ${ROWS_VERSION} AS rows_version` : 'NULL::text AS list_version, NULL::text AS rows_version';
  }

  /** The rows version now (null before the counter exists, or without its trigger): one small prepared query. */
  async rowsVersion(): Promise<string | null> {
    if (!(await this.prepare())) return null;
    const { rows } = await this.pool.query<unknown[]>({ name: 'll-leaks-rows-version', text: `SELECT ${ROWS_VERSION}`, rowMode: 'array' });
    return (rows[0]?.[0] as string | null | undefined) ?? null;
  }

  /**
   * The cached value of `key` if computed at `version` (that of the page it goes with), else `compute()`. An empty
   * page carries no version: then the current one is read. Without a version nothing is cached.
   */
  async get(key: string, pageVersion: string | null | undefined, compute: () => Promise<T>): Promise<T> {
    if (!(await this.prepare())) return compute();
    const version = pageVersion ?? (await this.pool.query<{ version: string }>(`SELECT ${VERSION} AS version`)).rows[0]?.version;
    const cached = this.entries.get(key);
    if (cached && cached.version === version) return cached.value;
    const value = await compute();
    // Computed at `version` or later: at worst newer than its tag, never older (the next change re-computes).
    if (version !== undefined && version !== null) {
      this.entries.delete(key);
      this.entries.set(key, { version, value });
      if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    }
    return value;
  }

  /** Creates the version counter and its trigger once ll_leaks exists (false until then: no caching). */
  private prepare(): Promise<boolean> {
    this.ready ??= (async () => {
      const { rows } = await this.pool.query(`SELECT to_regclass('ll_leaks') IS NOT NULL AS present`);
      if (!rows[0].present) return false;
      await createSchemaOnce(this.pool, 'leakwatch:ll-leaks-version', SCHEMA);
      return true;
    })().catch(() => false);
    return this.ready.then((ok) => {
      if (!ok) this.ready = undefined; // try again on the next list
      return ok;
    });
  }
}
