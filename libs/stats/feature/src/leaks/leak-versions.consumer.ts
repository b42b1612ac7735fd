/**
 * Fills `st_leak_versions` (statistics as of any moment) from `leakwatch.leaks.v1` in its own consumer group
 * (`<service>.stats.leak-versions`), which starts at the beginning of the topic: an installation upgraded from a
 * version without the table gets every past version. A page is one transaction (set-based).
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Pool } from 'pg';
import { CloudEvent, MESSAGE_BUS, MessageBus, TOPICS } from '@leakwatch/messaging';
import { withTransaction } from '@leakwatch/pg';
import { BusConsumer, PG_POOL, SERVICE_NAME } from '@leakwatch/runtime';
import { StatsSchema } from '../stats-schema';
import { LeakFactAt, readLeakEvent } from './leak-events.reader';
import { applyLeakVersions } from './leak-versions.read-model';

@Injectable()
export class LeakVersionsConsumer extends BusConsumer {
  private readonly logger = new Logger('StatsLeakVersions');

  constructor(
    private readonly schema: StatsSchema,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(MESSAGE_BUS) bus: MessageBus,
    @Inject(SERVICE_NAME) service: string,
  ) {
    super(bus, TOPICS.leaks, `${service}.stats.leak-versions`);
  }

  protected override prepare(): Promise<void> {
    return this.schema.ready();
  }

  handle(event: CloudEvent): Promise<void> {
    return this.handleBatch([event]);
  }

  protected override async handleBatch(events: CloudEvent[]): Promise<void> {
    const facts: LeakFactAt[] = [];
    for (const event of events) {
      const fact = readLeakEvent(event);
      if (fact) facts.push(fact);
      else if (!event.extensions?.streamrevision) this.logger.warn(`leak event ${event.id} (${event.type}) without a stream revision: skipped`);
    }
    if (facts.length) await withTransaction(this.pool, (client) => applyLeakVersions(client, facts));
  }
}
