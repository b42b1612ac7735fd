/**
 * Issue 15.10: GitHub webhook secrets are sealed with a key from configuration, never with one derivable from
 * the database itself; a keyring rotates (new secrets under the newest key, old ones still open, a
 * re-encryption moves them); secrets sealed the old way migrate on start. Real PostgreSQL.
 */
import { createCipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { SecretsKey, SecretsKeyring, keyIdOf } from '@leakwatch/runtime';
import { startThrowawayPostgres, ThrowawayPostgres } from '@leakwatch/testing';
import { WebhookSecrets } from '../src/application/webhook-secrets';

const ORG = '6f1d3c2b-8a9e-4f70-b1c2-d3e4f5a6b7c8';
const OTHER_ORG = '7a2e4d3c-9b0f-4a81-82d3-e4f5a6b7c8d9';
const newKey = (): SecretsKey => {
  const key = randomBytes(32);
  return { id: keyIdOf(key), key };
};
const sign = (secret: string, body: Buffer) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
const body = Buffer.from('{"action":"created"}');

/** How a secret was stored before issue 15.10: AES-GCM under a key derived from the leak-id key kept in the same database. */
function legacySeal(leakIdKey: Buffer, secret: string) {
  const key = Buffer.from(hkdfSync('sha256', leakIdKey, Buffer.alloc(0), 'leakwatch:github-webhook-secret', 32));
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return { iv, ciphertext, tag: cipher.getAuthTag() };
}

describe('webhook secrets under the configured keyring (issue 15.10)', () => {
  let pg: ThrowawayPostgres;
  let pool: Pool;

  beforeAll(async () => {
    pg = await startThrowawayPostgres();
    pool = await pg.newPool('webhook_secrets');
  }, 60_000);
  afterEach(() => pool.query('DROP TABLE IF EXISTS ingest_webhook_secrets'));
  afterAll(async () => {
    await pool?.end();
    await pg?.stop();
  });

  it('migrates a secret sealed the old way: it still verifies, and the database alone no longer opens it', async () => {
    const leakIdKey = randomBytes(32); // what ingest_settings holds, in the same database
    const secret = 'old-webhook-secret';
    await pool.query(`CREATE TABLE ingest_webhook_secrets (org_id text PRIMARY KEY, ciphertext bytea NOT NULL, iv bytea NOT NULL, tag bytea NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`);
    const old = legacySeal(leakIdKey, secret);
    await pool.query(`INSERT INTO ingest_webhook_secrets (org_id, ciphertext, iv, tag) VALUES ($1, $2, $3, $4)`, [ORG, old.ciphertext, old.iv, old.tag]);

    const key = newKey();
    const secrets = new WebhookSecrets(pool, new SecretsKeyring([key]), leakIdKey);
    expect(await secrets.setup()).toEqual({ reEncrypted: 1, unreadable: [] });
    expect(await secrets.verify(ORG, body, sign(secret, body))).toBe(true);

    const { rows } = await pool.query(`SELECT key_id, ciphertext, iv, tag FROM ingest_webhook_secrets`);
    expect(rows[0].key_id).toBe(key.id);
    expect(rows[0].ciphertext.equals(old.ciphertext)).toBe(false);
    // Someone with the database (and so the leak-id key) but not the key file: nothing opens.
    const withoutTheKeyFile = new WebhookSecrets(pool, new SecretsKeyring([newKey()]), leakIdKey);
    expect(await withoutTheKeyFile.verify(ORG, body, sign(secret, body))).toBe(false);
  });

  it('rotates: the newest key seals, older keys still open, re-encryption moves everything to the newest', async () => {
    const first = newKey();
    const before = new WebhookSecrets(pool, new SecretsKeyring([first]));
    await before.setup();
    const secret = await before.rotate(ORG);
    expect(await before.verify(ORG, body, sign(secret, body))).toBe(true);

    // The operator puts a new key first and keeps the old one; this start re-encrypts.
    const second = newKey();
    const during = new WebhookSecrets(pool, new SecretsKeyring([second, first]));
    const otherSecret = await during.rotate(OTHER_ORG);
    expect((await pool.query(`SELECT key_id FROM ingest_webhook_secrets WHERE org_id = $1`, [OTHER_ORG])).rows[0].key_id).toBe(second.id);
    expect(await during.verify(ORG, body, sign(secret, body))).toBe(true); // still under the old key: opens
    expect(await during.setup()).toEqual({ reEncrypted: 1, unreadable: [] });
    expect((await pool.query(`SELECT DISTINCT key_id FROM ingest_webhook_secrets`)).rows).toEqual([{ key_id: second.id }]);

    // After the re-encryption the old key can go.
    const after = new WebhookSecrets(pool, new SecretsKeyring([second]));
    expect(await after.verify(ORG, body, sign(secret, body))).toBe(true);
    expect(await after.verify(OTHER_ORG, body, sign(otherSecret, body))).toBe(true);
    expect(await after.verify(ORG, body, sign(otherSecret, body))).toBe(false);
  });

  it('a secret whose key was removed too early is reported, and answers like a wrong signature', async () => {
    const first = newKey();
    const secrets = new WebhookSecrets(pool, new SecretsKeyring([first]));
    await secrets.setup();
    const secret = await secrets.rotate(ORG);
    const withoutIt = new WebhookSecrets(pool, new SecretsKeyring([newKey()]));
    expect(await withoutIt.setup()).toEqual({ reEncrypted: 0, unreadable: [ORG] });
    expect(await withoutIt.verify(ORG, body, sign(secret, body))).toBe(false);
  });

  it('a sealed secret copied to another organisation’s row does not open there', async () => {
    const secrets = new WebhookSecrets(pool, new SecretsKeyring([newKey()]));
    await secrets.setup();
    const secret = await secrets.rotate(ORG);
    await secrets.rotate(OTHER_ORG);
    await pool.query(`UPDATE ingest_webhook_secrets o SET ciphertext = a.ciphertext, iv = a.iv, tag = a.tag FROM ingest_webhook_secrets a WHERE o.org_id = $1 AND a.org_id = $2`, [OTHER_ORG, ORG]);
    expect(await secrets.verify(OTHER_ORG, body, sign(secret, body))).toBe(false);
  });
});
