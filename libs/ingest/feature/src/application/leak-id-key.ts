/**
 * The secret key of leak ids. LEAKWATCH_LEAKID_KEY (hex, ≥ 32 bytes) if set; otherwise generated once
 * and kept in the database, so ids stay stable across restarts and ingest instances sharing it.
 */
import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';

export async function loadLeakIdKey(pool: Pool, fromEnv = process.env.LEAKWATCH_LEAKID_KEY): Promise<Buffer> {
  if (fromEnv) {
    if (!/^[0-9a-f]{64,}$/i.test(fromEnv)) throw new Error('LEAKWATCH_LEAKID_KEY must be at least 64 hex characters (32 bytes)');
    return Buffer.from(fromEnv, 'hex');
  }
  await pool.query(`CREATE TABLE IF NOT EXISTS ingest_settings (name text PRIMARY KEY, value text NOT NULL)`);
  await pool.query(`INSERT INTO ingest_settings (name, value) VALUES ('leakid_key', $1) ON CONFLICT (name) DO NOTHING`, [randomBytes(32).toString('hex')]);
  const { rows } = await pool.query<{ value: string }>(`SELECT value FROM ingest_settings WHERE name = 'leakid_key'`);
  return Buffer.from(rows[0].value, 'hex');
}
