/**
 * Webhook subscriptions, per organisation (`nt_subscriptions`). The signing secret must be kept (every
 * delivery is signed with it), so it is sealed with the configured secrets keyring (issue 15.10), bound to
 * its subscription id, and shown once. Deleting a subscription keeps it for its delivery log.
 */
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { SecretsKeyring } from '@leakwatch/runtime';
import { newSigningSecret, SubscriptionFormat } from '../domain';

export interface Subscription {
  id: string;
  org_id: string;
  url: string;
  format: SubscriptionFormat;
  event_types: string[];
  description: string | null;
  created_at: string;
}

interface Row {
  id: string;
  org_id: string;
  url: string;
  format: SubscriptionFormat;
  event_types: string[];
  description: string | null;
  created_at: Date;
  key_id: string;
  ciphertext: Buffer;
  iv: Buffer;
  tag: Buffer;
}

const context = (id: string) => `nt_subscriptions:${id}`;

export class SubscriptionsRepository {
  constructor(private readonly pool: Pool, private readonly keyring: SecretsKeyring) {}

  async setup(): Promise<void> {
    await this.pool.query(`CREATE TABLE IF NOT EXISTS nt_subscriptions (
      id uuid PRIMARY KEY, org_id text NOT NULL, url text NOT NULL, format text NOT NULL, event_types text[] NOT NULL,
      description text, key_id text NOT NULL, ciphertext bytea NOT NULL, iv bytea NOT NULL, tag bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(), deleted_at timestamptz);
      CREATE INDEX IF NOT EXISTS nt_subscriptions_org ON nt_subscriptions (org_id) WHERE deleted_at IS NULL;`);
    await this.reEncrypt();
  }

  /** A new subscription and its signing secret (returned once). */
  async create(input: { orgId: string; url: string; format: SubscriptionFormat; eventTypes: string[]; description?: string }): Promise<{ subscription: Subscription; secret: string }> {
    const id = randomUUID();
    const secret = newSigningSecret();
    const sealed = this.keyring.seal(secret, context(id));
    const { rows } = await this.pool.query<Row>(
      `INSERT INTO nt_subscriptions (id, org_id, url, format, event_types, description, key_id, ciphertext, iv, tag)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
      [id, input.orgId, input.url, input.format, input.eventTypes, input.description ?? null, sealed.keyId, sealed.ciphertext, sealed.iv, sealed.tag],
    );
    return { subscription: view(rows[0]), secret };
  }

  /** Live subscriptions of one organisation, or of all (`orgId` undefined: global roles). */
  async list(orgId: string | undefined): Promise<Subscription[]> {
    const { rows } = await this.pool.query<Row>(
      `SELECT * FROM nt_subscriptions WHERE deleted_at IS NULL AND ($1::text IS NULL OR org_id = $1) ORDER BY created_at, id`,
      [orgId ?? null],
    );
    return rows.map(view);
  }

  /** The subscription if it is live and the caller's organisation's (`orgId` undefined: any). */
  async find(id: string, orgId: string | undefined): Promise<Subscription | undefined> {
    const { rows } = await this.pool.query<Row>(`SELECT * FROM nt_subscriptions WHERE id = $1 AND deleted_at IS NULL AND ($2::text IS NULL OR org_id = $2)`, [id, orgId ?? null]);
    return rows[0] ? view(rows[0]) : undefined;
  }

  async delete(id: string, orgId: string | undefined): Promise<boolean> {
    const { rowCount } = await this.pool.query(`UPDATE nt_subscriptions SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL AND ($2::text IS NULL OR org_id = $2)`, [id, orgId ?? null]);
    return !!rowCount;
  }

  /** Subscriptions that want this event: the leak's organisation, the type, created before the event happened. */
  async matching(orgId: string, type: string, at: string): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      `SELECT id FROM nt_subscriptions WHERE org_id = $1 AND deleted_at IS NULL AND created_at <= $3::timestamptz AND ($2 = ANY (event_types) OR '*' = ANY (event_types))`,
      [orgId, type, at],
    );
    return rows.map((r) => r.id);
  }

  /** The live subscriptions of these organisations (a page's matching is done in memory, as `matching` would). */
  // created_ms is rounded up to the millisecond: "created_ms <= an event's time in ms" is exactly `matching`'s
  // "created_at <= time" (event times have millisecond precision, created_at microseconds).
  async liveOf(orgIds: string[]): Promise<Array<{ id: string; org_id: string; event_types: string[]; created_ms: number }>> {
    if (!orgIds.length) return [];
    const { rows } = await this.pool.query<{ id: string; org_id: string; event_types: string[]; created_ms: string }>(
      `SELECT id, org_id, event_types, ceil(extract(epoch FROM created_at) * 1000) AS created_ms
         FROM nt_subscriptions WHERE org_id = ANY($1::text[]) AND deleted_at IS NULL ORDER BY id`,
      [orgIds],
    );
    return rows.map((r) => ({ ...r, created_ms: Number(r.created_ms) }));
  }

  /** The URL, format and signing secret for a delivery; undefined once the subscription is deleted. */
  async target(id: string): Promise<{ url: string; format: SubscriptionFormat; secret: string } | undefined> {
    const { rows } = await this.pool.query<Row>(`SELECT * FROM nt_subscriptions WHERE id = $1 AND deleted_at IS NULL`, [id]);
    if (!rows[0]) return undefined;
    const r = rows[0];
    const secret = this.keyring.open({ keyId: r.key_id, iv: r.iv, ciphertext: r.ciphertext, tag: r.tag }, context(r.id)).toString('utf8');
    return { url: r.url, format: r.format, secret };
  }

  /** Keyring rotation: secrets sealed by an older key are sealed again under the current one. */
  async reEncrypt(): Promise<number> {
    const { rows } = await this.pool.query<Row>(`SELECT * FROM nt_subscriptions WHERE key_id <> $1`, [this.keyring.currentKeyId]);
    let moved = 0;
    for (const r of rows) {
      if (!this.keyring.has(r.key_id)) continue; // its key is gone: deliveries of it fail, and say why
      const sealed = this.keyring.seal(this.keyring.open({ keyId: r.key_id, iv: r.iv, ciphertext: r.ciphertext, tag: r.tag }, context(r.id)), context(r.id));
      const updated = await this.pool.query(`UPDATE nt_subscriptions SET key_id = $2, ciphertext = $3, iv = $4, tag = $5 WHERE id = $1 AND key_id = $6`, [
        r.id, sealed.keyId, sealed.ciphertext, sealed.iv, sealed.tag, r.key_id,
      ]);
      moved += updated.rowCount ?? 0;
    }
    return moved;
  }
}

function view(r: Row): Subscription {
  return { id: r.id, org_id: r.org_id, url: r.url, format: r.format, event_types: r.event_types, description: r.description, created_at: r.created_at.toISOString() };
}
