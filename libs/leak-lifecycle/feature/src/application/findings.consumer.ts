/**
 * From findings to leaks: each `FindingReceived` becomes a new leak or a sighting of an existing one, a page
 * of findings at a time (record-findings.ts). Event ids derive from the finding's message id, so a
 * redelivered finding is a no-op. A finding that keeps failing is parked, not retried forever.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { FINDING_RECEIVED, FINDING_RESOLUTION_RECEIVED, readFindingReceivedV1, readFindingResolutionV1 } from '@leakwatch/contracts';
import { EVENT_STORE, EventStore, decideAndAppend } from '@leakwatch/event-store';
import { leakAggregate, leakStream } from '@leakwatch/leak-lifecycle/domain';
import { CloudEvent, MESSAGE_BUS, MessageBus, TOPICS } from '@leakwatch/messaging';
import { BusConsumer, PG_POOL, SERVICE_NAME } from '@leakwatch/runtime';
import type { Pool } from 'pg';
import { derivedUuid } from './decide-page';
import { FindingMessage, recordFindings } from './record-findings';

@Injectable()
export class FindingsConsumer extends BusConsumer {
  private readonly logger = new Logger('FindingsConsumer');

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(MESSAGE_BUS) bus: MessageBus,
    @Inject(SERVICE_NAME) service: string,
    @Inject(PG_POOL) pool: Pool,
  ) {
    super(bus, TOPICS.findings, `${service}.leak-lifecycle.findings`, { pool });
  }

  handle(event: CloudEvent): Promise<void> {
    return this.handleBatch([event]);
  }

  /**
   * Runs of FindingReceived are recorded a page at a time (one multi-stream append); a resolution in between
   * is decided on its own, so each leak sees its messages in order.
   */
  protected override async handleBatch(events: CloudEvent[]): Promise<void> {
    let run: FindingMessage[] = [];
    const flush = async () => {
      if (run.length) await recordFindings(this.store, run);
      run = [];
    };
    for (const event of events) {
      if (event.type === FINDING_RESOLUTION_RECEIVED) {
        await flush();
        await this.resolution(event);
      } else if (event.type === FINDING_RECEIVED) {
        const message = this.findingMessage(event);
        if (message) run.push(message);
      }
    }
    await flush();
  }

  private findingMessage(event: CloudEvent): FindingMessage | undefined {
    const finding = readFindingReceivedV1(event.data);
    if (!finding) {
      this.logger.warn(`finding ${event.id} is not a findings.v1 FindingReceived: skipped`);
      return undefined;
    }
    return {
      id: event.id,
      finding,
      metadata: {
        occurred_at: finding.found_at,
        actor: (event.extensions?.actorkeyid
          ? { key_id: event.extensions.actorkeyid, org_id: event.extensions.actororgid, role: event.extensions.actorrole }
          : { role: 'system' }) as Record<string, string>,
        causation_id: event.id,
        ...(event.extensions?.correlationid ? { correlation_id: event.extensions.correlationid } : {}),
      },
    };
  }

  /** A scanner's own resolution (e.g. GitHub alert resolved as revoked) becomes a status decision by that source. */
  private async resolution(event: CloudEvent): Promise<void> {
    const data = readFindingResolutionV1(event.data);
    if (!data) {
      this.logger.warn(`resolution ${event.id} is not a findings.v1 FindingResolutionReceived: skipped`);
      return;
    }
    const outcome = await decideAndAppend(
      this.store,
      leakStream(data.leakid),
      leakAggregate,
      { type: 'ChangeStatus', to: data.status, comment: `${data.source.name}: ${data.reason}` },
      { occurred_at: data.reported_at, actor: { role: 'integration', user_email: undefined, key_id: data.source.name }, causation_id: event.id },
      { eventId: (index) => derivedUuid(`${event.id}/${index}`) },
    );
    if (!outcome.result.ok) this.logger.warn(`resolution ${event.id} for unknown leak ${data.leakid}: skipped`);
  }
}
