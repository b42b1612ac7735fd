/**
 * The list's `total` and `summary` count every visible leak: at 200,000 leaks that is a scan per request. They
 * are kept per query (visibility + filters, never the page) and tagged with the version of `ll_leaks`, a
 * counter a statement trigger bumps on every insert, update, delete or truncate (projection writes, rebuilds,
 * anything else): a cached figure is used only while the version it was computed at is still current, so no
 * list ever shows counts older than its rows. Checking the version is one primary-key read.
 */
import type { Pool } from 'pg';
import { createSchemaOnce } from '@leakwatch/pg';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS ll_leaks_version (id boolean PRIMARY KEY DEFAULT true CHECK (id), version bigint NOT NULL);
INSERT INTO ll_leaks_version (id, version) VALUES (true, 0) ON CONFLICT DO NOTHING;
CREATE OR REPLACE FUNCTION ll_leaks_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN UPDATE ll_leaks_version SET version = version + 1 WHERE id; RETURN NULL; END $$;
DROP TRIGGER IF EXISTS ll_leaks_version_bump ON ll_leaks;
CREATE TRIGGER ll_leaks_version_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ll_leaks FOR EACH STATEMENT EXECUTE FUNCTION ll_leaks_bump_version();`;

const MAX_ENTRIES = 1000;

export class LeakListCounts<T> {
  private readonly entries = new Map<string, { version: string; value: T }>();
  private ready?: Promise<boolean>;

  constructor(private readonly pool: Pool) {}

  /** The cached value of `key` if computed at the current version of ll_leaks, else `compute()` (then cached). */
  async get(key: string, compute: () => Promise<T>): Promise<T> {
    if (!(await this.prepare())) return compute();
    const { rows } = await this.pool.query<{ version: string }>(`SELECT version FROM ll_leaks_version WHERE id`);
    const version = rows[0]?.version;
    const cached = this.entries.get(key);
    if (cached && cached.version === version) return cached.value;
    const value = await compute();
    // Computed after reading `version`: at worst newer than its tag, never older (the next change re-computes).
    if (version !== undefined) {
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
