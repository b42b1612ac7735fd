/**
 * Distributed-mode adapter over kafkajs.
 *
 * Producer: acks from all in-sync replicas, no auto-created topics (topics are provisioned, so a typo fails
 * loudly), one request in flight so a retried batch can never overtake the next one (per-key order), and
 * Java-compatible murmur2 partitioning (the same key lands on the same partition as with any other client).
 * Idempotence is a setting: on for real Kafka, off against librdkafka's mock cluster (which rejects it).
 *
 * Consumers: one kafkajs consumer per subscription, offsets committed explicitly and only after the handler
 * succeeded (at least once). A failing handler is retried in place with backoff while heartbeating, so the
 * partition waits instead of skipping; if the group rebalances meanwhile the uncommitted message is simply
 * delivered again to the partition's new owner. Malformed messages cannot be fixed by retrying: they are
 * logged (never their value) and committed past.
 */
import { randomUUID } from 'node:crypto';
import {
  Consumer,
  ConsumerConfig,
  EachMessagePayload,
  Kafka,
  KafkaConfig,
  Partitioners,
  Producer,
  logLevel as KafkaLogLevel,
} from 'kafkajs';
import { CloudEvent, validateCloudEvent } from '../cloud-event';
import { decodeBinaryMode, encodeBinaryMode } from '../kafka-binary-mode';
import { BackoffOptions, backoffDelay, sleep } from '../backoff';
import { MessagingLogger, consoleLogger, describeError } from '../logger';
import { MessageBus, MessageHandler, MessageSubscription, SubscribeOptions, topicList } from '../message-bus.port';
import { kafkaLogCreator } from './kafka-logger';

export interface KafkaMessageBusOptions {
  brokers: string[];
  clientId: string;
  /** Idempotent producer (exactly-once per partition on retries). Default false: librdkafka's mock rejects it. */
  idempotent?: boolean;
  logger?: MessagingLogger;
  /** Verbosity of kafkajs's own logs (default WARN). */
  logLevel?: KafkaLogLevel;
  /** Extra client settings: ssl, sasl, connectionTimeout, ... */
  kafka?: Omit<KafkaConfig, 'brokers' | 'clientId' | 'logCreator' | 'logLevel'>;
  /** Consumer tuning; tests shorten the group timings. */
  consumer?: Pick<
    ConsumerConfig,
    'sessionTimeout' | 'heartbeatInterval' | 'rebalanceTimeout' | 'maxWaitTimeInMs' | 'maxBytesPerPartition' | 'retry'
  > & { partitionsConsumedConcurrently?: number };
  /** Retry pacing of failing handlers. */
  retry?: BackoffOptions;
  /** How long `subscribe` waits for the first group join before returning anyway (ms, default 30 000). */
  joinTimeoutMs?: number;
  /**
   * This process's name in its per-process groups (`everyProcess` subscriptions): a stable one per replica
   * (e.g. a StatefulSet pod's) lets a restart resume those groups from their committed offsets. Default: a random
   * id per bus — the groups are new at every start and read their topics from the beginning (Kafka drops
   * abandoned groups after `offsets.retention.minutes`).
   */
  instanceId?: string;
}

export class KafkaMessageBus implements MessageBus {
  private readonly kafka: Kafka;
  private readonly logger: MessagingLogger;
  private readonly instanceId: string;
  private producer?: Promise<Producer>;
  private readonly subscriptions = new Set<MessageSubscription>();
  private closed = false;

  constructor(private readonly options: KafkaMessageBusOptions) {
    this.logger = options.logger ?? consoleLogger;
    this.instanceId = options.instanceId ?? randomUUID().slice(0, 8);
    this.kafka = new Kafka({
      ...options.kafka,
      brokers: options.brokers,
      clientId: options.clientId,
      logLevel: options.logLevel ?? KafkaLogLevel.WARN,
      logCreator: kafkaLogCreator(this.logger),
    });
  }

  async publish(topic: string, events: readonly CloudEvent[]): Promise<void> {
    if (this.closed) throw new Error('KafkaMessageBus is closed');
    if (events.length === 0) return;
    const messages = events.map((event) => {
      const problem = validateCloudEvent(event);
      if (problem) throw new TypeError(`Cannot publish CloudEvent ${JSON.stringify(event.id)}: ${problem}`);
      return encodeBinaryMode(event);
    });
    const producer = await this.connectedProducer();
    await producer.send({ topic, acks: -1, messages });
  }

  async subscribe(subscribed: SubscribeOptions): Promise<MessageSubscription> {
    if (this.closed) throw new Error('KafkaMessageBus is closed');
    const options = subscribed.everyProcess ? { ...subscribed, groupId: `${subscribed.groupId}.${this.instanceId}` } : subscribed;
    const topics = topicList(options.topics);
    const abort = new AbortController();
    let current: Consumer | undefined;
    let generation = 0;
    let replacing: Promise<void> | undefined;

    /**
     * kafkajs restarts a crashed consumer only after retriable errors; after any other (e.g. a broker that
     * answers a SyncGroup with INVALID_REQUEST mid-rebalance) the consumer is gone for good and its group
     * silently stalls. A member of ours is never given up: it is replaced by a fresh one after a backoff.
     */
    const replace = (failed: Consumer) => {
      if (failed !== current || abort.signal.aborted || this.closed) return;
      replacing ??= (async () => {
        const attempt = generation;
        await failed.disconnect().catch(() => undefined);
        await sleep(backoffDelay(Math.min(attempt, 6), this.options.retry), abort.signal).catch(() => undefined);
        if (abort.signal.aborted || this.closed) return;
        this.logger.warn('replacing a kafka consumer that stopped for good', { groupId: options.groupId, attempt: attempt + 1 });
        try {
          current = await this.startConsumer(options, topics, abort.signal, replace);
          generation++;
        } catch (error) {
          this.logger.error('could not replace the kafka consumer; retrying', { groupId: options.groupId, error: describeError(error) });
          const stillFailed = current;
          replacing = undefined;
          if (stillFailed) replace(stillFailed);
          return;
        }
        replacing = undefined;
      })();
    };

    const first = await this.startConsumer(options, topics, abort.signal, replace);
    current = first;
    // Callers (and tests) expect a subscription to be live when this resolves; joining can take seconds.
    const joinWait = new AbortController();
    const joinedInTime = await Promise.race([
      first.joined.then(() => true),
      sleep(this.options.joinTimeoutMs ?? 30_000, joinWait.signal).then(() => false),
    ]);
    joinWait.abort();
    if (!joinedInTime) this.logger.warn('kafka consumer has not joined its group yet; continuing', { groupId: options.groupId, topics });

    let stopped: Promise<void> | undefined;
    const subscription: MessageSubscription = {
      stop: () => {
        stopped ??= (async () => {
          abort.abort();
          this.subscriptions.delete(subscription);
          await replacing?.catch(() => undefined);
          await current?.disconnect();
        })();
        return stopped;
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  private async startConsumer(
    options: SubscribeOptions,
    topics: string[],
    signal: AbortSignal,
    onFatalCrash: (consumer: Consumer) => void,
  ): Promise<Consumer & { joined: Promise<void> }> {
    const tuning = this.options.consumer ?? {};
    const { partitionsConsumedConcurrently, ...consumerTuning } = tuning;
    const consumer = this.kafka.consumer({
      ...consumerTuning,
      groupId: options.groupId,
      allowAutoTopicCreation: false,
      // Never give up on a crashed consumer: stopping silently would stall the group without an alarm.
      retry: { ...consumerTuning.retry, restartOnFailure: async () => !this.closed },
    });
    const joined = new Promise<void>((resolve) => {
      const remove = consumer.on(consumer.events.GROUP_JOIN, () => {
        remove();
        resolve();
      });
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.logger.error('kafka consumer crashed', { groupId: options.groupId, restart: payload.restart, error: describeError(payload.error) });
      if (!payload.restart) onFatalCrash(consumer);
    });

    await consumer.connect();
    try {
      await consumer.subscribe({ topics, fromBeginning: options.fromBeginning ?? true });
      await consumer.run({
        autoCommit: false,
        partitionsConsumedConcurrently: partitionsConsumedConcurrently ?? 1,
        eachMessage: (payload) => this.consume(consumer, options.groupId, options.handler, payload, signal),
      });
    } catch (error) {
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }
    return Object.assign(consumer, { joined });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.subscriptions].map((s) => s.stop()));
    if (this.producer) await (await this.producer.catch(() => undefined))?.disconnect();
    this.producer = undefined;
  }

  private async consume(
    consumer: Consumer,
    groupId: string,
    handler: MessageHandler,
    { topic, partition, message, heartbeat }: EachMessagePayload,
    abort: AbortSignal,
  ): Promise<void> {
    const where = { topic, partition, offset: message.offset, groupId };
    const decoded = decodeBinaryMode(message);
    if (!decoded.ok) {
      this.logger.error('skipping malformed message', { ...where, reason: decoded.error.reason, eventId: decoded.error.eventId });
    } else {
      const event = decoded.event;
      for (let attempt = 0; ; attempt++) {
        // Stopping mid-retry: return without committing, so the group gets this message again.
        if (abort.aborted) return;
        try {
          await handler(event);
          break;
        } catch (error) {
          this.logger.warn('message handler failed; retrying', { ...where, eventId: event.id, type: event.type, attempt: attempt + 1, error: describeError(error) });
          await this.backoffWhileHeartbeating(attempt, heartbeat, abort);
        }
      }
    }
    await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
  }

  /** Waits out the backoff in slices, heartbeating so the broker does not evict this member meanwhile. */
  private async backoffWhileHeartbeating(attempt: number, heartbeat: () => Promise<void>, abort: AbortSignal): Promise<void> {
    const until = Date.now() + backoffDelay(attempt, this.options.retry);
    const slice = Math.max(100, Math.floor((this.options.consumer?.heartbeatInterval ?? 3_000) / 2));
    while (!abort.aborted) {
      // A rebalance surfaces here as an error: rethrown, kafkajs rejoins, the uncommitted message is redelivered.
      await heartbeat();
      const left = until - Date.now();
      if (left <= 0) return;
      await sleep(Math.min(left, slice), abort);
    }
  }

  private connectedProducer(): Promise<Producer> {
    this.producer ??= (async () => {
      const producer = this.kafka.producer({
        idempotent: this.options.idempotent ?? false,
        allowAutoTopicCreation: false,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await producer.connect();
      return producer;
    })().catch((error: unknown) => {
      this.producer = undefined; // let the next publish try again
      throw error;
    });
    return this.producer;
  }
}
