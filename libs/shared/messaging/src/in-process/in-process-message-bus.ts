/**
 * Embedded-mode adapter: the Kafka consumer-group model in one process, without a broker.
 *
 * Each topic is split into partitions by message key (as Kafka does), and each consumer group keeps its own
 * offset per partition: every group gets every message, the members of one group share the partitions, and
 * a partition is processed strictly in order — so events of one key are handled in order, while different
 * keys progress in parallel. A failing handler is retried with backoff on the same message; the offset only
 * moves after success, so nothing is skipped. Messages are stored encoded (CloudEvents binary mode) and
 * decoded per delivery: embedded mode serialises exactly like Kafka and no consumer can mutate another's copy.
 *
 * Memory only: `publish` resolving means "enqueued". A message is dropped once every group that ever
 * subscribed to its topic has processed it; a group that subscribes later and starts from the beginning sees
 * what is still retained.
 */
import { EventEmitter } from 'node:events';
import { validateCloudEvent, CloudEvent } from '../cloud-event';
import { BinaryModeMessage, decodeBinaryMode, encodeBinaryMode } from '../kafka-binary-mode';
import { BackoffOptions, backoffDelay, sleep } from '../backoff';
import { MessagingLogger, consoleLogger, describeError } from '../logger';
import { MessageBus, MessageHandler, MessageSubscription, SubscribeOptions, topicList } from '../message-bus.port';

export interface InProcessMessageBusOptions {
  /** Partitions per topic: the parallelism of one group (default 8). */
  partitions?: number;
  /** Retry pacing of failing handlers. */
  retry?: BackoffOptions;
  logger?: MessagingLogger;
  /** Cap per partition while no group consumes a topic; the oldest messages are dropped beyond it. */
  maxRetainedPerPartition?: number;
}

interface PartitionLog {
  /** Offset of messages[0]. */
  base: number;
  messages: BinaryModeMessage[];
}

interface Member {
  topics: Set<string>;
  handler: MessageHandler;
  abort: AbortController;
  inFlight: Set<Promise<unknown>>;
}

interface Group {
  id: string;
  members: Member[];
  /** Next offset to process, per topic and partition. */
  offsets: Map<string, number[]>;
  running: Set<string>;
}

/** Drop consumed messages in chunks, so trimming stays O(1) amortised. */
const TRIM_CHUNK = 256;

export class InProcessMessageBus implements MessageBus {
  private readonly topics = new Map<string, PartitionLog[]>();
  private readonly groups = new Map<string, Group>();
  private readonly progress = new EventEmitter();
  private readonly partitionCount: number;
  private readonly logger: MessagingLogger;
  private closed = false;

  constructor(private readonly options: InProcessMessageBusOptions = {}) {
    this.partitionCount = options.partitions ?? 8;
    this.logger = options.logger ?? consoleLogger;
    this.progress.setMaxListeners(0);
  }

  async publish(topic: string, events: readonly CloudEvent[]): Promise<void> {
    if (this.closed) throw new Error('InProcessMessageBus is closed');
    // Encode everything first: an invalid event rejects the whole call before anything is enqueued.
    const encoded = events.map((event) => {
      const problem = validateCloudEvent(event);
      if (problem) throw new TypeError(`Cannot publish CloudEvent ${JSON.stringify(event.id)}: ${problem}`);
      return encodeBinaryMode(event);
    });
    const log = this.topicLog(topic);
    const max = this.options.maxRetainedPerPartition ?? 100_000;
    for (const message of encoded) {
      const partition = log[partitionOf(message.key, this.partitionCount)];
      partition.messages.push(message);
      if (partition.messages.length > max && !this.hasGroupFor(topic)) {
        partition.messages.shift();
        partition.base++;
      }
    }
    for (const group of this.groups.values()) this.pumpTopic(group, topic);
  }

  async subscribe(options: SubscribeOptions): Promise<MessageSubscription> {
    if (this.closed) throw new Error('InProcessMessageBus is closed');
    const topics = topicList(options.topics);
    const group = this.groupFor(options.groupId);
    for (const topic of topics) {
      if (group.offsets.has(topic)) continue; // the group's committed offsets win, as in Kafka
      const log = this.topicLog(topic);
      group.offsets.set(topic, log.map((p) => (options.fromBeginning === false ? p.base + p.messages.length : p.base)));
    }
    const member: Member = { topics: new Set(topics), handler: options.handler, abort: new AbortController(), inFlight: new Set() };
    group.members.push(member);
    for (const topic of topics) this.pumpTopic(group, topic);

    let stopped: Promise<void> | undefined;
    return {
      stop: () => {
        stopped ??= (async () => {
          member.abort.abort();
          group.members = group.members.filter((m) => m !== member);
          await Promise.allSettled([...member.inFlight]);
          // The remaining members take over the partitions this one had.
          for (const topic of topics) this.pumpTopic(group, topic);
        })();
        return stopped;
      },
    };
  }

  /** Test helper: resolves once every group with a live member has processed everything published so far. */
  async drain(): Promise<void> {
    while (!this.isIdle()) {
      await new Promise<void>((resolve) => this.progress.once('progress', resolve));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const members = [...this.groups.values()].flatMap((g) => g.members);
    for (const member of members) member.abort.abort();
    await Promise.allSettled(members.flatMap((m) => [...m.inFlight]));
    for (const group of this.groups.values()) group.members = [];
  }

  private isIdle(): boolean {
    for (const group of this.groups.values()) {
      if (group.running.size > 0) return false;
      for (const [topic, offsets] of group.offsets) {
        if (!group.members.some((m) => m.topics.has(topic))) continue;
        const log = this.topicLog(topic);
        if (offsets.some((offset, p) => offset < log[p].base + log[p].messages.length)) return false;
      }
    }
    return true;
  }

  private pumpTopic(group: Group, topic: string): void {
    if (!group.offsets.has(topic)) return;
    for (let p = 0; p < this.partitionCount; p++) void this.pump(group, topic, p);
  }

  /** Processes one partition for one group until caught up; at most one loop per (group, partition). */
  private async pump(group: Group, topic: string, p: number): Promise<void> {
    const lane = `${topic}\u0000${p}`;
    const offsets = group.offsets.get(topic);
    if (!offsets || group.running.has(lane)) return;
    group.running.add(lane);
    const partition = this.topicLog(topic)[p];
    let attempt = 0;
    try {
      while (!this.closed) {
        const members = group.members.filter((m) => m.topics.has(topic));
        if (members.length === 0 || offsets[p] >= partition.base + partition.messages.length) break;
        // A partition belongs to one member at a time, like a Kafka assignment.
        const member = members[p % members.length];
        const decoded = decodeBinaryMode(partition.messages[offsets[p] - partition.base]);
        if (!decoded.ok) {
          // Unreachable for messages this bus encoded itself; kept so a bug cannot wedge a partition.
          this.logger.error('skipping malformed message', { topic, partition: p, group: group.id, reason: decoded.error.reason });
        } else {
          const work = member.handler(decoded.event);
          member.inFlight.add(work);
          try {
            await work;
          } catch (error) {
            attempt++;
            this.logger.warn('message handler failed; retrying', {
              topic, partition: p, group: group.id, eventId: decoded.event.id, type: decoded.event.type, attempt, error: describeError(error),
            });
            await sleep(backoffDelay(attempt - 1, this.options.retry), member.abort.signal);
            continue;
          } finally {
            member.inFlight.delete(work);
          }
        }
        attempt = 0;
        offsets[p]++;
        this.trim(topic, p);
        this.progress.emit('progress');
      }
    } finally {
      group.running.delete(lane);
      this.progress.emit('progress');
    }
  }

  private trim(topic: string, p: number): void {
    const partition = this.topicLog(topic)[p];
    let min = Infinity;
    for (const group of this.groups.values()) {
      const offsets = group.offsets.get(topic);
      if (offsets) min = Math.min(min, offsets[p]);
    }
    const consumed = min - partition.base;
    if (consumed >= TRIM_CHUNK || (consumed > 0 && consumed === partition.messages.length)) {
      partition.messages.splice(0, consumed);
      partition.base = min;
    }
  }

  private hasGroupFor(topic: string): boolean {
    return [...this.groups.values()].some((g) => g.offsets.has(topic));
  }

  private topicLog(topic: string): PartitionLog[] {
    let log = this.topics.get(topic);
    if (!log) {
      log = Array.from({ length: this.partitionCount }, () => ({ base: 0, messages: [] }));
      this.topics.set(topic, log);
    }
    return log;
  }

  private groupFor(id: string): Group {
    let group = this.groups.get(id);
    if (!group) {
      group = { id, members: [], offsets: new Map(), running: new Set() };
      this.groups.set(id, group);
    }
    return group;
  }
}

/** FNV-1a: stable, cheap; only needs to spread keys and map one key to one partition. */
export function partitionOf(key: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}
