/**
 * Keeps the token index current from `leakwatch.leaks.v1`; revision-guarded, so redeliveries are harmless.
 * The consumer group is versioned with the index tables: a new version reads the topic from the beginning.
 * The index is held in memory, so the group is per process (`<service>.gateway.tokens.v2.<instance id>`): every
 * gateway replica sees every patch, not only its share of the partitions.
 */
import { Inject, Injectable } from '@nestjs/common';
import { CloudEvent, MESSAGE_BUS, MessageBus, TOPICS } from '@leakwatch/messaging';
import { BusConsumer, SERVICE_NAME } from '@leakwatch/runtime';
import { DetectedToken, TokenIndex } from './token-index';
import { detectedToken, patchOf } from './token-index.topic';

@Injectable()
export class TokenIndexFeed extends BusConsumer {
  constructor(
    private readonly index: TokenIndex,
    @Inject(MESSAGE_BUS) bus: MessageBus,
    @Inject(SERVICE_NAME) service: string,
  ) {
    super(bus, TOPICS.leaks, `${service}.gateway.tokens.v2`, { everyProcess: true });
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
    const detected = event.type === 'LeakDetected' ? detectedToken(event) : undefined;
    if (detected) return this.index.addLeak(detected.token, detected.revision);
    const patch = patchOf(event);
    if (patch) return this.index.setBlocked(patch.leakid, patch.blocked, patch.revision);
    // Every other leak event changes nothing the index keeps.
  }
}

