/**
 * Intake of findings (manual, gitleaks, TruffleHog, SARIF, GitHub webhooks): normalisation, leak ids,
 * dedup, risk. Plaintext secrets live only in the request's memory.
 * The module is mounted by the `ingest` app and by the embedded `leakwatch` app (target `all`).
 */
import { Logger, Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { LEAKWATCH_CONFIG, LeakwatchConfig, loadSecretsKeyring, PG_POOL } from '@leakwatch/runtime';
import { FindingIntake } from './application/finding-intake';
import { GithubDeliveries } from './application/github-deliveries';
import { loadLeakIdKey } from './application/leak-id-key';
import { WebhookSecrets } from './application/webhook-secrets';
import { GithubWebhookController } from './http/github-webhook.controller';
import { ManualLeaksController } from './http/manual-leaks.controller';
import { ReportIntakeController } from './http/report-intake.controller';

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
      provide: WebhookSecrets,
      inject: [PG_POOL, LEAKWATCH_CONFIG],
      useFactory: async (pool: Pool, config: LeakwatchConfig) => {
        // Stored secrets are encrypted with a key from configuration, not from this database (issue 15.10).
        const { keyring, origin, generated } = loadSecretsKeyring(config.secrets);
        const logger = new Logger('IngestModule');
        if (generated) logger.warn(`generated the secrets key file ${generated}: back it up apart from the data directory (without it, stored webhook secrets cannot be decrypted); processes sharing this database need the same key (LEAKWATCH_SECRETS_KEY)`);
        logger.log(`stored secrets encrypted with key ${keyring.currentKeyId} from ${origin === 'LEAKWATCH_SECRETS_KEY' ? origin : 'the key file'}`);
        const secrets = new WebhookSecrets(pool, keyring, await loadLeakIdKey(pool));
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
