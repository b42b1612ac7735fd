/**
 * Backfills `st_leak_decisions` from `leakwatch.leaks.v1` in its own consumer group (`<service>.stats.decisions`),
 * which starts at the beginning of the topic: an installation upgraded from a version without the table gets
 * every past decision, not only those made since. It writes only decisions the leak stats have already passed
 * (backfillDecisions): the live rows have one owner, LeakStatsConsumer, which writes each decision in the same
 * transaction as the status change's counts, so live figures and decisions never disagree and the two
 * consumers never insert (or wait on) the same new row.
 */
import { Inject, Injectable } from '@nestjs/common';
import { CloudEvent, MESSAGE_BUS, MessageBus, TOPICS } from '@leakwatch/messaging';
import { BusConsumer, SERVICE_NAME } from '@leakwatch/runtime';
import { StatsSchema } from '../stats-schema';
import { LeakDecisionsReadModel, readLeakDecision } from './leak-decisions.read-model';

@Injectable()
export class LeakDecisionsConsumer extends BusConsumer {
  constructor(
    private readonly schema: StatsSchema,
    private readonly decisions: LeakDecisionsReadModel,
    @Inject(MESSAGE_BUS) bus: MessageBus,
    @Inject(SERVICE_NAME) service: string,
  ) {
    super(bus, TOPICS.leaks, `${service}.stats.decisions`);
  }

  protected override prepare(): Promise<void> {
    return this.schema.ready();
  }

  async handle(event: CloudEvent): Promise<void> {
    const decision = readLeakDecision(event);
    if (decision) await this.decisions.apply(decision);
  }

  protected override handleBatch(events: CloudEvent[]): Promise<void> {
    return this.decisions.applyPage(events.flatMap((event) => readLeakDecision(event) ?? []));
  }
}
