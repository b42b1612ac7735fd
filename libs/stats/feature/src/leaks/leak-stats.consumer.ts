/**
 * Feeds the stats leak read model from `leakwatch.leaks.v1` (consumer group `<service>.stats.leaks`), a page of
 * events per transaction when the bus delivers pages.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { CloudEvent, MESSAGE_BUS, MessageBus, TOPICS } from '@leakwatch/messaging';
import { BusConsumer, SERVICE_NAME } from '@leakwatch/runtime';
import { LeakDecisionsReadModel, readLeakDecision } from '../reports/leak-decisions.read-model';
import { StatsSchema } from '../stats-schema';
import { readLeakEvent } from './leak-events.reader';
import { LeakStatsReadModel } from './leak-stats.read-model';
import { leakStatsItems } from './leak-stats.topic';

@Injectable()
export class LeakStatsConsumer extends BusConsumer {
  private readonly logger = new Logger('StatsLeaks');

  constructor(
    private readonly schema: StatsSchema,
    private readonly readModel: LeakStatsReadModel,
    private readonly decisions: LeakDecisionsReadModel,
    @Inject(MESSAGE_BUS) bus: MessageBus,
    @Inject(SERVICE_NAME) service: string,
  ) {
    super(bus, TOPICS.leaks, `${service}.stats.leaks`);
  }

  protected override prepare(): Promise<void> {
    return this.schema.ready();
  }

  async handle(event: CloudEvent): Promise<void> {
    const fact = readLeakEvent(event);
    if (!fact) {
      if (!event.extensions?.streamrevision) this.logger.warn(`leak event ${event.id} (${event.type}) without a stream revision: skipped`);
      return;
    }
    // A status change also records who decided it and why (the remediation report), in the same transaction.
    const decision = readLeakDecision(event);
    if (decision) await this.decisions.applyWithFact(decision, fact);
    else await this.readModel.apply(fact);
  }

  /** A page in one transaction: runs of LeakDetected are multi-row inserts, the rest in order (leak-stats.topic.ts). */
  protected override async handleBatch(events: CloudEvent[]): Promise<void> {
    if (events.length === 1) return this.handle(events[0]);
    const items = leakStatsItems(events, (event) => this.logger.warn(`leak event ${event.id} (${event.type}) without a stream revision: skipped`));
    if (items.length) await this.readModel.applyPage(items);
  }
}
