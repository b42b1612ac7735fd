/**
 * `usage_daily`: one row per key and UTC day, shared by every gateway process.
 * - `count`: slots reserved (leased) by all processes — what the limit is enforced on; never above the limit.
 * - `used`: requests actually admitted, flushed by each process in batches (at most `count`).
 * - `last_grant`: the slots the latest reservation got, so one atomic statement can both check the limit and
 *   tell the caller what it was granted (RETURNING sees only the new row).
 * Reservation is one INSERT … ON CONFLICT DO UPDATE: the row lock serialises concurrent reservers, and every
 * SET expression reads the row as it was before this update.
 */
import type { Pool } from 'pg';
import { createSchemaOnce } from '@leakwatch/pg';
import type { Reservation, UsageBatch, UsageLedger } from './usage-ledger.port';

export const USAGE_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS usage_daily (
  key_id text NOT NULL,
  day date NOT NULL,
  count integer NOT NULL DEFAULT 0 CHECK (count >= 0),
  used integer NOT NULL DEFAULT 0 CHECK (used >= 0),
  last_grant integer NOT NULL DEFAULT 0,
  last_request_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (key_id, day));`;

export class PostgresUsageLedger implements UsageLedger {
  constructor(private readonly pool: Pool) {}

  setup(): Promise<void> {
    return createSchemaOnce(this.pool, 'leakwatch:usage-schema', USAGE_SCHEMA_SQL);
  }

  async reserve(keyId: string, day: string, limit: number, wanted: number): Promise<Reservation> {
    const { rows } = await this.pool.query<{ last_grant: number; count: number }>(
      `INSERT INTO usage_daily AS u (key_id, day, count, last_grant, updated_at)
       VALUES ($1, $2::date, LEAST($3::int, GREATEST($4::int, 0)), LEAST($3::int, GREATEST($4::int, 0)), now())
       ON CONFLICT (key_id, day) DO UPDATE
         SET count = u.count + LEAST($3::int, GREATEST($4::int - u.count, 0)),
             last_grant = LEAST($3::int, GREATEST($4::int - u.count, 0)),
             updated_at = now()
       RETURNING last_grant, count`,
      [keyId, day, wanted, limit],
    );
    const row = rows[0];
    return { granted: row.last_grant, remaining: Math.max(0, limit - row.count) };
  }

  async release(keyId: string, day: string, slots: number): Promise<void> {
    if (slots <= 0) return;
    await this.pool.query(
      `UPDATE usage_daily SET count = GREATEST(count - $3::int, used, 0), updated_at = now() WHERE key_id = $1 AND day = $2::date`,
      [keyId, day, slots],
    );
  }

  async record(batch: UsageBatch): Promise<void> {
    await this.pool.query(
      `INSERT INTO usage_daily AS u (key_id, day, used, last_request_at, updated_at) VALUES ($1, $2::date, $3, $4::timestamptz, now())
       ON CONFLICT (key_id, day) DO UPDATE
         SET used = u.used + EXCLUDED.used,
             last_request_at = GREATEST(u.last_request_at, EXCLUDED.last_request_at),
             updated_at = now()`,
      [batch.keyId, batch.day, batch.requests, batch.lastRequestAt],
    );
  }

  /** Today's row of a key (operators, tests). */
  async read(keyId: string, day: string): Promise<{ count: number; used: number; lastRequestAt: Date | null } | undefined> {
    const { rows } = await this.pool.query(`SELECT count, used, last_request_at FROM usage_daily WHERE key_id = $1 AND day = $2::date`, [keyId, day]);
    return rows[0] ? { count: rows[0].count, used: rows[0].used, lastRequestAt: rows[0].last_request_at } : undefined;
  }
}
