/**
 * Daily request limits at the edge. Global, because the API-key guard (AuthModule) and the gateway proxy
 * both ask `USAGE_GATE` — each authenticated request is admitted exactly once, by whichever of them serves it.
 * Mounted only by processes that host the gateway (the `gateway` app and the embedded `all` target).
 */
import { BeforeApplicationShutdown, Global, Inject, Injectable, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import type { Pool } from 'pg';
import { DirectoryKey, USAGE_GATE, UsageDecision, UsageGate } from '@leakwatch/auth';
import { EVENT_STORE, EventStore } from '@leakwatch/event-store';
import { PG_POOL, ProblemException } from '@leakwatch/runtime';
import { DEFAULT_USAGE_GATE_OPTIONS, LeasedUsageGate, UsageLedgerUnavailableError } from './leased-usage-gate';
import { EventStoreUsageRecorder } from './usage-events';
import { PostgresUsageLedger } from './postgres-usage-ledger';

@Injectable()
export class EdgeUsageGate implements UsageGate, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('UsageGate');
  private readonly ledger: PostgresUsageLedger;
  private readonly gate: LeasedUsageGate;
  private timer?: NodeJS.Timeout;
  private ready?: Promise<void>;
  private setUp = false;

  constructor(@Inject(PG_POOL) pool: Pool, @Inject(EVENT_STORE) store: EventStore) {
    this.ledger = new PostgresUsageLedger(pool);
    this.gate = new LeasedUsageGate(this.ledger, new EventStoreUsageRecorder(store));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.setup();
    this.timer = setInterval(() => {
      this.gate.flush().catch((error: Error) => this.logger.warn(`usage flush failed (kept for the next one): ${error.message}`));
    }, DEFAULT_USAGE_GATE_OPTIONS.flushIntervalMs);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.gate.close().catch((error: Error) => this.logger.warn(`usage close: ${error.message}`));
  }

  async admit(key: DirectoryKey): Promise<UsageDecision> {
    if (!this.setUp) await this.setup(); // once set up, no extra turn of the event loop per request
    try {
      return await this.gate.admit(key);
    } catch (error) {
      if (!(error instanceof UsageLedgerUnavailableError)) throw error;
      this.logger.warn(error.message);
      throw new ProblemException(503, 'usage-unavailable', 'Service unavailable', 'Request limits cannot be checked right now; try again shortly.', { retry_after: 1 });
    }
  }

  /** From the lease held, without awaiting; undefined before set-up or when the lease is empty (see UsageGate). */
  admitNow(key: DirectoryKey): UsageDecision | undefined {
    return this.setUp ? this.gate.admitNow(key) : undefined;
  }

  /** Writes out the counts admitted so far (tests and operators; also runs every second). */
  flush(): Promise<void> {
    return this.gate.flush();
  }

  private setup(): Promise<void> {
    this.ready ??= this.ledger.setup().then(() => void (this.setUp = true), (error) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }
}

@Global()
@Module({
  providers: [EdgeUsageGate, { provide: USAGE_GATE, useExisting: EdgeUsageGate }],
  exports: [USAGE_GATE, EdgeUsageGate],
})
export class UsageModule {}
