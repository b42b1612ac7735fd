/**
 * `leakwatch secrets rotate-key | re-encrypt`: rotation of the keyring that encrypts stored secrets (the leak-id
 * key, GitHub webhook secrets, notification subscriptions' signing secrets). rotate-key puts a new key first in the key file and keeps the old ones (they still
 * decrypt); re-encrypt seals every stored secret under the current key — Leakwatch also does it on start —
 * after which the old keys can be removed from the file.
 */
import { chmodSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { LeakIdKeyState, WebhookSecrets, sealStoredLeakIdKey } from '@leakwatch/ingest/feature';
import { SubscriptionsRepository } from '@leakwatch/notifications/feature';
import { keyFileText, loadConfig, loadSecretsKeyring, parseSecretsKeys, SecretsKeyError, withNewKey } from '@leakwatch/runtime';
import { openDatabase } from '../database';

export function registerSecretsCommand(program: Command): void {
  const secrets = program.command('secrets').description('Rotate the keys that encrypt stored secrets (LEAKWATCH_SECRETS_KEY / the secrets key file)');

  secrets
    .command('rotate-key')
    .description('Put a new key first in the secrets key file (old keys stay, to decrypt); then restart or run re-encrypt')
    .action(() => {
      const config = loadConfig();
      if (config.secrets.keys) {
        throw new Error('LEAKWATCH_SECRETS_KEY is set, so the key file is not used: put a new key first in that variable (openssl rand -hex 32), keep the old ones after it, and restart');
      }
      const file = config.secrets.keyFile;
      loadSecretsKeyring(config.secrets); // creates the file if this installation never started
      const keys = withNewKey(parseSecretsKeys(readFileSync(file, 'utf8'), file));
      // Replace atomically: a crash never leaves a half-written keyring.
      writeFileSync(`${file}.new`, keyFileText(keys), { mode: 0o600 });
      chmodSync(`${file}.new`, 0o600);
      renameSync(`${file}.new`, file);
      console.log(`new current key ${keys[0].id} in ${file} (older: ${keys.slice(1).map((k) => k.id).join(', ')})`);
      console.log('restart Leakwatch (or run `leakwatch secrets re-encrypt`) to re-encrypt stored secrets (the leak-id key, webhook and subscription secrets); then the older keys can be removed');
    });

  secrets
    .command('re-encrypt')
    .description('Re-encrypt every stored secret under the current key (Leakwatch does this on start too)')
    .option('--json', 'machine-readable summary')
    .action(async (options: { json?: boolean }) => {
      const { keyring } = loadSecretsKeyring(loadConfig().secrets);
      const db = await openDatabase();
      try {
        // The leak-id key first (same value, sealed under the current key; a plaintext one is sealed and erased):
        // it also opens webhook secrets sealed before the keyring existed. Nothing is created where ingest never ran.
        let leakIdKey: { state: LeakIdKeyState | 'unreadable'; key?: Buffer };
        try {
          leakIdKey = await sealStoredLeakIdKey(db.pool, keyring, false);
        } catch (error) {
          if (!(error instanceof SecretsKeyError)) throw error;
          console.error(error.message);
          leakIdKey = { state: 'unreadable' };
        }
        const webhookSecrets = new WebhookSecrets(db.pool, keyring, leakIdKey.key);
        await webhookSecrets.migrateSchema();
        const result = await webhookSecrets.reEncrypt();
        // Notification subscriptions' signing secrets, where notifications have run on this database.
        const { rows } = await db.pool.query(`SELECT to_regclass('nt_subscriptions') IS NOT NULL AS present`);
        const subscriptions = rows[0].present ? await new SubscriptionsRepository(db.pool, keyring).reEncrypt() : 0;
        if (options.json) console.log(JSON.stringify({ key: keyring.currentKeyId, leakid_key: leakIdKey.state, ...result, subscriptions }));
        else console.log(`leak-id key: ${leakIdKey.state === 'migrated' ? 'sealed (was plaintext)' : leakIdKey.state}; webhook secrets: ${result.reEncrypted} re-encrypted under ${keyring.currentKeyId}, ${result.unreadable.length} unreadable (key missing); notification subscriptions: ${subscriptions} re-encrypted`);
        if (result.unreadable.length || leakIdKey.state === 'unreadable') process.exitCode = 1;
      } finally {
        await db.close();
      }
    });
}
