/**
 * The delivery log (`nt_deliveries`): one row per (subscription, leak event) — enqueued idempotently, so a
 * redelivered bus message adds nothing — with its status (`pending`, `delivered`, `failed`, `cancelled`),
 * attempts, last answer and error, and when it is tried next. The dispatcher leases due rows with
 * `FOR UPDATE SKIP LOCKED`, so several processes never send one delivery at the same time.
 */
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { LeakNotification } from '../domain';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'cancelled';

export interface Delivery {
  id: string;
  subscription_id: string;
  event_id: string;
  event_type: string;
  leakid: string;
  status: DeliveryStatus;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: string | null;
  created_at: string;
  delivered_at: string | null;
}

export interface DueDelivery {
  id: string;
  subscriptionId: string;
  notification: LeakNotification;
  attempts: number;
  attemptLimit: number;
}

export const LEAK_ORGS_SCHEMA_SQL = `CREATE TABLE IF NOT EXISTS nt_leak_orgs (leakid text PRIMARY KEY, org_id text NOT NULL)`;

/** Which organisation ingested each leak (`nt_leak_orgs`), many in one statement; a leak's organisation never changes. */
export async function rememberLeakOrgs(db: Pick<Pool, 'query'>, pairs: Array<{ leakid: string; orgId: string }>): Promise<void> {
  if (!pairs.length) return;
  await db.query(
    `INSERT INTO nt_leak_orgs (leakid, org_id) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`,
    [pairs.map((p) => p.leakid), pairs.map((p) => p.orgId)],
  );
}

/** How long a leased delivery stays invisible to other dispatchers (a crashed sender's lease runs out). */
const LEASE_SECONDS = 60;

export class DeliveryLog {
  constructor(private readonly pool: Pool) {}

  async setup(): Promise<void> {
    await this.pool.query(`CREATE TABLE IF NOT EXISTS nt_deliveries (
      id uuid PRIMARY KEY, subscription_id uuid NOT NULL, event_id text NOT NULL, event_type text NOT NULL, leakid text NOT NULL,
      notification jsonb NOT NULL, status text NOT NULL, attempts integer NOT NULL DEFAULT 0, attempt_limit integer NOT NULL,
      last_status_code integer, last_error text, next_attempt_at timestamptz, created_at timestamptz NOT NULL DEFAULT now(), delivered_at timestamptz,
      UNIQUE (subscription_id, event_id));
      CREATE INDEX IF NOT EXISTS nt_deliveries_due ON nt_deliveries (next_attempt_at) WHERE status = 'pending';
      CREATE INDEX IF NOT EXISTS nt_deliveries_log ON nt_deliveries (subscription_id, created_at DESC);
      ${LEAK_ORGS_SCHEMA_SQL};`);
  }

  async rememberLeakOrg(leakid: string, orgId: string): Promise<void> {
    await this.pool.query(`INSERT INTO nt_leak_orgs (leakid, org_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [leakid, orgId]);
  }

  /** Many at once (a page of LeakDetected): one multi-row insert. */
  rememberLeakOrgs(pairs: Array<{ leakid: string; orgId: string }>): Promise<void> {
    return rememberLeakOrgs(this.pool, pairs);
  }

  /** The organisations of these leaks (those an organisation ingested), one query. */
  async leakOrgs(leakids: string[]): Promise<Map<string, string>> {
    if (!leakids.length) return new Map();
    const { rows } = await this.pool.query<{ leakid: string; org_id: string }>(`SELECT leakid, org_id FROM nt_leak_orgs WHERE leakid = ANY($1::text[])`, [leakids]);
    return new Map(rows.map((r) => [r.leakid, r.org_id]));
  }

  async leakOrg(leakid: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ org_id: string }>(`SELECT org_id FROM nt_leak_orgs WHERE leakid = $1`, [leakid]);
    return rows[0]?.org_id;
  }

  /** Returns how many deliveries were new. */
  async enqueue(subscriptionIds: string[], notification: LeakNotification, attemptLimit: number): Promise<number> {
    let added = 0;
    for (const subscriptionId of subscriptionIds) {
      const { rowCount } = await this.pool.query(
        `INSERT INTO nt_deliveries (id, subscription_id, event_id, event_type, leakid, notification, status, attempt_limit, next_attempt_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, now()) ON CONFLICT (subscription_id, event_id) DO NOTHING`,
        [randomUUID(), subscriptionId, notification.eventId, notification.type, notification.leakid, JSON.stringify(notification), attemptLimit],
      );
      added += rowCount ?? 0;
    }
    return added;
  }

  /** Leases up to `limit` due deliveries. */
  async leaseDue(limit: number): Promise<DueDelivery[]> {
    const { rows } = await this.pool.query<{ id: string; subscription_id: string; notification: LeakNotification; attempts: number; attempt_limit: number }>(
      `UPDATE nt_deliveries SET next_attempt_at = now() + make_interval(secs => ${LEASE_SECONDS})
       WHERE id IN (SELECT id FROM nt_deliveries WHERE status = 'pending' AND next_attempt_at <= now() ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING id, subscription_id, notification, attempts, attempt_limit`,
      [limit],
    );
    return rows.map((r) => ({ id: r.id, subscriptionId: r.subscription_id, notification: r.notification, attempts: r.attempts, attemptLimit: r.attempt_limit }));
  }

  async delivered(id: string, status: number): Promise<void> {
    await this.pool.query(
      `UPDATE nt_deliveries SET status = 'delivered', attempts = attempts + 1, last_status_code = $2, last_error = NULL, next_attempt_at = NULL, delivered_at = now() WHERE id = $1`,
      [id, status],
    );
  }

  /** A failed attempt: tried again after `retryInMs`, or `failed` for good when `retryInMs` is undefined. */
  async attemptFailed(id: string, outcome: { status?: number; error: string }, retryInMs: number | undefined): Promise<void> {
    await this.pool.query(
      `UPDATE nt_deliveries SET attempts = attempts + 1, last_status_code = $2, last_error = $3,
         status = CASE WHEN $4::integer IS NULL THEN 'failed' ELSE 'pending' END,
         next_attempt_at = CASE WHEN $4::integer IS NULL THEN NULL ELSE now() + make_interval(secs => $4::integer / 1000.0) END
       WHERE id = $1`,
      [id, outcome.status ?? null, outcome.error.slice(0, 500), retryInMs ?? null],
    );
  }

  async cancelled(id: string): Promise<void> {
    await this.pool.query(`UPDATE nt_deliveries SET status = 'cancelled', next_attempt_at = NULL, last_error = 'subscription deleted' WHERE id = $1`, [id]);
  }

  /** Newest first. */
  async list(subscriptionId: string, filters: { status?: DeliveryStatus; limit: number }): Promise<Delivery[]> {
    const { rows } = await this.pool.query(
      `SELECT id, subscription_id, event_id, event_type, leakid, status, attempts, last_status_code, last_error, next_attempt_at, created_at, delivered_at
       FROM nt_deliveries WHERE subscription_id = $1 AND ($2::text IS NULL OR status = $2) ORDER BY created_at DESC, id DESC LIMIT $3`,
      [subscriptionId, filters.status ?? null, filters.limit],
    );
    return rows.map(toDelivery);
  }

  async find(subscriptionId: string, id: string): Promise<Delivery | undefined> {
    const { rows } = await this.pool.query(
      `SELECT id, subscription_id, event_id, event_type, leakid, status, attempts, last_status_code, last_error, next_attempt_at, created_at, delivered_at
       FROM nt_deliveries WHERE subscription_id = $1 AND id = $2`,
      [subscriptionId, id],
    );
    return rows[0] ? toDelivery(rows[0]) : undefined;
  }

  /** Redelivery by id: due now, with a fresh retry budget; the same `webhook-id`, so the receiver can tell. */
  async redeliver(subscriptionId: string, id: string, attemptLimit: number): Promise<Delivery | undefined> {
    await this.pool.query(
      `UPDATE nt_deliveries SET status = 'pending', next_attempt_at = now(), attempt_limit = attempts + $3, last_error = NULL WHERE subscription_id = $1 AND id = $2`,
      [subscriptionId, id, attemptLimit],
    );
    return this.find(subscriptionId, id);
  }
}

function toDelivery(r: Record<string, any>): Delivery {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    id: r.id, subscription_id: r.subscription_id, event_id: r.event_id, event_type: r.event_type, leakid: r.leakid, status: r.status,
    attempts: r.attempts, last_status_code: r.last_status_code, last_error: r.last_error, next_attempt_at: iso(r.next_attempt_at),
    created_at: r.created_at.toISOString(), delivered_at: iso(r.delivered_at),
  };
}
