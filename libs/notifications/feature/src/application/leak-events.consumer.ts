/**
 * Leak events (`leakwatch.leaks.v1`) → deliveries for the subscriptions that want them. A leak belongs to the
 * organisation that ingested it (its `LeakDetected` says which, remembered in `nt_leak_orgs`); a subscription
 * gets the events of its organisation's leaks that happened after it was created. Idempotent: the delivery
 * log is unique per (subscription, event id).
 */
import { Inject, Injectable } from '@nestjs/common';
import { LeakEventV1, readLeakEventV1 } from '@leakwatch/contracts';
import { CloudEvent, MESSAGE_BUS, MessageBus, TOPICS } from '@leakwatch/messaging';
import { BusConsumer, SERVICE_NAME } from '@leakwatch/runtime';
import { LeakNotification, NOTIFIABLE_EVENT_TYPES } from '../domain';
import { DeliveryLog } from './delivery-log';
import { leakOrgPairs } from './leak-orgs.topic';
import { SubscriptionsRepository } from './subscriptions.repository';
import { NOTIFICATIONS_RUNTIME, NotificationsRuntime } from './notifications-runtime';

const NOTIFIABLE: ReadonlySet<string> = new Set(NOTIFIABLE_EVENT_TYPES);

/** A leak event somebody may subscribe to, read through the leaks.v1 contract; undefined for any other. */
function notifiable(event: CloudEvent): LeakEventV1 | undefined {
  return NOTIFIABLE.has(event.type) ? readLeakEventV1(event.type, event.data) : undefined;
}

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
    const read = notifiable(event);
    if (!read) return;
    const { leakid } = read.data;
    if (read.type === 'LeakDetected' && read.data.org_id) await this.log.rememberLeakOrg(leakid, read.data.org_id);
    const orgId = await this.log.leakOrg(leakid);
    if (!orgId) return; // a leak no organisation ingested (platform-wide): nobody subscribed to it
    const time = event.time ?? new Date().toISOString();
    const subscriptionIds = await this.subscriptions.matching(orgId, event.type, time);
    if (subscriptionIds.length === 0) return;
    const notification: LeakNotification = { eventId: event.id, type: event.type, leakid, orgId, time, data: { ...read.data } };
    if (await this.log.enqueue(subscriptionIds, notification, this.runtime.maxAttempts)) this.runtime.dispatcher.wake();
  }

  /**
   * A page: the organisations of its new leaks in one insert, the organisations of every leak it names in one
   * query, their live subscriptions in one query (matched in memory as `matching` does: type, created before the
   * event); only events somebody subscribed to cost a write. A leak's organisation never changes, so reading them
   * all up front sees what event-by-event handling would.
   */
  protected override async handleBatch(events: CloudEvent[]): Promise<void> {
    if (events.length === 1) return this.handle(events[0]);
    const wanted = events.flatMap((event) => {
      const read = notifiable(event);
      return read ? [{ event, leakid: read.data.leakid, data: { ...read.data } }] : [];
    });
    if (!wanted.length) return;
    await this.log.rememberLeakOrgs(leakOrgPairs(events));
    const orgs = await this.log.leakOrgs([...new Set(wanted.map((n) => n.leakid))]);
    const subscriptions = await this.subscriptions.liveOf([...new Set(orgs.values())]);
    if (!subscriptions.length) return;
    let added = 0;
    for (const { event, leakid, data } of wanted) {
      const orgId = orgs.get(leakid);
      if (!orgId) continue;
      const time = event.time ?? new Date().toISOString();
      const at = Date.parse(time);
      const ids = subscriptions
        .filter((s) => s.org_id === orgId && s.created_ms <= at && (s.event_types.includes(event.type) || s.event_types.includes('*')))
        .map((s) => s.id);
      if (!ids.length) continue;
      const notification: LeakNotification = { eventId: event.id, type: event.type, leakid, orgId, time, data };
      added += await this.log.enqueue(ids, notification, this.runtime.maxAttempts);
    }
    if (added) this.runtime.dispatcher.wake();
  }
}
