export * from './notifications.module';
export { verify as verifyWebhookSignature, sign as signWebhookPayload } from './domain/signing';
export { SubscriptionsRepository } from './application/subscriptions.repository';
export { leakOrgsReadModel } from './application/leak-orgs.topic';
