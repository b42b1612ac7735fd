/**
 * Feeds `st_usage_daily` from `leakwatch.gateway.v1` (consumer group `<service>.stats.usage`). Other gateway
 * events (token-use attempts) are not usage and are skipped here.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { CloudEvent, MESSAGE_BUS, MessageBus, TOPICS } from '@leakwatch/messaging';
import { BusConsumer, SERVICE_NAME } from '@leakwatch/runtime';
import { API_USAGE_RECORDED, ApiUsageReadModel, usageOf } from './api-usage.read-model';
import { StatsSchema } from '../stats-schema';

@Injectable()
export class ApiUsageConsumer extends BusConsumer {
  private readonly logger = new Logger('StatsUsage');

  constructor(
    private readonly schema: StatsSchema,
    private readonly readModel: ApiUsageReadModel,
    @Inject(MESSAGE_BUS) bus: MessageBus,
    @Inject(SERVICE_NAME) service: string,
  ) {
    super(bus, TOPICS.gateway, `${service}.stats.usage`);
  }

  protected override prepare(): Promise<void> {
    return this.schema.ready();
  }

  async handle(event: CloudEvent): Promise<void> {
    return this.handleBatch([event]);
  }

  /** A page of usage events in one transaction (apiUsageReadModel, the same function a rebuild replays). */
  protected override async handleBatch(events: CloudEvent[]): Promise<void> {
    for (const event of events) {
      if (event.type === API_USAGE_RECORDED && !usageOf(event)) this.logger.warn(`usage event ${event.id} is malformed or has no stream revision: skipped`);
    }
    if (events.some((event) => usageOf(event))) await this.readModel.applyPage(events);
  }
}
