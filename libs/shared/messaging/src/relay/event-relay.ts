/**
 * Publishes stored events to their integration topics, at least once — the only way events reach the bus
 * (STYLE habit 6: never a second write after the append).
 *
 * It follows the event store's all-stream from a durable checkpoint and buffers events; a batch is flushed
 * when it is full or after a short linger: grouped by topic (order within each topic kept, topics in
 * parallel), published, and only then is the checkpoint moved to the batch's last event. Events with no
 * topic are skipped but still move the checkpoint. A crash between publish and checkpoint re-publishes that
 * batch on restart — consumers deduplicate by event id. Publishing is retried with backoff forever: a broker
 * outage stalls the relay, it never drops an event. Run one relay per checkpoint name at a time.
 */
import type { EventStore, GlobalPosition, RecordedEvent, Subscription } from '@leakwatch/event-store';
import { CloudEvent } from '../cloud-event';
import { BackoffOptions, backoffDelay, sleep } from '../backoff';
import { MessagingLogger, consoleLogger, describeError } from '../logger';
import { MessageBus } from '../message-bus.port';
import { EventRouter, routeByStreamCategory } from '../topics';
import { CheckpointStore } from './checkpoint-store.port';
import type { IntegrationMappers } from './integration-mappers';
import { sourceOf, toIntegrationCloudEvent } from './to-cloud-event';

export interface EventRelayOptions {
  store: EventStore;
  bus: MessageBus;
  checkpoints: CheckpointStore;
  /** Checkpoint name, e.g. `relay:leak-lifecycle`; a restarted relay with the same name resumes after it. */
  name: string;
  /** The publishing service: CloudEvents `source` = `leakwatch/<service>`. */
  service: string;
  /** Default: by stream category (topics.ts). */
  route?: EventRouter;
  /** Domain → integration event mapping per topic (default: the stored data as is). */
  mappers?: IntegrationMappers;
  /** Publish only to these topics (a service relays its own aggregates from a shared store). Default: all. */
  topics?: readonly string[];
  /** Max events per flush (default 500). */
  batchSize?: number;
  /** How long a partial batch waits for more events (ms, default 20). */
  lingerMs?: number;
  /** On stop, how long a final flush may keep retrying (ms, default 5 000). */
  stopGraceMs?: number;
  retry?: BackoffOptions;
  logger?: MessagingLogger;
}

export class EventRelay {
  private readonly route: EventRouter;
  private readonly logger: MessagingLogger;
  private readonly topicFilter?: ReadonlySet<string>;
  private buffer: RecordedEvent[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private linger?: NodeJS.Timeout;
  private subscription?: Subscription;
  private abort = new AbortController();
  private running = false;
  /** Position after the last buffered event: where a restarted subscription continues. */
  private enqueuedUpTo?: GlobalPosition;
  private saved?: GlobalPosition;
  private publishedCount = 0;

  constructor(private readonly options: EventRelayOptions) {
    this.route = options.route ?? routeByStreamCategory;
    this.logger = options.logger ?? consoleLogger;
    this.topicFilter = options.topics ? new Set(options.topics) : undefined;
  }

  /** The last saved checkpoint (undefined before the first save). */
  get checkpoint(): GlobalPosition | undefined {
    return this.saved;
  }

  /** Events published since start (re-publications after a crash included). */
  get published(): number {
    return this.publishedCount;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    this.saved = await this.options.checkpoints.load(this.options.name);
    this.enqueuedUpTo = this.saved;
    this.subscribe();
  }

  /** Stops reading, flushes what is buffered (retrying for at most `stopGraceMs`), and resolves. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    const grace = setTimeout(() => this.abort.abort(), this.options.stopGraceMs ?? 5_000);
    try {
      await this.subscription?.stop();
      this.subscription = undefined;
      await this.flush();
    } finally {
      clearTimeout(grace);
      this.abort.abort();
      clearTimeout(this.linger);
      this.linger = undefined;
      // Whatever could not be flushed is republished after the checkpoint by the next start.
      this.buffer = [];
    }
  }

  private subscribe(): void {
    this.subscription = this.options.store.subscribeToAll({
      after: this.enqueuedUpTo,
      // Whole pages of a batch's size: one hand-over per batch instead of one await per event.
      batchSize: this.options.batchSize ?? 500,
      onPage: (page) => this.enqueue(page.events, page.position),
      onError: (error) => {
        if (!this.running) return;
        // The store failed (not the bus: publishing retries inside). Resume after what is already buffered.
        this.logger.error('relay subscription failed; resubscribing', { relay: this.options.name, error: describeError(error) });
        void sleep(backoffDelay(1, this.options.retry), this.abort.signal).then(() => {
          if (this.running) this.subscribe();
        });
      },
    });
  }

  private async enqueue(events: RecordedEvent[], position: GlobalPosition): Promise<void> {
    this.buffer.push(...events);
    this.enqueuedUpTo = position;
    if (!this.buffer.length) return;
    // Back-pressure, one batch deep: a full batch is handed to the (serialised) flushes and the subscription
    // goes on reading the next one while it is published; it waits only for the batch before it. Reading and
    // publishing overlap, order is kept (flushes run one after the other), at most two batches are buffered.
    if (this.buffer.length >= (this.options.batchSize ?? 500)) {
      const previous = this.flushing;
      void this.flush();
      return previous;
    }
    this.linger ??= setTimeout(() => void this.flush(), this.options.lingerMs ?? 20);
  }

  /** Flushes are serialised: a batch is acknowledged before the next one goes, keeping per-key order. */
  private flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.flushNow());
    return this.flushing;
  }

  private async flushNow(): Promise<void> {
    clearTimeout(this.linger);
    this.linger = undefined;
    const batch = this.buffer;
    if (batch.length === 0) return;
    this.buffer = [];
    const last = batch[batch.length - 1].position;

    const published = await this.retrying('publish', async () => {
      const byTopic = this.groupByTopic(batch);
      await Promise.all([...byTopic].map(([topic, events]) => this.options.bus.publish(topic, events)));
      return [...byTopic.values()].reduce((n, events) => n + events.length, 0);
    });
    if (published === undefined) return; // stopping: the checkpoint stays, the batch is re-published later
    this.publishedCount += published.value;
    const saved = await this.retrying('save checkpoint', () => this.options.checkpoints.save(this.options.name, last));
    if (saved !== undefined) this.saved = last;
  }

  private groupByTopic(batch: readonly RecordedEvent[]): Map<string, CloudEvent[]> {
    const source = sourceOf(this.options.service);
    const byTopic = new Map<string, CloudEvent[]>();
    for (const event of batch) {
      const route = this.route(event);
      if (!route || (this.topicFilter && !this.topicFilter.has(route.topic))) continue;
      const cloudEvent = toIntegrationCloudEvent(event, route, source, this.options.mappers);
      if (!cloudEvent) continue;
      const events = byTopic.get(route.topic) ?? [];
      events.push(cloudEvent);
      byTopic.set(route.topic, events);
    }
    return byTopic;
  }

  /** Retries until success; `undefined` only when the relay is stopping. */
  private async retrying<T>(what: string, work: () => Promise<T>): Promise<{ value: T } | undefined> {
    for (let attempt = 0; ; attempt++) {
      if (this.abort.signal.aborted) return undefined;
      try {
        return { value: await work() };
      } catch (error) {
        this.logger.warn(`relay failed to ${what}; retrying`, { relay: this.options.name, attempt: attempt + 1, error: describeError(error) });
        await sleep(backoffDelay(attempt, this.options.retry), this.abort.signal);
      }
    }
  }
}
