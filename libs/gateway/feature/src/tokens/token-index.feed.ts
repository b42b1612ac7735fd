/**
 * Keeps the token index current from `leakwatch.leaks.v1`; revision-guarded, so redeliveries are harmless.
 * The consumer group is versioned with the index tables: a new version reads the topic from the beginning.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { CloudEvent, MESSAGE_BUS, MessageBus, TOPICS } from '@leakwatch/messaging';
import { BusConsumer, SERVICE_NAME } from '@leakwatch/runtime';
import { DetectedToken, TokenIndex } from './token-index';
import { detectedToken } from './token-index.topic';

@Injectable()
export class TokenIndexFeed extends BusConsumer {
  private readonly logger = new Logger('TokenIndexFeed');

  constructor(
    private readonly index: TokenIndex,
    @Inject(MESSAGE_BUS) bus: MessageBus,
    @Inject(SERVICE_NAME) service: string,
  ) {
    super(bus, TOPICS.leaks, `${service}.gateway.tokens.v2`);
  }

  protected override prepare(): Promise<void> {
    return this.index.load();
  }

  /** A page: each run of token `LeakDetected` is one multi-row insert (addLeaks); patches in between in order. */
  protected override async handleBatch(events: CloudEvent[]): Promise<void> {
    let run: Array<{ token: DetectedToken; revision: number }> = [];
    for (const event of events) {
      const detected = event.type === 'LeakDetected' ? detectedToken(event) : undefined;
      if (detected) {
        run.push(detected);
        continue;
      }
      // Only a patch touches a row a run may have added: the other leak events change nothing here.
      if (event.type !== 'VirtualPatchApplied' && event.type !== 'VirtualPatchRemoved') continue;
      if (run.length) await this.index.addLeaks(run);
      run = [];
      await this.handle(event);
    }
    if (run.length) await this.index.addLeaks(run);
  }

  protected async handle(event: CloudEvent): Promise<void> {
    const data = event.data as {
      leakid?: string;
      kind?: string;
      fingerprint?: string | null;
      identity?: { email?: string | null } | null;
      site?: { domain?: string | null } | null;
      org_id?: string | null;
    };
    const revision = Number(event.extensions?.streamrevision);
    if (!data?.leakid || !Number.isInteger(revision)) return;
    switch (event.type) {
      case 'LeakDetected': {
        const detected = detectedToken(event);
        if (detected) await this.index.addLeak(detected.token, detected.revision);
        return;
      }
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

