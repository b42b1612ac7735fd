/**
 * Feeds the stats leak read model from `leakwatch.leaks.v1` (consumer group `<service>.stats.leaks`).
 */
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { CloudEvent, MESSAGE_BUS, MessageBus, MessageSubscription, TOPICS } from '@leakwatch/messaging';
import { SERVICE_NAME } from '@leakwatch/runtime';
import { StatsSchema } from '../stats-schema';
import { readLeakEvent } from './leak-events.reader';
import { LeakStatsReadModel } from './leak-stats.read-model';

@Injectable()
export class LeakStatsConsumer implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('StatsLeaks');
  private subscription?: MessageSubscription;

  constructor(
    private readonly schema: StatsSchema,
    private readonly readModel: LeakStatsReadModel,
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
    @Inject(SERVICE_NAME) private readonly service: string,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.schema.ready();
    this.subscription = await this.bus.subscribe({
      topics: TOPICS.leaks,
      groupId: `${this.service}.stats.leaks`,
      fromBeginning: true,
      handler: (event) => this.handle(event),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.stop();
  }

  async handle(event: CloudEvent): Promise<void> {
    const fact = readLeakEvent(event);
    if (!fact) {
      if (!event.extensions?.streamrevision) this.logger.warn(`leak event ${event.id} (${event.type}) without a stream revision: skipped`);
      return;
    }
    await this.readModel.apply(fact);
  }
}
