/**
 * Token-use attempts reported by gateways (`leakwatch.gateway.v1`) go into the leak's own history, a page at a
 * time (decide-page.ts: the page's leak streams read in one query, one multi-stream append). A blocked token
 * is usually tried again and again, so a page holds many attempts on few leaks: per attempt, one read and one
 * transaction of its own cost far more than the attempt. Event ids derive from the gateway's event id, so
 * redeliveries are no-ops; a concurrent decision on one of the leaks makes the page decide again.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { EVENT_STORE, EventStore } from '@leakwatch/event-store';
import { CloudEvent, MESSAGE_BUS, MessageBus, TOPICS } from '@leakwatch/messaging';
import { BusConsumer, PG_POOL, SERVICE_NAME } from '@leakwatch/runtime';
import { LEAKED_TOKEN_USE_ATTEMPTED, readTokenUseAttemptV1 } from '@leakwatch/contracts';
import type { Pool } from 'pg';
import { LeakMessage, decidePage } from './decide-page';

@Injectable()
export class AttemptsConsumer extends BusConsumer {
  private readonly logger = new Logger('AttemptsConsumer');

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(MESSAGE_BUS) bus: MessageBus,
    @Inject(SERVICE_NAME) service: string,
    @Inject(PG_POOL) pool: Pool,
  ) {
    super(bus, TOPICS.gateway, `${service}.leak-lifecycle.attempts`, { pool });
  }

  handle(event: CloudEvent): Promise<void> {
    return this.handleBatch([event]);
  }

  protected override async handleBatch(events: CloudEvent[]): Promise<void> {
    const messages: LeakMessage[] = [];
    for (const event of events) {
      if (event.type !== LEAKED_TOKEN_USE_ATTEMPTED) continue;
      const data = readTokenUseAttemptV1(event.data);
      if (!data) {
        this.logger.warn(`attempt ${event.id} is malformed: skipped`);
        continue;
      }
      messages.push({
        id: event.id,
        leakid: data.leakid,
        command: { type: 'RecordTokenUseAttempt', at: data.attempted_at, keyId: data.key_id ?? null, blocked: data.blocked, count: data.count, firstAt: data.first_attempted_at },
        metadata: { occurred_at: data.attempted_at, actor: { key_id: data.key_id ?? undefined, role: 'gateway' }, causation_id: event.id },
      });
    }
    if (!messages.length) return;
    const { refused } = await decidePage(this.store, messages);
    for (const { message } of refused) this.logger.warn(`attempt ${message.id} for unknown leak ${message.leakid}: skipped`);
  }
}
