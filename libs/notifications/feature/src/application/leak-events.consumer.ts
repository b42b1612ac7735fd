/**
 * Leak events (`leakwatch.leaks.v1`) → deliveries for the subscriptions that want them. A leak belongs to the
 * organisation that ingested it (its `LeakDetected` says which, remembered in `nt_leak_orgs`); a subscription
 * gets the events of its organisation's leaks that happened after it was created. Idempotent: the delivery
 * log is unique per (subscription, event id).
 */
import { Inject, Injectable } from '@nestjs/common';
import { CloudEvent, MESSAGE_BUS, MessageBus, TOPICS } from '@leakwatch/messaging';
import { BusConsumer, SERVICE_NAME } from '@leakwatch/runtime';
import { LeakNotification, NOTIFIABLE_EVENT_TYPES } from '../domain';
import { DeliveryLog } from './delivery-log';
import { SubscriptionsRepository } from './subscriptions.repository';
import { NOTIFICATIONS_RUNTIME, NotificationsRuntime } from './notifications-runtime';

const NOTIFIABLE: ReadonlySet<string> = new Set(NOTIFIABLE_EVENT_TYPES);

@Injectable()
export class LeakEventsConsumer extends BusConsumer {
  constructor(
    @Inject(NOTIFICATIONS_RUNTIME) private readonly runtime: NotificationsRuntime,
    @Inject(MESSAGE_BUS) bus: MessageBus,
    @Inject(SERVICE_NAME) service: string,
  ) {
    super(bus, TOPICS.leaks, `${service}.notifications`);
  }

  private get log(): DeliveryLog {
    return this.runtime.log;
  }

  private get subscriptions(): SubscriptionsRepository {
    return this.runtime.subscriptions;
  }

  protected async handle(event: CloudEvent): Promise<void> {
    if (!NOTIFIABLE.has(event.type)) return;
    const data = (event.data ?? {}) as { leakid?: unknown; org_id?: unknown };
    if (typeof data.leakid !== 'string') return;
    if (event.type === 'LeakDetected' && typeof data.org_id === 'string') await this.log.rememberLeakOrg(data.leakid, data.org_id);
    const orgId = await this.log.leakOrg(data.leakid);
    if (!orgId) return; // a leak no organisation ingested (platform-wide): nobody subscribed to it
    const time = event.time ?? new Date().toISOString();
    const subscriptionIds = await this.subscriptions.matching(orgId, event.type, time);
    if (subscriptionIds.length === 0) return;
    const notification: LeakNotification = { eventId: event.id, type: event.type, leakid: data.leakid, orgId, time, data: event.data as Record<string, unknown> };
    if (await this.log.enqueue(subscriptionIds, notification, this.runtime.maxAttempts)) this.runtime.dispatcher.wake();
  }
}
