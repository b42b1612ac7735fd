/**
 * Keeps this process's access directory current from `leakwatch.access.v1`. The directory is held in memory,
 * so every process needs every access event: the consumer group is per process (`<service>.access-directory.<instance
 * id>`), not per service — with a shared group, two replicas of a service would each miss the other's
 * partitions (a revoked key still accepted by one of them). The directory's revision guard makes redeliveries
 * (and a replay from the beginning) harmless.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { isAccessEvent } from '@leakwatch/contracts';
import { CloudEvent, MESSAGE_BUS, MessageBus, TOPICS } from '@leakwatch/messaging';
import { BusConsumer, SERVICE_NAME } from '@leakwatch/runtime';
import { AccessDirectory } from './access-directory';

@Injectable()
export class AccessDirectoryFeed extends BusConsumer {
  private readonly logger = new Logger('AccessDirectoryFeed');

  constructor(
    private readonly directory: AccessDirectory,
    @Inject(MESSAGE_BUS) bus: MessageBus,
    @Inject(SERVICE_NAME) service: string,
  ) {
    super(bus, TOPICS.access, `${service}.access-directory`, { everyProcess: true });
  }

  protected override prepare(): Promise<void> {
    return this.directory.load();
  }

  protected async handle(event: CloudEvent): Promise<void> {
    const candidate = { type: event.type, data: event.data };
    if (!isAccessEvent(candidate)) return;
    const revision = Number(event.extensions?.streamrevision);
    if (!Number.isInteger(revision)) {
      this.logger.warn(`access event ${event.id} (${event.type}) without a stream revision: ignored`);
      return;
    }
    await this.directory.apply(candidate, revision);
  }
}
