export * from './ingest.module';
export { WebhookSecrets } from './application/webhook-secrets';
export { loadLeakIdKey } from './application/leak-id-key';
