/**
 * `st_usage_daily`: authenticated requests per API key and UTC day, the stats context's own copy, summed from
 * the gateway's `ApiUsageRecorded` events (`leakwatch.gateway.v1`). A key's usage of one day is one stream
 * (`usage-<keyid>-<day>`), delivered in revision order; `st_usage_streams` remembers the last revision applied
 * per (key, day), so a redelivered event adds nothing.
 */
import type { Pool, PoolClient } from 'pg';
import { CloudEvent, TOPICS, TopicReadModel } from '@leakwatch/messaging';
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
    return withTransaction(this.pool, (client) => applyUsage(client, data, revision));
  }

  /** A page of gateway-topic messages (usage among them), in one transaction. */
  applyPage(messages: CloudEvent[]): Promise<void> {
    return withTransaction(this.pool, (client) => apiUsageReadModel.applyMessages(messages, client as PoolClient));
  }

  async requestsOn(keyId: string, day: string): Promise<number> {
    const { rows } = await this.pool.query<{ requests: number }>(`SELECT requests FROM st_usage_daily WHERE key_id = $1 AND day = $2::date`, [keyId, day]);
    return rows[0]?.requests ?? 0;
  }
}

/** One usage event at its stream revision, in the caller's transaction; false when it was already applied. */
export async function applyUsage(client: Pick<PoolClient, 'query'>, data: ApiUsageRecordedData, revision: number): Promise<boolean> {
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
}

/** A usage message as (data, revision); undefined for other gateway events or a malformed one. */
export function usageOf(event: CloudEvent): { data: ApiUsageRecordedData; revision: number } | undefined {
  if (event.type !== API_USAGE_RECORDED) return undefined;
  const raw = event.extensions?.streamrevision;
  const revision = raw && /^\d+$/.test(raw) ? Number(raw) : NaN;
  return isApiUsageRecorded(event.data) && Number.isInteger(revision) ? { data: event.data, revision } : undefined;
}

/**
 * `st_usage_daily` / `st_usage_streams` as a registered topic read model (`leakwatch projections rebuild
 * stats`): ApiUsageConsumer applies a page of usage events in one transaction with the same `applyUsage`.
 * A usage stream is one key's day, so its events are few and applied in order, one statement pair each.
 */
export const apiUsageReadModel: TopicReadModel = {
  name: 'stats-usage',
  topic: TOPICS.gateway,
  tables: API_USAGE_TABLES,
  setup: async (client) => void (await client.query(API_USAGE_SCHEMA_SQL)),
  async applyMessages(messages, client) {
    for (const message of messages) {
      const usage = usageOf(message);
      if (usage) await applyUsage(client, usage.data, usage.revision);
    }
  },
};
