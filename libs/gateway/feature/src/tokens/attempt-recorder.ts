/**
 * Records attempts to use a blocked token OFF the request path: checks fold their attempts into the current
 * window (attempt-folding.ts: repeats of one token by one key become one report with a count), and a timer
 * flushes the window every second as `LeakedTokenUseAttempted` events on the gateway's streams (topic
 * `leakwatch.gateway.v1`), which leak-lifecycle adds to the leak's history. When the window already holds
 * MAX_PENDING distinct reports, a new one is dropped (and counted) rather than slow the gateway down; repeats of
 * pending ones are still counted. It also counts every check by result (`leakwatch_token_checks_total`).
 */
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';
import { LEAKED_TOKEN_USE_ATTEMPTED, attemptCount } from '@leakwatch/contracts';
import { EVENT_STORE, EventStore } from '@leakwatch/event-store';
import { METRICS_REGISTRY } from '@leakwatch/runtime';
import { AttemptFolder, AttemptRecord } from './attempt-folding';

export type { AttemptRecord } from './attempt-folding';

/** Distinct reports a window may hold (one per token, key and verdict seen): bounds memory under a flood of distinct tokens. */
const MAX_PENDING = 100_000;
const BATCH = 500;
/** The flush window: as the usage counts. A killed gateway loses at most this much of its attempts (README). */
export const ATTEMPTS_FLUSH_MS = 1000;

@Injectable()
export class AttemptRecorder implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('AttemptRecorder');
  private readonly pending = new AttemptFolder();
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
      new Counter({ name: 'leakwatch_token_use_attempts_dropped_total', help: 'Token-use attempts not recorded because the flush window was full', registers: [registry] });
  }

  /** Counts one check of a presented token by its result. */
  checked(verdict: { leaked: boolean; blocked: boolean }): void {
    this.checks?.inc({ result: verdict.blocked ? 'blocked' : verdict.leaked ? 'leaked' : 'clean' });
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), ATTEMPTS_FLUSH_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  record(attempt: AttemptRecord): void {
    if (this.pending.add(attempt, MAX_PENDING)) return;
    const count = attemptCount(attempt);
    this.dropped += count;
    this.droppedTotal?.inc(count);
  }

  /** Appends everything pending so far; safe to call concurrently (one drain at a time). */
  flush(): Promise<void> {
    // `.finally` runs after the assignment, so an empty queue cannot leave a stale promise behind.
    this.flushing ??= this.drain().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async drain(): Promise<void> {
    // Until the window is empty: what checks fold in while a batch is written goes out in this drain too.
    while (this.pending.size) {
      const reports = this.pending.take();
      let written = 0;
      try {
        for (; written < reports.length; written += BATCH) {
          const batch = reports.slice(written, written + BATCH);
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
        }
      } catch (error) {
        // Back into the window (folded with what arrived meanwhile): the next flush tries again.
        for (const report of reports.slice(written)) this.record(report);
        this.logger.warn(`could not record token-use attempts yet (will retry): ${(error as Error).message}`);
        return;
      }
    }
  }
}
