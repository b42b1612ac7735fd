/**
 * Outbound notifications: per-organisation webhook subscriptions that receive the organisation's leak events
 * as CloudEvents (structured JSON) or Slack messages, signed (Standard Webhooks), retried with backoff, with a
 * delivery log and redelivery by id. Mounted by the embedded process (`npm start`), and in distributed mode
 * by the `notifications` service (apps/notifications), which reads the leak events from Kafka.
 */
import { Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { LEAKWATCH_CONFIG, LeakwatchConfig, PG_POOL } from '@leakwatch/runtime';
import { LeakEventsConsumer } from './application/leak-events.consumer';
import { NOTIFICATIONS_RUNTIME, NotificationsRuntime } from './application/notifications-runtime';
import { SubscriptionsController } from './http/subscriptions.controller';

@Module({
  controllers: [SubscriptionsController],
  providers: [
    { provide: NOTIFICATIONS_RUNTIME, inject: [PG_POOL, LEAKWATCH_CONFIG], useFactory: (pool: Pool, config: LeakwatchConfig) => NotificationsRuntime.start(pool, config) },
    LeakEventsConsumer,
  ],
})
export class NotificationsModule {}
