export * from './notifications.module';
export { verify as verifyWebhookSignature, sign as signWebhookPayload } from './domain/signing';
export { SubscriptionsRepository } from './application/subscriptions.repository';
export { leakOrgsReadModel } from './application/leak-orgs.topic';
// The leak-events consumer and its runtime parts (wired by NotificationsModule; exported for the CLI's rebuild-equality spec).
export { LeakEventsConsumer } from './application/leak-events.consumer';
export { DeliveryLog } from './application/delivery-log';
export type { NotificationsRuntime } from './application/notifications-runtime';
