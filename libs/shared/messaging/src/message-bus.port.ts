/**
 * The integration bus port: Kafka in distributed mode, in-process in embedded mode. Delivery is
 * at least once and ordered per message key within a consumer group; handlers must be idempotent
 * (see dedup/). Nothing here knows a domain.
 */
import { CloudEvent } from './cloud-event';

export type MessageHandler = (event: CloudEvent) => Promise<void>;

export interface SubscribeOptions {
  /** One or several topics. */
  topics: string | readonly string[];
  /** Consumer group: each group gets every message; members of one group share the partitions. */
  groupId: string;
  /** Awaited; a rejection means "not processed": the message is retried with backoff, never skipped. */
  handler: MessageHandler;
  /**
   * Optional: several messages at once, in order (e.g. one transaction for a page of findings). Adapters that
   * can deliver pages (the store-backed bus) call this instead of `handler`; the others ignore it and call
   * `handler` per message, so a subscriber giving both must treat them alike. A rejection retries the batch.
   */
  batchHandler?: (events: CloudEvent[]) => Promise<void>;
  /**
   * Where a group without committed offsets starts: `true` (default) = the oldest retained message,
   * so a new consumer sees history; `false` = only messages published after it joined.
   */
  fromBeginning?: boolean;
  /**
   * Every process needs every message (it keeps state in memory, e.g. the gateway's token index): where the
   * members of a group split the partitions (Kafka), this process gets a group of its own
   * (`<groupId>.<instance id>`), so a replica does not see only its share. Adapters that give every
   * subscriber every event (the in-process buses) need nothing for it.
   */
  everyProcess?: boolean;
}

export interface MessageSubscription {
  /** Stops consuming; resolves after the in-flight handler (if any) finished. Unprocessed messages stay for the group. */
  stop(): Promise<void>;
}

export interface MessageBus {
  /** Resolves only once the bus has durably accepted every event (Kafka: acknowledged by all in-sync replicas). */
  publish(topic: string, events: readonly CloudEvent[]): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<MessageSubscription>;
  /** Stops every subscription and releases connections. */
  close(): Promise<void>;
}

/** Injection token for the configured adapter. */
export const MESSAGE_BUS = Symbol('MESSAGE_BUS');

export function topicList(topics: string | readonly string[]): string[] {
  const list = typeof topics === 'string' ? [topics] : [...topics];
  if (list.length === 0) throw new TypeError('subscribe needs at least one topic');
  return list;
}
