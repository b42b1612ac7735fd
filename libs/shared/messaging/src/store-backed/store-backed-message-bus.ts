/**
 * Embedded mode's integration bus: the event store itself. Every consumer group is a catch-up
 * subscription on the all-stream with its own durable checkpoint, delivering the same CloudEvents the
 * relay would publish to Kafka (same router, same mapping). So a consumer that starts later, or a
 * process that restarts, still sees every event — which a plain in-memory bus cannot promise — and
 * embedded mode needs no relay.
 *
 * `publish` is for messages that are not stored events; they go to an ephemeral in-process bus.
 */
import type { EventStore, RecordedEvent, Subscription } from '@leakwatch/event-store';
import { backoffDelay, sleep } from '../backoff';
import { CloudEvent } from '../cloud-event';
import { InProcessMessageBus } from '../in-process/in-process-message-bus';
import { MessagingLogger, consoleLogger, describeError } from '../logger';
import { MessageBus, MessageSubscription, SubscribeOptions, topicList } from '../message-bus.port';
import type { CheckpointStore } from '../relay/checkpoint-store.port';
import { toCloudEvent } from '../relay/to-cloud-event';
import { EventRouter, routeByStreamCategory } from '../topics';

export interface StoreBackedMessageBusOptions {
  store: EventStore;
  checkpoints: CheckpointStore;
  /** CloudEvents `source` of delivered events (`leakwatch/<service>`). */
  source: string;
  route?: EventRouter;
  logger?: MessagingLogger;
  /** Save the checkpoint at least every N events passed over (default 200). */
  checkpointEvery?: number;
}

export class StoreBackedMessageBus implements MessageBus {
  private readonly ephemeral: InProcessMessageBus;
  private readonly subscriptions = new Set<MessageSubscription>();
  private readonly route: EventRouter;
  private readonly logger: MessagingLogger;

  constructor(private readonly options: StoreBackedMessageBusOptions) {
    this.route = options.route ?? routeByStreamCategory;
    this.logger = options.logger ?? consoleLogger;
    this.ephemeral = new InProcessMessageBus({ logger: this.logger });
  }

  publish(topic: string, events: readonly CloudEvent[]): Promise<void> {
    return this.ephemeral.publish(topic, events);
  }

  async subscribe(options: SubscribeOptions): Promise<MessageSubscription> {
    const topics = new Set(topicList(options.topics));
    const name = `consumer:${options.groupId}`;
    const every = this.options.checkpointEvery ?? 200;
    const abort = new AbortController();
    let sinceSave = 0;
    let pending: RecordedEvent['position'] | undefined;

    const save = async () => {
      if (!pending) return;
      await this.options.checkpoints.save(name, pending);
      pending = undefined;
      sinceSave = 0;
    };

    const deliver = async (event: RecordedEvent) => {
      const route = this.route(event);
      if (route && topics.has(route.topic)) {
        const message = toCloudEvent(event, route, this.options.source);
        for (let attempt = 0; !abort.signal.aborted; attempt++) {
          try {
            await options.handler(message);
            break;
          } catch (error) {
            this.logger.warn('handler failed; retrying', { group: options.groupId, event_id: event.id, type: event.type, error: describeError(error) });
            await sleep(backoffDelay(attempt), abort.signal);
          }
        }
        if (abort.signal.aborted) return; // not processed: the checkpoint stays before it
        pending = event.position;
        await save();
      } else {
        pending = event.position;
        if (++sinceSave >= every) await save();
      }
    };

    const after = options.fromBeginning === false ? await this.currentEnd() : undefined;
    const stored = await this.options.checkpoints.load(name);
    const subscription: Subscription = this.options.store.subscribeToAll({
      after: stored ?? after,
      onEvent: deliver,
      onError: (error) => this.logger.error('consumer subscription stopped', { group: options.groupId, error: describeError(error) }),
    });
    const ephemeral = await this.ephemeral.subscribe(options);

    const handle: MessageSubscription = {
      stop: async () => {
        abort.abort();
        await subscription.stop();
        await ephemeral.stop();
        await save().catch(() => undefined);
        this.subscriptions.delete(handle);
      },
    };
    this.subscriptions.add(handle);
    return handle;
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await this.ephemeral.close();
  }

  private async currentEnd(): Promise<RecordedEvent['position'] | undefined> {
    let last: RecordedEvent['position'] | undefined;
    for (;;) {
      const page = await this.options.store.readAll({ after: last, maxCount: 1000 });
      if (!page.length) return last;
      last = page[page.length - 1].position;
    }
  }
}
