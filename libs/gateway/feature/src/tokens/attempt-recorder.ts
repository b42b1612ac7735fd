/**
 * Records attempts to use a blocked token OFF the request path: checks enqueue, a timer flushes batches
 * as `LeakedTokenUseAttempted` events on the gateway's streams (topic `leakwatch.gateway.v1`), which
 * leak-lifecycle adds to the leak's history. A full queue drops the oldest attempts (and counts them)
 * rather than slow the gateway down.
 */
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { LEAKED_TOKEN_USE_ATTEMPTED, LeakedTokenUseAttemptedV1 } from '@leakwatch/contracts';
import { EVENT_STORE, EventStore } from '@leakwatch/event-store';

export type AttemptRecord = LeakedTokenUseAttemptedV1;

const MAX_QUEUE = 100_000;
const BATCH = 500;

@Injectable()
export class AttemptRecorder implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('AttemptRecorder');
  private queue: AttemptRecord[] = [];
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;
  dropped = 0;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), 250);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  record(attempt: AttemptRecord): void {
    if (this.queue.length >= MAX_QUEUE) {
      this.queue.shift();
      this.dropped++;
    }
    this.queue.push(attempt);
  }

  /** Appends everything queued so far; safe to call concurrently (one drain at a time). */
  flush(): Promise<void> {
    // `.finally` runs after the assignment, so an empty queue cannot leave a stale promise behind.
    this.flushing ??= this.drain().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length) {
        const batch = this.queue.slice(0, BATCH);
        await this.store.appendToStream(
          `gateway-attempts-${randomUUID()}`,
          batch.map((data) => ({
            id: randomUUID(),
            type: LEAKED_TOKEN_USE_ATTEMPTED,
            data,
            metadata: { occurred_at: data.attempted_at, actor: { key_id: data.key_id ?? undefined } },
          })),
          { expectedRevision: 'no_stream' },
        );
        this.queue = this.queue.slice(batch.length);
      }
    } catch (error) {
      this.logger.warn(`could not record token-use attempts yet (will retry): ${(error as Error).message}`);
    }
  }
}
