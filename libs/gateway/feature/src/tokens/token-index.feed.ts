/** Keeps the token index current from `leakwatch.leaks.v1`; revision-guarded, so redeliveries are harmless. */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { CloudEvent, MESSAGE_BUS, MessageBus, TOPICS } from '@leakwatch/messaging';
import { BusConsumer, SERVICE_NAME } from '@leakwatch/runtime';
import { TokenIndex } from './token-index';

@Injectable()
export class TokenIndexFeed extends BusConsumer {
  private readonly logger = new Logger('TokenIndexFeed');

  constructor(
    private readonly index: TokenIndex,
    @Inject(MESSAGE_BUS) bus: MessageBus,
    @Inject(SERVICE_NAME) service: string,
  ) {
    super(bus, TOPICS.leaks, `${service}.gateway.tokens`);
  }

  protected override prepare(): Promise<void> {
    return this.index.load();
  }

  protected async handle(event: CloudEvent): Promise<void> {
    const data = event.data as { leakid?: string; kind?: string; fingerprint?: string | null };
    const revision = Number(event.extensions?.streamrevision);
    if (!data?.leakid || !Number.isInteger(revision)) return;
    switch (event.type) {
      case 'LeakDetected':
        // Old credential events carry their password's plain hash: never index it (issue 15.4).
        if (data.fingerprint && data.kind !== 'credential') await this.index.addLeak(data.leakid, data.fingerprint, revision);
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
