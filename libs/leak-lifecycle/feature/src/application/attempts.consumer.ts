/**
 * Token-use attempts reported by gateways (`leakwatch.gateway.v1`) go into the leak's own history.
 * Event ids derive from the gateway's event id, so redeliveries are no-ops.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { EVENT_STORE, EventStore, decideAndAppend } from '@leakwatch/event-store';
import { leakAggregate, leakStream } from '@leakwatch/leak-lifecycle/domain';
import { CloudEvent, MESSAGE_BUS, MessageBus, TOPICS } from '@leakwatch/messaging';
import { BusConsumer, SERVICE_NAME } from '@leakwatch/runtime';
import { derivedUuid } from './findings.consumer';
import { readTokenUseAttemptV1 } from '@leakwatch/contracts';

@Injectable()
export class AttemptsConsumer extends BusConsumer {
  private readonly logger = new Logger('AttemptsConsumer');

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(MESSAGE_BUS) bus: MessageBus,
    @Inject(SERVICE_NAME) service: string,
  ) {
    super(bus, TOPICS.gateway, `${service}.leak-lifecycle.attempts`);
  }

  async handle(event: CloudEvent): Promise<void> {
    if (event.type !== 'LeakedTokenUseAttempted') return;
    const data = readTokenUseAttemptV1(event.data);
    if (!data) {
      this.logger.warn(`attempt ${event.id} is malformed: skipped`);
      return;
    }
    const outcome = await decideAndAppend(
      this.store,
      leakStream(data.leakid),
      leakAggregate,
      { type: 'RecordTokenUseAttempt', at: data.attempted_at, keyId: data.key_id ?? null, blocked: data.blocked },
      { occurred_at: data.attempted_at, actor: { key_id: data.key_id ?? undefined, role: 'gateway' }, causation_id: event.id },
      { eventId: (i) => derivedUuid(`${event.id}/${i}`) },
    );
    if (!outcome.result.ok) this.logger.warn(`attempt ${event.id} for unknown leak ${data.leakid}: skipped`);
  }
}
