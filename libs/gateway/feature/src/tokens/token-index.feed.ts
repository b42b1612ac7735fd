/** Keeps the token index current from `leakwatch.leaks.v1`; revision-guarded, so redeliveries are harmless. */
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { CloudEvent, MESSAGE_BUS, MessageBus, MessageSubscription, TOPICS } from '@leakwatch/messaging';
import { SERVICE_NAME } from '@leakwatch/runtime';
import { TokenIndex } from './token-index';

@Injectable()
export class TokenIndexFeed implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('TokenIndexFeed');
  private subscription?: MessageSubscription;

  constructor(private readonly index: TokenIndex, @Inject(MESSAGE_BUS) private readonly bus: MessageBus, @Inject(SERVICE_NAME) private readonly service: string) {}

  async onModuleInit(): Promise<void> {
    await this.index.load();
    this.subscription = await this.bus.subscribe({ topics: TOPICS.leaks, groupId: `${this.service}.gateway.tokens`, handler: (e) => this.handle(e) });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.stop();
  }

  private async handle(event: CloudEvent): Promise<void> {
    const data = event.data as { leakid?: string; fingerprint?: string | null };
    const revision = Number(event.extensions?.streamrevision);
    if (!data?.leakid || !Number.isInteger(revision)) return;
    switch (event.type) {
      case 'LeakDetected':
        if (data.fingerprint) await this.index.addLeak(data.leakid, data.fingerprint, revision);
        return;
      case 'VirtualPatchApplied':
        return this.index.setBlocked(data.leakid, true, revision);
      case 'VirtualPatchRemoved':
        return this.index.setBlocked(data.leakid, false, revision);
      default:
        if (event.type.startsWith('Leak') || event.type.startsWith('Virtual')) return;
        this.logger.debug(`ignored ${event.type}`);
    }
  }
}
