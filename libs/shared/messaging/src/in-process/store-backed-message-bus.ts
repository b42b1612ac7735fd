/**
 * Embedded-mode bus with durable delivery: each consumer group reads the event store's all-stream itself,
 * from its own checkpoint, and sees every stored event that routes to its topics as the CloudEvent the relay
 * would have published. Nothing is lost while a consumer is down or the process restarts — the weakness of a
 * purely in-memory bus fed by a relay whose checkpoint has already moved on.
 *
 * Each group reads only the stream categories of its topics (a filtered read of the store), a page at a time;
 * a subscriber with a `batchHandler` gets each page whole. Delivery is at least once (the checkpoint is saved
 * in batches after the handlers succeeded) and in store order, hence ordered per key. A failing handler is retried with backoff on the same event; the group waits.
 * One member per group at a time (a process runs each consumer once). `publish` is for events that are not
 * in the store: they go to the live subscribers through an in-memory bus, best effort and not durable.
 *
 * Groups of the same topics get the very same (frozen) event objects from the store's shared reader, so a stored
 * event's CloudEvent — routing, the topic's integration mapper, the envelope — is built once for all of them
 * and shared, frozen too (five groups read every leak event in the embedded mode).
 */
import { deepFreeze } from '@leakwatch/event-store';
import type { EventStore, GlobalPosition, RecordedEvent, Subscription } from '@leakwatch/event-store';
import { BackoffOptions, backoffDelay, sleep } from '../backoff';
import { CloudEvent } from '../cloud-event';
import { MessagingLogger, consoleLogger, describeError } from '../logger';
import { MessageBus, MessageSubscription, SubscribeOptions, topicList } from '../message-bus.port';
import { CheckpointStore } from '../relay/checkpoint-store.port';
import type { IntegrationMappers } from '../relay/integration-mappers';
import { toIntegrationCloudEvent } from '../relay/to-cloud-event';
import { EventRouter, Route, routeByStreamCategory, streamCategoriesOf } from '../topics';
import { InProcessMessageBus } from './in-process-message-bus';

export interface StoreBackedMessageBusOptions {
  store: EventStore;
  /** Consumer checkpoints, named `bus:<groupId>`. */
  checkpoints: CheckpointStore;
  /** CloudEvents `source` of the delivered events, e.g. `leakwatch/leakwatch`. */
  source: string;
  route?: EventRouter;
  /** Domain → integration event mapping per topic, as the Kafka relay applies it. */
  mappers?: IntegrationMappers;
  retry?: BackoffOptions;
  logger?: MessagingLogger;
  /** Save a group's checkpoint after this many events (default 100) or this long after the last one (default 200 ms). */
  checkpointEvery?: number;
  checkpointAfterMs?: number;
  /** Events read per page (default 500: a page of every group is in memory at once). */
  pageSize?: number;
  /**
   * After a page that was not full, a group reads again no sooner than this long after its previous read
   * began (default 50 ms; the store subscription's `coalesceMs`; no consumer of the bus answers a request, so
   * freshness of 50 ms is traded for fewer transactions per change), so the
   * events appended meanwhile come as one page — one read, one transaction of a page handler — instead of
   * one wakeup each: under a stream of single appends a group's cost stops growing with the append rate.
   * A full page (a backlog) is followed at once. 0 turns it off.
   */
  coalesceMs?: number;
}

export class StoreBackedMessageBus implements MessageBus {
  private readonly live: InProcessMessageBus;
  private readonly route: EventRouter;
  private readonly logger: MessagingLogger;
  private readonly active = new Map<string, MessageSubscription>();
  /** Per stored event (held weakly: gone with the event): its route, and its CloudEvent once a group wanted it. */
  private readonly messages = new WeakMap<RecordedEvent, { route: Route | null; message?: CloudEvent | null }>();
  private closed = false;

  constructor(private readonly options: StoreBackedMessageBusOptions) {
    this.route = options.route ?? routeByStreamCategory;
    this.logger = options.logger ?? consoleLogger;
    this.live = new InProcessMessageBus({ retry: options.retry, logger: this.logger });
  }

  async publish(topic: string, events: readonly CloudEvent[]): Promise<void> {
    if (this.closed) throw new Error('StoreBackedMessageBus is closed');
    await this.live.publish(topic, events);
  }

  async subscribe(options: SubscribeOptions): Promise<MessageSubscription> {
    if (this.closed) throw new Error('StoreBackedMessageBus is closed');
    if (this.active.has(options.groupId)) throw new Error(`group "${options.groupId}" already has a member in this process`);
    const topics = new Set(topicList(options.topics));
    const name = `bus:${options.groupId}`;
    const abort = new AbortController();
    const pageSize = this.options.pageSize ?? 500;
    const coalesceMs = this.options.coalesceMs ?? 50;
    let position = await this.options.checkpoints.load(name);
    if (!position && options.fromBeginning === false) position = await this.endOfStore();
    let saved = position;
    let pending = 0;
    let timer: NodeJS.Timeout | undefined;

    const save = async () => {
      clearTimeout(timer);
      timer = undefined;
      pending = 0;
      const target = position;
      if (!target || target === saved) return;
      try {
        await this.options.checkpoints.save(name, target);
        saved = target;
      } catch (error) {
        // Not fatal: the next save covers it; a crash meanwhile only means redelivery.
        this.logger.warn('could not save consumer checkpoint', { groupId: options.groupId, error: describeError(error) });
      }
    };

    const deliver = async (event: RecordedEvent) => {
      const { route, message: cloudEvent } = this.messageOf(event, topics);
      if (route && cloudEvent) {
        for (let attempt = 0; ; attempt++) {
          if (abort.signal.aborted) throw new StoppedError();
          try {
            await options.handler(cloudEvent);
            break;
          } catch (error) {
            this.logger.warn('message handler failed; retrying', {
              groupId: options.groupId, topic: route.topic, eventId: event.id, type: event.type, attempt: attempt + 1, error: describeError(error),
            });
            await sleep(backoffDelay(attempt, this.options.retry), abort.signal);
          }
        }
      }
      position = event.position;
      if (++pending >= (this.options.checkpointEvery ?? 100)) await save();
      else timer ??= setTimeout(() => void save(), this.options.checkpointAfterMs ?? 200);
    };

    // A page of this group's events (a filtered read: other topics' streams stay in the store); handed over whole
    // to a subscriber that takes batches. `page.position` may be past the last event (the rest was filtered out).
    const deliverPage = async (page: { events: RecordedEvent[]; position: GlobalPosition }) => {
      if (!options.batchHandler) {
        for (const event of page.events) await deliver(event);
      } else {
        const batch = page.events.flatMap((event) => {
          const { message } = this.messageOf(event, topics);
          return message ? [message] : [];
        });
        for (let attempt = 0; batch.length; attempt++) {
          if (abort.signal.aborted) throw new StoppedError();
          try {
            await options.batchHandler(batch);
            break;
          } catch (error) {
            this.logger.warn('message batch handler failed; retrying', { groupId: options.groupId, size: batch.length, attempt: attempt + 1, error: describeError(error) });
            await sleep(backoffDelay(attempt, this.options.retry), abort.signal);
          }
        }
        pending += page.events.length;
      }
      position = page.position;
      if (pending >= (this.options.checkpointEvery ?? 100)) await save();
      else timer ??= setTimeout(() => void save(), this.options.checkpointAfterMs ?? 200);
    };
    const categories = this.options.route ? undefined : streamCategoriesOf(topics);

    let storeSubscription: Subscription;
    const start = (after: GlobalPosition | undefined) => {
      storeSubscription = this.options.store.subscribeToAll({
        after,
        filter: categories ? { streamCategories: categories } : undefined,
        batchSize: pageSize,
        // Coalesced wakeups, owned by the store subscription (a wakeup during a page is remembered, not lost).
        coalesceMs,
        onPage: deliverPage,
        onError: (error) => {
          if (abort.signal.aborted || error instanceof StoppedError) return;
          this.logger.error('store subscription failed; resubscribing', { groupId: options.groupId, error: describeError(error) });
          void sleep(backoffDelay(1, this.options.retry), abort.signal).then(() => abort.signal.aborted || start(position));
        },
      });
    };
    start(position);
    const liveSubscription = await this.live.subscribe({ ...options, fromBeginning: false });

    let stopped: Promise<void> | undefined;
    const subscription: MessageSubscription = {
      stop: () => {
        stopped ??= (async () => {
          abort.abort();
          await Promise.all([storeSubscription.stop(), liveSubscription.stop()]);
          await save();
          this.active.delete(options.groupId);
        })();
        return stopped;
      },
    };
    this.active.set(options.groupId, subscription);
    return subscription;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.active.values()].map((s) => s.stop()));
    await this.live.close();
  }

  /** The event's route, and its CloudEvent when the route's topic is one of `topics` (built once per event for every group). */
  private messageOf(event: RecordedEvent, topics: ReadonlySet<string>): { route: Route | null; message: CloudEvent | null } {
    let known = this.messages.get(event);
    if (!known) this.messages.set(event, (known = { route: this.route(event) ?? null }));
    const route = known.route;
    if (!route || !topics.has(route.topic)) return { route, message: null };
    if (known.message === undefined) {
      // Shared by the groups: frozen, so no handler can change what another one gets.
      known.message = deepFreeze(toIntegrationCloudEvent(event, route, this.options.source, this.options.mappers));
    }
    return { route, message: known.message };
  }

  /** Position of the last stored event (a new group that only wants new events starts there). */
  private async endOfStore(): Promise<GlobalPosition | undefined> {
    let last: GlobalPosition | undefined;
    for (;;) {
      const page = await this.options.store.readAll({ after: last, maxCount: 1000 });
      if (page.length === 0) return last;
      last = page[page.length - 1].position;
    }
  }
}

/** Ends a store subscription whose consumer is stopping mid-retry, without moving the checkpoint. */
class StoppedError extends Error {
  override readonly name = 'StoppedError';
}
