/** The answers of the notification endpoints, as named OpenAPI schemas. */
import { apiSchema, s } from '@leakwatch/runtime';
import { SUBSCRIPTION_FORMATS } from '../domain';

const subscriptionFields = {
  id: s.uuid(),
  org_id: s.uuid(),
  url: s.string({ examples: ['https://hooks.example.com/leakwatch'] }),
  format: s.enumOf(SUBSCRIPTION_FORMATS),
  event_types: s.array(s.string(), { examples: [['*']] }),
  description: s.nullableString(),
  created_at: s.dateTime(),
};
export const SUBSCRIPTION_SCHEMA = apiSchema('WebhookSubscription', s.object(subscriptionFields));
export const SUBSCRIPTION_CREATED_SCHEMA = apiSchema(
  'WebhookSubscriptionCreated',
  s.object({
    ...subscriptionFields,
    secret: s.string({ description: 'The signing secret (`whsec_…`): shown in this answer only' }),
    signature: s.string({ description: 'How deliveries are signed' }),
  }),
);
export const SUBSCRIPTION_LIST_SCHEMA = apiSchema('WebhookSubscriptionList', s.object({ items: s.array(SUBSCRIPTION_SCHEMA) }));
export const SUBSCRIPTION_DELETED_SCHEMA = apiSchema('WebhookSubscriptionDeleted', s.object({ id: s.uuid(), deleted: s.boolean() }));
export const DELIVERY_SCHEMA = apiSchema(
  'WebhookDelivery',
  s.object({
    id: s.uuid(),
    subscription_id: s.uuid(),
    event_id: s.string(),
    event_type: s.string(),
    leakid: s.leakid(),
    status: s.enumOf(['pending', 'delivered', 'failed', 'cancelled']),
    attempts: s.integer({ minimum: 0 }),
    last_status_code: { type: ['integer', 'null'] },
    last_error: s.nullableString(),
    next_attempt_at: s.nullableDateTime(),
    created_at: s.dateTime(),
    delivered_at: s.nullableDateTime(),
  }),
);
export const DELIVERY_LIST_SCHEMA = apiSchema('WebhookDeliveryList', s.object({ items: s.array(DELIVERY_SCHEMA) }));
