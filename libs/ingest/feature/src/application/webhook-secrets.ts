/**
 * Per-organisation GitHub webhook secrets. HMAC verification needs the secret itself, so it is kept
 * encrypted (AES-256-GCM, key derived from the ingest key) — never in plaintext at rest, shown once.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, timingSafeEqual, createHmac } from 'node:crypto';
import type { Pool } from 'pg';

export class WebhookSecrets {
  private readonly key: Buffer;

  constructor(private readonly pool: Pool, masterKey: Buffer) {
    this.key = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'leakwatch:github-webhook-secret', 32));
  }

  async setup(): Promise<void> {
    await this.pool.query(`CREATE TABLE IF NOT EXISTS ingest_webhook_secrets (
      org_id text PRIMARY KEY, ciphertext bytea NOT NULL, iv bytea NOT NULL, tag bytea NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`);
  }

  /** A new random secret for the organisation (replacing any previous one); returned once. */
  async rotate(orgId: string): Promise<string> {
    const secret = randomBytes(32).toString('base64url');
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    await this.pool.query(
      `INSERT INTO ingest_webhook_secrets (org_id, ciphertext, iv, tag) VALUES ($1, $2, $3, $4)
       ON CONFLICT (org_id) DO UPDATE SET ciphertext = EXCLUDED.ciphertext, iv = EXCLUDED.iv, tag = EXCLUDED.tag, created_at = now()`,
      [orgId, ciphertext, iv, cipher.getAuthTag()],
    );
    return secret;
  }

  /** Checks `X-Hub-Signature-256` (`sha256=<hex>`) over the raw body, in constant time. */
  async verify(orgId: string, body: Buffer, signature: string | undefined): Promise<boolean> {
    if (!signature?.startsWith('sha256=')) return false;
    const { rows } = await this.pool.query<{ ciphertext: Buffer; iv: Buffer; tag: Buffer }>(`SELECT ciphertext, iv, tag FROM ingest_webhook_secrets WHERE org_id = $1`, [orgId]);
    if (!rows.length) return false;
    const decipher = createDecipheriv('aes-256-gcm', this.key, rows[0].iv);
    decipher.setAuthTag(rows[0].tag);
    const secret = Buffer.concat([decipher.update(rows[0].ciphertext), decipher.final()]);
    const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
