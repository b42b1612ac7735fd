/**
 * Keeps this process's access directory current from `leakwatch.access.v1`. Each service has its own
 * consumer group, so every service sees every access event; the directory's revision guard makes
 * redeliveries harmless.
 */
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { isAccessEvent } from '@leakwatch/contracts';
import { CloudEvent, MESSAGE_BUS, MessageBus, MessageSubscription, TOPICS } from '@leakwatch/messaging';
import { SERVICE_NAME } from '@leakwatch/runtime';
import { AccessDirectory } from './access-directory';

@Injectable()
export class AccessDirectoryFeed implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('AccessDirectoryFeed');
  private subscription?: MessageSubscription;

  constructor(
    private readonly directory: AccessDirectory,
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
    @Inject(SERVICE_NAME) private readonly service: string,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.directory.load(); // tables first: a message may arrive as soon as we subscribe
    this.subscription = await this.bus.subscribe({
      topics: TOPICS.access,
      groupId: `${this.service}.access-directory`,
      fromBeginning: true,
      handler: (event) => this.handle(event),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.stop();
  }

  private async handle(event: CloudEvent): Promise<void> {
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
