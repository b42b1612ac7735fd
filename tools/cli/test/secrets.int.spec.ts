/**
 * `leakwatch secrets rotate-key` and `re-encrypt` (issue 15.10): a new key goes first in the key file, the old
 * one stays to decrypt, and re-encryption moves every stored secret (the leak-id key, webhook and subscription
 * secrets) to the new key — after which the old key can be dropped. Real CLI process, real PostgreSQL.
 */
import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Pool } from 'pg';
import { loadLeakIdKey, WebhookSecrets } from '@leakwatch/ingest/feature';
import { SubscriptionsRepository } from '@leakwatch/notifications/feature';
import { keyFileText, loadSecretsKeyring, parseSecretsKeys, SecretsKeyring } from '@leakwatch/runtime';
import { startThrowawayPostgres, ThrowawayPostgres } from '@leakwatch/testing';

const root = path.resolve(__dirname, '../../..');
const run = (args: string[], env: NodeJS.ProcessEnv) =>
  promisify(execFile)(process.execPath, ['-r', './tools/register.js', 'tools/cli/src/main.ts', ...args], { cwd: root, env: { ...process.env, ...env } });
const ORG = '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f';

describe('leakwatch secrets (CLI)', () => {
  let pg: ThrowawayPostgres;
  let dir: string;
  beforeAll(async () => {
    pg = await startThrowawayPostgres();
    dir = mkdtempSync(path.join(os.tmpdir(), 'leakwatch-cli-secrets-'));
  }, 60_000);
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await pg?.stop();
  });

  it('rotate-key then re-encrypt: every secret under the new key, the old key no longer needed', async () => {
    const keyFile = path.join(dir, 'secrets.key');
    const env = { LEAKWATCH_DATA_DIR: path.join(dir, 'data'), LEAKWATCH_SECRETS_KEY_FILE: keyFile, DATABASE_URL: await pg.newDatabase('cli_secrets'), LEAKWATCH_SECRETS_KEY: '' };
    const first = loadSecretsKeyring({ keyFile }).keyring;
    const pool = new Pool({ connectionString: env.DATABASE_URL });
    pool.on('error', () => undefined); // an idle client sees the server stop at teardown
    try {
      const leakIdKey = (await loadLeakIdKey(pool, first)).key; // sealed under the first key
      const before = new WebhookSecrets(pool, first);
      await before.setup();
      const secret = await before.rotate(ORG);
      const subscriptionsBefore = new SubscriptionsRepository(pool, first);
      await subscriptionsBefore.setup();
      const { subscription, secret: signingSecret } = await subscriptionsBefore.create({ orgId: ORG, url: 'https://hooks.example/x', format: 'cloudevents', eventTypes: ['*'] });

      const rotated = await run(['secrets', 'rotate-key'], env);
      expect(rotated.stdout).toMatch(/new current key k[0-9a-f]{8}/);
      const keys = parseSecretsKeys(readFileSync(keyFile, 'utf8'), keyFile);
      expect(keys.map((k) => k.id)).toEqual([expect.any(String), first.currentKeyId]);
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);

      const reEncrypted = await run(['secrets', 're-encrypt', '--json'], env);
      expect(JSON.parse(reEncrypted.stdout)).toEqual({ key: keys[0].id, leakid_key: 're-encrypted', reEncrypted: 1, unreadable: [], subscriptions: 1 });
      expect((await pool.query(`SELECT key_id, value FROM ingest_settings WHERE name = 'leakid_key'`)).rows).toEqual([{ key_id: keys[0].id, value: null }]);

      // Drop the old key: the secret still verifies.
      writeFileSync(keyFile, keyFileText([keys[0]]));
      const body = Buffer.from('{}');
      const after = new WebhookSecrets(pool, new SecretsKeyring([keys[0]]));
      expect(await after.verify(ORG, body, `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`)).toBe(true);
      expect(await new SubscriptionsRepository(pool, new SecretsKeyring([keys[0]])).target(subscription.id)).toMatchObject({ secret: signingSecret });
      // The leak-id key kept its value (ids are stable) and opens with the new key alone.
      expect((await loadLeakIdKey(pool, new SecretsKeyring([keys[0]]))).key.equals(leakIdKey)).toBe(true);
    } finally {
      await pool.end();
    }
  }, 60_000);

  it('rotate-key refuses when the keys come from LEAKWATCH_SECRETS_KEY', async () => {
    const result = await run(['secrets', 'rotate-key'], { LEAKWATCH_SECRETS_KEY: 'a'.repeat(64) }).catch((e: { code: number; stderr: string }) => e);
    expect(result).toMatchObject({ code: 1, stderr: expect.stringMatching(/LEAKWATCH_SECRETS_KEY is set/) });
  });
});
