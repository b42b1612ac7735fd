/**
 * A provider that consumes one integration topic for the lifetime of its module, in its own consumer
 * group (`<service>.<purpose>`, so every service sees every event), from the beginning of the topic.
 * Subclasses say what to prepare first (tables their handler writes) and how to handle one event — or, by
 * overriding `handleBatch`, a page of events at once (the store-backed bus delivers pages; Kafka one by one).
 * At-least-once delivery means handling must be idempotent.
 *
 * A consumer that builds this process's memory (the gateway's token index, every service's access directory)
 * passes `everyProcess` (see `SubscribeOptions`), so each replica of a service gets every message: in a Kafka
 * group shared by two replicas each would see only its partitions' share (a virtual patch or a revocation would
 * reach one gateway of two). Consumers that only write a table the replicas share keep the shared group: they
 * share the work, and each message is applied once.
 *
 * Poison events do not stop the group: a batch that fails is handled again event by event; an event that
 * still fails after `maxAttempts` tries is parked (parked_events, with the error and the event itself) and
 * the group moves on. An operator's retry request (`leakwatch events parked retry`) is picked up here.
 */
import { Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Pool } from 'pg';
import type { CloudEvent, MessageBus, MessageSubscription } from '@leakwatch/messaging';
import { DEFAULT_MAX_ATTEMPTS, ParkedEvents } from '@leakwatch/projections';

export interface BusConsumerOptions {
  /** Enables parking (else a failing event is retried forever, as the bus does). */
  pool?: Pool;
  maxAttempts?: number;
  /** Pause between attempts on one event: `retryDelayMs × 2^attempt`, capped at 2 s (default 100). */
  retryDelayMs?: number;
  /** Every process needs every message (it keeps state in memory): passed on to `subscribe`. Default false. */
  everyProcess?: boolean;
}

export abstract class BusConsumer implements OnModuleInit, OnApplicationShutdown {
  private subscription?: MessageSubscription;
  private readonly parked?: ParkedEvents;
  private retryTimer?: NodeJS.Timeout;
  private readonly consumerLogger = new Logger('BusConsumer');

  protected constructor(
    private readonly bus: MessageBus,
    private readonly topic: string,
    private readonly groupId: string,
    private readonly consumerOptions: BusConsumerOptions = {},
  ) {
    this.parked = consumerOptions.pool ? new ParkedEvents(consumerOptions.pool) : undefined;
  }

  /** Runs before subscribing: a message may arrive as soon as we do. Nothing by default. */
  protected prepare(): Promise<void> {
    return Promise.resolve();
  }

  protected abstract handle(event: CloudEvent): Promise<void>;

  /** A page of events, in order. Default: one by one. Override for set-based work (one transaction per page). */
  protected async handleBatch(events: CloudEvent[]): Promise<void> {
    for (const event of events) await this.handle(event);
  }

  /** The name parked events are recorded under. */
  get consumerName(): string {
    return `bus:${this.groupId}`;
  }

  async onModuleInit(): Promise<void> {
    await this.prepare();
    await this.parked?.ensureSchema();
    this.subscription = await this.bus.subscribe({
      topics: this.topic,
      groupId: this.groupId,
      fromBeginning: true,
      everyProcess: this.consumerOptions.everyProcess,
      handler: (event) => this.deliver([event]),
      batchHandler: (events) => this.deliver(events),
    });
    if (this.parked) this.scheduleRetries();
  }

  async onApplicationShutdown(): Promise<void> {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.subscription?.stop();
  }

  private async deliver(events: CloudEvent[]): Promise<void> {
    if (!this.parked) return this.handleBatch(events);
    try {
      await this.handleBatch(events);
    } catch (error) {
      if (events.length > 1) this.consumerLogger.warn(`${this.groupId}: a batch of ${events.length} failed (${describe(error)}); handling one by one`);
      for (const event of events) await this.deliverOne(event);
    }
  }

  /** Tries one event up to maxAttempts times, then parks it; only a failure to park reaches the bus (which retries). */
  private async deliverOne(event: CloudEvent): Promise<void> {
    const maxAttempts = this.consumerOptions.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.handleBatch([event]);
      } catch (error) {
        if (attempt < maxAttempts) {
          await new Promise((r) => setTimeout(r, Math.min(2000, (this.consumerOptions.retryDelayMs ?? 100) * 2 ** (attempt - 1))));
          continue;
        }
        this.consumerLogger.error(`${this.groupId}: parked event ${event.id} (${event.type}) after ${attempt} attempts: ${describe(error)}`);
        await (this.parked as ParkedEvents).park({
          consumer: this.consumerName, eventId: event.id, eventType: event.type, streamId: event.subject, payload: event, error, attempts: attempt,
        });
        return;
      }
    }
  }

  private scheduleRetries(): void {
    this.retryTimer = setTimeout(() => {
      void this.retryParked()
        .catch((error) => this.consumerLogger.warn(`${this.groupId}: retrying parked events failed: ${describe(error)}`))
        .finally(() => this.subscription && this.scheduleRetries());
    }, 2000);
    this.retryTimer.unref();
  }

  /** Handles the events an operator asked to retry: success removes the parked row, failure parks it again. */
  async retryParked(): Promise<number> {
    if (!this.parked) return 0;
    let resolved = 0;
    for (const parked of await this.parked.retryRequests(this.consumerName)) {
      const event = parked.payload as CloudEvent;
      try {
        await this.handleBatch([event]);
        await this.parked.resolve(this.consumerName, parked.event_id);
        resolved++;
      } catch (error) {
        await this.parked.park({ consumer: this.consumerName, eventId: parked.event_id, eventType: parked.event_type, streamId: parked.stream_id ?? undefined, payload: event, error, attempts: 1 });
      }
    }
    return resolved;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
