/**
 * Per-organisation GitHub webhook secrets. Verifying `X-Hub-Signature-256` needs the secret itself, so it is
 * kept encrypted (AES-256-GCM) under the configured secrets keyring — a key from the environment or a key
 * file outside the data directory, never from this database — and shown once.
 * Each row names the key that sealed it; on start, rows sealed by an older key (or, before issue 15.10, by a
 * key derived from the leak-id key stored in this same database) are re-encrypted under the current key.
 */
import { createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { Pool } from 'pg';
import type { SealedSecret, SecretsKeyring } from '@leakwatch/runtime';

const context = (orgId: string) => `ingest_webhook_secrets:${orgId}`;

export interface ReEncryption {
  reEncrypted: number;
  /** Rows sealed by a key no longer configured: they cannot be read until that key is back in the keyring. */
  unreadable: string[];
}

export class WebhookSecrets {
  private readonly logger = new Logger('WebhookSecrets');

  /** `legacyMasterKey`: the leak-id key, only to migrate rows written before the keyring existed. */
  constructor(private readonly pool: Pool, private readonly keyring: SecretsKeyring, private readonly legacyMasterKey?: Buffer) {}

  /** Schema, then re-encryption of what an older key sealed, logged. */
  async setup(): Promise<ReEncryption> {
    await this.migrateSchema();
    const result = await this.reEncrypt();
    if (result.reEncrypted) this.logger.log(`re-encrypted ${result.reEncrypted} webhook secret(s) under secrets key ${this.keyring.currentKeyId}`);
    if (result.unreadable.length) {
      this.logger.error(`${result.unreadable.length} webhook secret(s) were sealed by a key missing from the keyring (organisations ${result.unreadable.join(', ')}): restore that key, or create new secrets`);
    }
    return result;
  }

  async migrateSchema(): Promise<void> {
    await this.pool.query(`CREATE TABLE IF NOT EXISTS ingest_webhook_secrets (
      org_id text PRIMARY KEY, ciphertext bytea NOT NULL, iv bytea NOT NULL, tag bytea NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`);
    // NULL = sealed the old way (key derived from the leak-id key in this database).
    await this.pool.query(`ALTER TABLE ingest_webhook_secrets ADD COLUMN IF NOT EXISTS key_id text`);
  }

  /** Re-seals every secret not under the current key (rotation, and the migration from the old scheme). */
  async reEncrypt(): Promise<ReEncryption> {
    const { rows } = await this.pool.query<{ org_id: string; key_id: string | null; ciphertext: Buffer; iv: Buffer; tag: Buffer }>(
      `SELECT org_id, key_id, ciphertext, iv, tag FROM ingest_webhook_secrets WHERE key_id IS DISTINCT FROM $1`,
      [this.keyring.currentKeyId],
    );
    const result: ReEncryption = { reEncrypted: 0, unreadable: [] };
    for (const row of rows) {
      let secret: Buffer;
      try {
        secret = row.key_id === null ? this.openLegacy(row) : this.keyring.open({ keyId: row.key_id, iv: row.iv, ciphertext: row.ciphertext, tag: row.tag }, context(row.org_id));
      } catch {
        result.unreadable.push(row.org_id);
        continue;
      }
      const sealed = this.keyring.seal(secret, context(row.org_id));
      // Guarded by the old ciphertext: a secret rotated meanwhile is not overwritten with the previous one.
      const updated = await this.pool.query(
        `UPDATE ingest_webhook_secrets SET key_id = $2, ciphertext = $3, iv = $4, tag = $5 WHERE org_id = $1 AND ciphertext = $6`,
        [row.org_id, sealed.keyId, sealed.ciphertext, sealed.iv, sealed.tag, row.ciphertext],
      );
      result.reEncrypted += updated.rowCount ?? 0;
    }
    return result;
  }

  /** A new random secret for the organisation (replacing any previous one); returned once. */
  async rotate(orgId: string): Promise<string> {
    const secret = randomBytes(32).toString('base64url');
    const sealed = this.keyring.seal(secret, context(orgId));
    await this.pool.query(
      `INSERT INTO ingest_webhook_secrets (org_id, key_id, ciphertext, iv, tag) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (org_id) DO UPDATE SET key_id = EXCLUDED.key_id, ciphertext = EXCLUDED.ciphertext, iv = EXCLUDED.iv, tag = EXCLUDED.tag, created_at = now()`,
      [orgId, sealed.keyId, sealed.ciphertext, sealed.iv, sealed.tag],
    );
    return secret;
  }

  /** Checks `X-Hub-Signature-256` (`sha256=<hex>`) over the raw body, in constant time. */
  async verify(orgId: string, body: Buffer, signature: string | undefined): Promise<boolean> {
    if (!signature?.startsWith('sha256=')) return false;
    const { rows } = await this.pool.query<{ key_id: string | null; ciphertext: Buffer; iv: Buffer; tag: Buffer }>(
      `SELECT key_id, ciphertext, iv, tag FROM ingest_webhook_secrets WHERE org_id = $1`,
      [orgId],
    );
    if (!rows.length) return false;
    let secret: Buffer;
    try {
      const row = rows[0];
      const sealed: SealedSecret | null = row.key_id === null ? null : { keyId: row.key_id, iv: row.iv, ciphertext: row.ciphertext, tag: row.tag };
      secret = sealed ? this.keyring.open(sealed, context(orgId)) : this.openLegacy(row);
    } catch {
      // A key missing from the keyring (logged at start) answers like a wrong signature: nothing to probe.
      return false;
    }
    const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private openLegacy(row: { ciphertext: Buffer; iv: Buffer; tag: Buffer }): Buffer {
    if (!this.legacyMasterKey) throw new Error('no legacy key to read a secret sealed before the keyring');
    const key = Buffer.from(hkdfSync('sha256', this.legacyMasterKey, Buffer.alloc(0), 'leakwatch:github-webhook-secret', 32));
    const decipher = createDecipheriv('aes-256-gcm', key, row.iv);
    decipher.setAuthTag(row.tag);
    return Buffer.concat([decipher.update(row.ciphertext), decipher.final()]);
  }
}
