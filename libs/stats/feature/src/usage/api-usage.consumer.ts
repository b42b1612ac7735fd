/**
 * Feeds `st_usage_daily` from `leakwatch.gateway.v1` (consumer group `<service>.stats.usage`). Other gateway
 * events (token-use attempts) are not usage and are skipped here.
 */
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { CloudEvent, MESSAGE_BUS, MessageBus, MessageSubscription, TOPICS } from '@leakwatch/messaging';
import { SERVICE_NAME } from '@leakwatch/runtime';
import { API_USAGE_RECORDED, ApiUsageReadModel, isApiUsageRecorded } from './api-usage.read-model';
import { StatsSchema } from '../stats-schema';

@Injectable()
export class ApiUsageConsumer implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('StatsUsage');
  private subscription?: MessageSubscription;

  constructor(
    private readonly schema: StatsSchema,
    private readonly readModel: ApiUsageReadModel,
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
    @Inject(SERVICE_NAME) private readonly service: string,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.schema.ready();
    this.subscription = await this.bus.subscribe({
      topics: TOPICS.gateway,
      groupId: `${this.service}.stats.usage`,
      fromBeginning: true,
      handler: (event) => this.handle(event),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.stop();
  }

  async handle(event: CloudEvent): Promise<void> {
    if (event.type !== API_USAGE_RECORDED) return;
    const raw = event.extensions?.streamrevision;
    const revision = raw && /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!isApiUsageRecorded(event.data) || !Number.isInteger(revision)) {
      this.logger.warn(`usage event ${event.id} is malformed or has no stream revision: skipped`);
      return;
    }
    await this.readModel.apply(event.data, revision);
  }
}
