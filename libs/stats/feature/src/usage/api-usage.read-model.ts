/**
 * `st_usage_daily`: authenticated requests per API key and UTC day, the stats context's own copy, summed from
 * the gateway's `ApiUsageRecorded` events (`leakwatch.gateway.v1`). A key's usage of one day is one stream
 * (`usage-<keyid>-<day>`), delivered in revision order; `st_usage_streams` remembers the last revision applied
 * per (key, day), so a redelivered event adds nothing.
 */
import type { Pool } from 'pg';
import { API_USAGE_RECORDED, ApiUsageRecordedV1, isApiUsageRecorded } from '@leakwatch/contracts';
import { withTransaction } from '@leakwatch/pg';

/** The gateway's `ApiUsageRecorded` (v1), from the shared contract. */
// A tolerant reader: only the fields this context needs.
export type ApiUsageRecordedData = Pick<ApiUsageRecordedV1, 'key_id' | 'day' | 'requests' | 'last_request_at'>;
export { API_USAGE_RECORDED, isApiUsageRecorded };

export const API_USAGE_TABLES = ['st_usage_daily', 'st_usage_streams'];

export const API_USAGE_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS st_usage_daily (
  key_id text NOT NULL, day date NOT NULL, requests integer NOT NULL, last_request_at timestamptz,
  PRIMARY KEY (key_id, day));
CREATE TABLE IF NOT EXISTS st_usage_streams (key_id text NOT NULL, day date NOT NULL, revision integer NOT NULL, PRIMARY KEY (key_id, day));`;

export class ApiUsageReadModel {
  constructor(private readonly pool: Pool) {}

  /** Applies one usage event at its stream revision; returns false when it was already applied. */
  async apply(data: ApiUsageRecordedData, revision: number): Promise<boolean> {
    return withTransaction(this.pool, async (client) => {
      const { rowCount } = await client.query(
        `INSERT INTO st_usage_streams (key_id, day, revision) VALUES ($1, $2::date, $3)
         ON CONFLICT (key_id, day) DO UPDATE SET revision = EXCLUDED.revision WHERE st_usage_streams.revision < EXCLUDED.revision`,
        [data.key_id, data.day, revision],
      );
      if (!rowCount) return false;
      await client.query(
        `INSERT INTO st_usage_daily AS u (key_id, day, requests, last_request_at) VALUES ($1, $2::date, $3, $4::timestamptz)
         ON CONFLICT (key_id, day) DO UPDATE
           SET requests = u.requests + EXCLUDED.requests, last_request_at = GREATEST(u.last_request_at, EXCLUDED.last_request_at)`,
        [data.key_id, data.day, data.requests, data.last_request_at],
      );
      return true;
    });
  }

  async requestsOn(keyId: string, day: string): Promise<number> {
    const { rows } = await this.pool.query<{ requests: number }>(`SELECT requests FROM st_usage_daily WHERE key_id = $1 AND day = $2::date`, [keyId, day]);
    return rows[0]?.requests ?? 0;
  }
}
