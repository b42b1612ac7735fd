/**
 * Intake of findings (manual, gitleaks, TruffleHog, SARIF, GitHub webhooks): normalisation, leak ids,
 * dedup, risk. Plaintext secrets live only in the request's memory.
 * The module is mounted by the `ingest` app and by the embedded `leakwatch` app (target `all`).
 */
import { Logger, Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { LEAKWATCH_CONFIG, LeakwatchConfig, loadSecretsKeyring, PG_POOL, SecretsKeyring } from '@leakwatch/runtime';
import { FindingIntake, LEAK_ID_KEY } from './application/finding-intake';
import { GithubDeliveries } from './application/github-deliveries';
import { loadLeakIdKey } from './application/leak-id-key';
import { WebhookSecrets } from './application/webhook-secrets';
import { GithubWebhookController } from './http/github-webhook.controller';
import { ManualLeaksController } from './http/manual-leaks.controller';
import { ReportIntakeController } from './http/report-intake.controller';

/** The keyring sealing ingest's stored secrets (the leak-id key, webhook secrets), loaded once per process. */
export const INGEST_SECRETS_KEYRING = Symbol('INGEST_SECRETS_KEYRING');

@Module({
  controllers: [ManualLeaksController, ReportIntakeController, GithubWebhookController],
  providers: [
    FindingIntake,
    {
      provide: GithubDeliveries,
      inject: [PG_POOL],
      useFactory: async (pool: Pool) => {
        const deliveries = new GithubDeliveries(pool);
        await deliveries.setup();
        return deliveries;
      },
    },
    {
      provide: INGEST_SECRETS_KEYRING,
      inject: [LEAKWATCH_CONFIG],
      useFactory: (config: LeakwatchConfig): SecretsKeyring => {
        // Stored secrets are encrypted with a key from configuration, not from this database (issue 15.10).
        const { keyring, origin, generated } = loadSecretsKeyring(config.secrets);
        const logger = new Logger('IngestModule');
        if (generated) logger.warn(`generated the secrets key file ${generated}: back it up apart from the data directory (without it, the stored leak-id key and webhook secrets cannot be decrypted); processes sharing this database need the same key (LEAKWATCH_SECRETS_KEY)`);
        logger.log(`stored secrets encrypted with key ${keyring.currentKeyId} from ${origin === 'LEAKWATCH_SECRETS_KEY' ? origin : 'the key file'}`);
        return keyring;
      },
    },
    {
      provide: LEAK_ID_KEY,
      inject: [PG_POOL, LEAKWATCH_CONFIG, INGEST_SECRETS_KEYRING],
      useFactory: async (pool: Pool, config: LeakwatchConfig, keyring: SecretsKeyring): Promise<Buffer> => {
        const loaded = await loadLeakIdKey(pool, keyring, config.ingest.leakIdKey);
        const logger = new Logger('IngestModule');
        if (loaded.state === 'created') logger.log(`generated the leak-id key, stored sealed under secrets key ${keyring.currentKeyId}`);
        if (loaded.state === 'migrated') logger.log(`sealed the stored leak-id key under secrets key ${keyring.currentKeyId} and erased its plaintext (ids unchanged)`);
        if (loaded.state === 're-encrypted') logger.log(`re-encrypted the stored leak-id key under secrets key ${keyring.currentKeyId}`);
        if (loaded.eraseFailed) logger.warn(`the plaintext leak-id key may remain in ingest_settings' table file until it is vacuumed (VACUUM FULL failed: ${loaded.eraseFailed})`);
        return loaded.key;
      },
    },
    {
      provide: WebhookSecrets,
      inject: [PG_POOL, INGEST_SECRETS_KEYRING, LEAK_ID_KEY],
      useFactory: async (pool: Pool, keyring: SecretsKeyring, leakIdKey: Buffer) => {
        // The leak-id key only opens webhook secrets sealed before the keyring existed (migrated here).
        const secrets = new WebhookSecrets(pool, keyring, leakIdKey);
        await secrets.setup();
        await pool.query(`CREATE TABLE IF NOT EXISTS ingest_github_alerts (
          org_id text NOT NULL, repository text NOT NULL, alert_number integer NOT NULL, leakid text NOT NULL,
          PRIMARY KEY (org_id, repository, alert_number))`);
        return secrets;
      },
    },
  ],
})
export class IngestModule {}
