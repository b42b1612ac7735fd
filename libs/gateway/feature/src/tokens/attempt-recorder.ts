/**
 * Records attempts to use a blocked token OFF the request path: checks enqueue, a timer flushes batches
 * as `LeakedTokenUseAttempted` events on the gateway's streams (topic `leakwatch.gateway.v1`), which
 * leak-lifecycle adds to the leak's history. A full queue drops the oldest attempts (and counts them)
 * rather than slow the gateway down. It also counts every check by result (`leakwatch_token_checks_total`).
 */
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';
import { LEAKED_TOKEN_USE_ATTEMPTED, LeakedTokenUseAttemptedV1 } from '@leakwatch/contracts';
import { EVENT_STORE, EventStore } from '@leakwatch/event-store';
import { METRICS_REGISTRY } from '@leakwatch/runtime';

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
  private readonly checks?: Counter<'result'>;
  private readonly droppedTotal?: Counter;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore, @Optional() @Inject(METRICS_REGISTRY) registry?: Registry) {
    if (!registry) return;
    this.checks = (registry.getSingleMetric('leakwatch_token_checks_total') as Counter<'result'> | undefined) ??
      new Counter({ name: 'leakwatch_token_checks_total', help: 'Presented tokens checked, by result: clean, leaked, blocked', labelNames: ['result'], registers: [registry] });
    this.droppedTotal = (registry.getSingleMetric('leakwatch_token_use_attempts_dropped_total') as Counter | undefined) ??
      new Counter({ name: 'leakwatch_token_use_attempts_dropped_total', help: 'Attempts dropped because the queue was full', registers: [registry] });
  }

  /** Counts one check of a presented token by its result. */
  checked(verdict: { leaked: boolean; blocked: boolean }): void {
    this.checks?.inc({ result: verdict.blocked ? 'blocked' : verdict.leaked ? 'leaked' : 'clean' });
  }

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
      this.droppedTotal?.inc();
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
