export * from './ingest.module';
export { WebhookSecrets } from './application/webhook-secrets';
export { loadLeakIdKey, sealStoredLeakIdKey } from './application/leak-id-key';
export type { LeakIdKeyState, StoredLeakIdKey } from './application/leak-id-key';
