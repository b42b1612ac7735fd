import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { KafkaMock, startKafkaMock } from '@leakwatch/testing';
import { CloudEvent, KafkaMessageBus, KafkaMessageBusOptions, MessageSubscription } from '../src';
import { expectOrderedPerKey, recordingLogger, testEvent, waitFor } from './helpers';

// Small, fast group timings: a join or rebalance against the mock then takes well under a few seconds.
const CONSUMER = { sessionTimeout: 6_000, heartbeatInterval: 500, rebalanceTimeout: 1_000, maxWaitTimeInMs: 100 };
const TOPICS = ['t.roundtrip', 't.order', 't.retry', 't.malformed'];

let kafka: KafkaMock;
const buses: KafkaMessageBus[] = [];
const newBus = (overrides: Partial<KafkaMessageBusOptions> = {}) => {
  const bus = new KafkaMessageBus({
    brokers: kafka.brokers,
    clientId: `test-${randomUUID().slice(0, 8)}`,
    logLevel: logLevel.ERROR,
    logger: recordingLogger(),
    consumer: CONSUMER,
    retry: { initialDelayMs: 50, maxDelayMs: 200 },
    ...overrides,
  });
  buses.push(bus);
  return bus;
};

beforeAll(async () => {
  kafka = await startKafkaMock({ topics: TOPICS.map((name) => ({ name, partitions: 3 })) });
});
afterAll(async () => {
  await Promise.all(buses.map((b) => b.close()));
  await kafka?.stop();
});

describe('KafkaMessageBus against the Kafka protocol (librdkafka mock cluster)', () => {
  it('round-trips CloudEvents in binary mode: ce_ headers, JSON value, aggregate id as key', async () => {
    const bus = newBus();
    const received: CloudEvent[] = [];
    // And what a foreign (non-CloudEvents-aware) consumer sees on the wire.
    const raw = new Kafka({ brokers: kafka.brokers, clientId: 'raw', logLevel: logLevel.NOTHING }).consumer({ groupId: 'raw', ...CONSUMER });
    const headers: Record<string, string>[] = [];
    const keys: string[] = [];
    const rawReady = (async () => {
      await raw.connect();
      await raw.subscribe({ topics: ['t.roundtrip'], fromBeginning: true });
      await raw.run({
        eachMessage: async ({ message }) => {
          keys.push(String(message.key));
          headers.push(Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])));
        },
      });
    })();
    try {
      await Promise.all([rawReady, bus.subscribe({ topics: 't.roundtrip', groupId: 'roundtrip', handler: async (e) => void received.push(e) })]);
      const sent = testEvent('leak-1', { status: 'fixed', n: 1 }, { extensions: { schemaversion: '1', correlationid: 'c' } });
      await bus.publish('t.roundtrip', [sent]);
      await waitFor(() => received.length === 1 && headers.length === 1, 'delivery');
      expect(received[0]).toEqual(sent);
    } finally {
      await raw.disconnect();
    }
    const sent = received[0];
    expect(keys).toEqual(['leak-1']);
    expect(headers[0]).toMatchObject({
      ce_id: sent.id, ce_type: 'SomethingHappened', ce_source: 'leakwatch/test', ce_specversion: '1.0',
      ce_time: sent.time, ce_subject: sent.subject, 'content-type': 'application/json', ce_correlationid: 'c',
    });
  });

  it('keeps the order of each key across partitions and batches', async () => {
    const bus = newBus();
    const seen: CloudEvent[] = [];
    await bus.subscribe({ topics: ['t.order'], groupId: 'order', handler: async (e) => void seen.push(e) });
    const sent = Array.from({ length: 120 }, (_, i) => testEvent(`key-${i % 7}`, { i }));
    for (let i = 0; i < sent.length; i += 20) await bus.publish('t.order', sent.slice(i, i + 20));
    await waitFor(() => seen.length >= sent.length, 'all deliveries');
    expect(seen).toHaveLength(sent.length);
    expectOrderedPerKey(seen, sent);
  });

  it('commits only after the handler succeeded: a failing message is redelivered and nothing is skipped', async () => {
    const logger = recordingLogger();
    const bus = newBus({ logger });
    const sent = Array.from({ length: 6 }, (_, i) => testEvent('one-key', { i }));
    const poison = sent[2].id;
    let failed = false;
    const seen: string[] = [];
    const handler = async (e: CloudEvent) => {
      if (e.id === poison && !failed) {
        failed = true;
        throw new Error('transient');
      }
      seen.push(e.id);
    };
    const sub = await bus.subscribe({ topics: 't.retry', groupId: 'retry', handler });
    await bus.publish('t.retry', sent);
    await waitFor(() => seen.length === sent.length, 'all processed');
    expect(seen).toEqual(sent.map((e) => e.id));
    expect(logger.lines.some((l) => l.level === 'warn' && l.fields?.['eventId'] === poison)).toBe(true);

    // The committed offsets are what a restarted member of the group resumes from: nothing replays.
    await sub.stop();
    const more = testEvent('one-key', { i: 99 });
    await bus.publish('t.retry', [more]);
    const after: string[] = [];
    await newBus().subscribe({ topics: 't.retry', groupId: 'retry', handler: async (e) => void after.push(e.id) });
    // Same key, same partition: a replay of committed messages would be delivered before the new one.
    await waitFor(() => after.includes(more.id), 'resumed delivery');
    expect(after).toEqual([more.id]);
  });

  it('does not commit a message whose handler is still failing when the consumer stops', async () => {
    const bus = newBus();
    const event = testEvent('k', { n: 1 });
    let attempts = 0;
    const sub: MessageSubscription = await bus.subscribe({
      topics: 't.malformed', groupId: 'stopper', handler: async () => { attempts++; throw new Error('down'); },
    });
    await bus.publish('t.malformed', [event]);
    await waitFor(() => attempts >= 1, 'first attempt');
    await sub.stop();
    const later: string[] = [];
    await newBus().subscribe({ topics: 't.malformed', groupId: 'stopper', handler: async (e) => void later.push(e.id) });
    await waitFor(() => later.includes(event.id), 'redelivery to the next member');
  });

  it('logs and skips a malformed message without crashing the consumer or logging its value', async () => {
    const logger = recordingLogger();
    const bus = newBus({ logger });
    const seen: string[] = [];
    await bus.subscribe({ topics: 't.malformed', groupId: 'malformed', handler: async (e) => void seen.push(e.id) });
    const producer = new Kafka({ brokers: kafka.brokers, clientId: 'raw', logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    await producer.send({ topic: 't.malformed', messages: [{ key: 'k', value: 'password=hunter2', headers: { ce_id: 'bad-1' } }] });
    await producer.disconnect();
    const good = testEvent('k');
    await bus.publish('t.malformed', [good]);
    await waitFor(() => seen.includes(good.id), 'the good message after the bad one');
    const error = logger.lines.find((l) => l.message === 'skipping malformed message');
    expect(error?.fields).toMatchObject({ topic: 't.malformed', eventId: 'bad-1', reason: 'missing header ce_type' });
    expect(JSON.stringify(logger.lines)).not.toContain('hunter2');
  });
});
