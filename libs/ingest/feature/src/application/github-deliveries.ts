/**
 * GitHub deliveries already handled, by `X-GitHub-Delivery` (GitHub keeps the id when it redelivers: on a
 * timeout, or when someone clicks "Redeliver"). A delivery is claimed before it is handled and its answer
 * recorded after, durably in PostgreSQL: the same id again is a no-op that returns the first answer — also
 * after a restart, and also after the alert was resolved (a redelivered `created` must not reopen a fixed leak).
 * A handler that fails releases its claim, so GitHub's retry is handled; a claim left by a crash is taken
 * over after `staleAfterMs`.
 */
import type { Pool } from 'pg';

export type DeliveryOutcome<T> = { duplicate: false; answer: T } | { duplicate: true; answer: T } | { duplicate: 'in_progress' };

export class GithubDeliveries {
  constructor(private readonly pool: Pool, private readonly staleAfterMs = 120_000) {}

  async setup(): Promise<void> {
    await this.pool.query(`CREATE TABLE IF NOT EXISTS ingest_github_deliveries (
      org_id text NOT NULL, delivery_id text NOT NULL, claimed_at timestamptz NOT NULL DEFAULT now(), answer jsonb,
      PRIMARY KEY (org_id, delivery_id))`);
  }

  /** Runs `handle` once per delivery id; without an id (not GitHub), every request is handled. */
  async once<T extends object>(orgId: string, deliveryId: string | undefined, handle: () => Promise<T>): Promise<DeliveryOutcome<T>> {
    if (!deliveryId) return { duplicate: false, answer: await handle() };
    if (!(await this.claim(orgId, deliveryId))) {
      const { rows } = await this.pool.query<{ answer: T | null }>(`SELECT answer FROM ingest_github_deliveries WHERE org_id = $1 AND delivery_id = $2`, [orgId, deliveryId]);
      if (rows[0]?.answer) return { duplicate: true, answer: rows[0].answer };
      if (rows.length) return { duplicate: 'in_progress' };
      if (!(await this.claim(orgId, deliveryId))) return { duplicate: 'in_progress' }; // released meanwhile, and claimed by another
    }
    let answer: T;
    try {
      answer = await handle();
    } catch (error) {
      await this.pool.query(`DELETE FROM ingest_github_deliveries WHERE org_id = $1 AND delivery_id = $2 AND answer IS NULL`, [orgId, deliveryId]);
      throw error;
    }
    await this.pool.query(`UPDATE ingest_github_deliveries SET answer = $3 WHERE org_id = $1 AND delivery_id = $2`, [orgId, deliveryId, JSON.stringify(answer)]);
    return { duplicate: false, answer };
  }

  /** A new claim, or the takeover of one a crashed process left unanswered. */
  private async claim(orgId: string, deliveryId: string): Promise<boolean> {
    const fresh = await this.pool.query(
      `INSERT INTO ingest_github_deliveries (org_id, delivery_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
      [orgId, deliveryId],
    );
    if (fresh.rowCount) return true;
    const stale = await this.pool.query(
      `UPDATE ingest_github_deliveries SET claimed_at = now()
       WHERE org_id = $1 AND delivery_id = $2 AND answer IS NULL AND claimed_at < now() - make_interval(secs => $3)`,
      [orgId, deliveryId, this.staleAfterMs / 1000],
    );
    return !!stale.rowCount;
  }
}
