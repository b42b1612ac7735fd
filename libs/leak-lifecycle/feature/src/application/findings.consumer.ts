/**
 * From findings to leaks: each `FindingReceived` becomes a new leak or a sighting of an existing one.
 * Event ids derive from the finding's message id, so a redelivered finding is a no-op at the store.
 */
import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { FINDING_RECEIVED, FINDING_RESOLUTION_RECEIVED, FindingReceivedV1, FindingResolutionReceivedV1 } from '@leakwatch/contracts';
import { EVENT_STORE, EventStore, decideAndAppend } from '@leakwatch/event-store';
import { LEAK_ID, leakDecider, leakStream } from '@leakwatch/leak-lifecycle/domain';
import { CloudEvent, MESSAGE_BUS, MessageBus, TOPICS } from '@leakwatch/messaging';
import { BusConsumer, SERVICE_NAME } from '@leakwatch/runtime';

/** A UUID (v5 layout) derived from a name: the same finding always yields the same event ids. */
export function derivedUuid(name: string): string {
  const hex = createHash('sha1').update(name).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

@Injectable()
export class FindingsConsumer extends BusConsumer {
  private readonly logger = new Logger('FindingsConsumer');

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(MESSAGE_BUS) bus: MessageBus,
    @Inject(SERVICE_NAME) service: string,
  ) {
    super(bus, TOPICS.findings, `${service}.leak-lifecycle.findings`);
  }

  async handle(event: CloudEvent): Promise<void> {
    if (event.type === FINDING_RESOLUTION_RECEIVED) return this.resolution(event);
    if (event.type !== FINDING_RECEIVED) return;
    const finding = event.data as FindingReceivedV1;
    if (!finding || typeof finding.leakid !== 'string' || !LEAK_ID.test(finding.leakid)) {
      this.logger.warn(`finding ${event.id} has no valid leakid: skipped`);
      return;
    }
    const { found_at, batch_id: _batch, ...rest } = finding;
    await decideAndAppend(
      this.store,
      leakStream(finding.leakid),
      leakDecider,
      { type: 'RecordFinding', finding: { ...rest, location: rest.location ?? null }, at: found_at },
      {
        occurred_at: found_at,
        actor: (event.extensions?.actorkeyid
          ? { key_id: event.extensions.actorkeyid, org_id: event.extensions.actororgid, role: event.extensions.actorrole }
          : { role: 'system' }) as Record<string, string>,
        causation_id: event.id,
        ...(event.extensions?.correlationid ? { correlation_id: event.extensions.correlationid } : {}),
      },
      { eventId: (index) => derivedUuid(`${event.id}/${index}`) },
    );
  }

  /** A scanner's own resolution (e.g. GitHub alert resolved as revoked) becomes a status decision by that source. */
  private async resolution(event: CloudEvent): Promise<void> {
    const data = event.data as FindingResolutionReceivedV1;
    if (!data || !LEAK_ID.test(data.leakid ?? '')) return;
    const outcome = await decideAndAppend(
      this.store,
      leakStream(data.leakid),
      leakDecider,
      { type: 'ChangeStatus', to: data.status, comment: `${data.source.name}: ${data.reason}` },
      { occurred_at: data.reported_at, actor: { role: 'integration', user_email: undefined, key_id: data.source.name }, causation_id: event.id },
      { eventId: (index) => derivedUuid(`${event.id}/${index}`) },
    );
    if (!outcome.result.ok) this.logger.warn(`resolution ${event.id} for unknown leak ${data.leakid}: skipped`);
  }
}
